"""Moving a running VM to another host (migrateVirtualMachine) and finding hosts it could move to.

A live migration needs the hypervisor's declared `live_migration`; that is checked before any
driver call. Capacity moves with the VM: the target's room is reserved through the planner first
(so two migrations cannot both fill the last slot), and the source's reservation is given back only
once the hypervisor reports the VM on the target. A failed move gives the target's room back and
leaves the VM Running on its source.

A host needs "storage motion" when one of the VM's volumes is on a cluster-wide pool of another
cluster. Moving volumes is not implemented yet, so such hosts are listed but not suitable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState, Volume
from cirrostack.db.models.infrastructure import Host, HostState, ResourceState, Zone
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.storage import StoragePool
from cirrostack.errors import InvalidParameter, InvalidState, UnsupportedOperation
from cirrostack.services import events, planner, settings
from cirrostack.services.affinity import placement as affinity_placement
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.security_groups import enforcement as security_group_enforcement
from cirrostack.services.vms.spec import vm_ref
from cirrostack.services.vms.states import claim, move, require_state


@dataclass(frozen=True)
class MigrationCandidate:
    """A host a VM could move to, with its capacity figures (MHz and bytes, over-provisioning applied)."""

    host: Host
    suitable: bool
    requires_storage_motion: bool
    cpu_total_mhz: int
    cpu_used_mhz: int
    memory_total_bytes: int
    memory_used_bytes: int


def find_hosts_for_migration(session: Session, vm: VirtualMachine) -> list[MigrationCandidate]:
    """Every other host of the VM's zone and hypervisor type that could take it, without reserving.

    `suitable` means it has room for the VM now and needs no storage motion.
    Raises InvalidState unless the VM is Running."""
    require_state(vm, "find hosts to migrate", VMState.RUNNING)
    zone = session.get(Zone, vm.zone_id)
    offering = session.get(ServiceOffering, vm.service_offering_id)
    hosts = planner.candidate_hosts(session, zone=zone, host_tags=_tags(offering), hypervisor=vm.hypervisor_type,
                                    avoid=[vm.host_id] if vm.host_id else [])
    usage = planner.reserved_usage(session, [host.id for host in hosts])
    pools = _cluster_pools(session, vm)
    avoided = affinity_placement.hosts_to_avoid(session, vm, [host.id for host in hosts])
    found = []
    for host in hosts:
        cpu_total, memory_total = _totals(session, host)
        used = usage.get(host.id)
        cpu_used, memory_used = (used.cpu_mhz, used.memory_bytes) if used is not None else (0, 0)
        motion = any(cluster_id != host.cluster_id for cluster_id in pools)
        fits = (cpu_used + vm.cpu_mhz_total <= cpu_total and memory_used + vm.memory_bytes <= memory_total)
        suitable = fits and not motion and host.id not in avoided  # avoided: a member of its affinity group is there
        found.append(MigrationCandidate(host, suitable, motion, cpu_total, cpu_used, memory_total,
                                        memory_used))
    return found


def migrate(session: Session, caller: Caller, vm: VirtualMachine, target: Host, registry: Any, secrets: Any
            ) -> VirtualMachine:
    """Live-migrate the Running `vm` to `target` and move its host reservation there.

    Raises UnsupportedOperation (432) when the hypervisor does not declare `live_migration`,
    InvalidState unless the VM is Running, InvalidParameter naming `hostid` for the VM's own host, a
    host of another hypervisor type or zone, or one needing storage motion, InsufficientCapacity
    when `target` has no room."""
    require_state(vm, "migrate", VMState.RUNNING)
    hypervisor_type = vm.hypervisor_type or ""
    if not registry.hypervisor_class(hypervisor_type).capabilities.live_migration:
        raise UnsupportedOperation(f"migrateVirtualMachine: hypervisor {hypervisor_type}", "live_migration",
                                   f"VM {vm.name} can only be moved while stopped")
    _check_target(session, vm, target)
    source = session.get(Host, vm.host_id)
    # Claim the VM first: of two concurrent operations on it only one proceeds. Should the target have
    # no room, the job's transaction rolls the claim back with the error.
    claim(session, vm, VMState.MIGRATING, "migrate", VMState.RUNNING)
    affinity_placement.require_host_allowed(session, vm, target)  # locks the VM's affinity groups
    affinity_placement.note_migration(session, vm, target.id)
    planner.reserve_host(session, zone=session.get(Zone, vm.zone_id), cpus=vm.cpus, cpu_speed_mhz=vm.cpu_speed_mhz,
                         memory_mb=vm.memory_mb, hypervisor=hypervisor_type, required_host=target)
    session.commit()
    driver = registry.hypervisor(hypervisor_type)
    try:
        driver.migrate_vm(host_ref(source, secrets), vm_ref(vm), host_ref(target, secrets))
    except Exception as error:
        session.rollback()
        planner.release_host(session, target.id, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb)
        affinity_placement.note_migration(session, vm, None)
        vm.state = VMState.RUNNING.value
        events.record(session, caller, "VM.MIGRATE", f"Failed to migrate VM {vm.name} from host {source.name} to "
                      f"host {target.name}: {error}", level="ERROR", account_id=vm.account_id,
                      domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
        session.commit()
        raise
    planner.release_host(session, source.id, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb)
    affinity_placement.note_migration(session, vm, None)
    vm.host_id = vm.last_host_id = target.id
    vm.pod_id, vm.cluster_id = target.pod_id, target.cluster_id
    move(vm, VMState.RUNNING, "migrate")
    events.record(session, caller, "VM.MIGRATE", f"Migrated VM {vm.name} from host {source.name} to host "
                  f"{target.name}", account_id=vm.account_id, domain_id=vm.domain_id,
                  resource_type="VirtualMachine", resource_uuid=vm.uuid)
    session.commit()
    # The VM's security rules move with it: the target enforces them, the source forgets them.
    security_group_enforcement.apply_to_vm(session, registry, secrets, vm)
    security_group_enforcement.remove_from_host(registry, secrets, source, vm.instance_name)
    return vm


def refuse_stopped_vm_storage_move(vm: VirtualMachine) -> None:
    """migrateVirtualMachine with `storageid` moves a stopped VM's volumes; not implemented yet."""
    raise UnsupportedOperation(f"migrateVirtualMachine: moving the volumes of VM {vm.name} to another primary "
                               "storage pool (storageid) is not supported by this server yet")


def _check_target(session: Session, vm: VirtualMachine, target: Host) -> None:
    if target.id == vm.host_id:
        raise InvalidParameter("hostid", f"VM {vm.name} already runs on host {target.name}")
    if target.zone_id != vm.zone_id:
        raise InvalidParameter("hostid", f"host {target.name} is in another zone than VM {vm.name}")
    if target.hypervisor_type != vm.hypervisor_type:
        raise InvalidParameter("hostid", f"host {target.name} runs {target.hypervisor_type}, VM {vm.name} needs "
                                         f"{vm.hypervisor_type}")
    if any(cluster_id != target.cluster_id for cluster_id in _cluster_pools(session, vm)):
        raise InvalidParameter("hostid", f"host {target.name} cannot reach the cluster storage of VM {vm.name}; "
                                         "moving volumes with the VM (storage motion) is not supported")
    if target.state != HostState.UP.value or target.resource_state != ResourceState.ENABLED.value:
        raise InvalidState(f"hostid: host {target.name} is {target.state}/{target.resource_state}; it must be "
                           "Up and Enabled")


def _cluster_pools(session: Session, vm: VirtualMachine) -> set[int]:
    """Clusters of the cluster-wide pools holding the VM's volumes (zone-wide pools reach every host)."""
    rows = session.scalars(select(StoragePool.cluster_id).join(Volume, Volume.pool_id == StoragePool.id)
                           .where(Volume.vm_id == vm.id, Volume.removed.is_(None),
                                  StoragePool.cluster_id.is_not(None)))
    return set(rows)


def _totals(session: Session, host: Host) -> tuple[int, int]:
    cpu_factor = float(settings.value(session, "cpu.overprovisioning.factor", cluster_id=host.cluster_id))
    memory_factor = float(settings.value(session, "mem.overprovisioning.factor", cluster_id=host.cluster_id))
    return int(host.cpu_cores * host.cpu_speed_mhz * cpu_factor), int(host.memory_bytes * memory_factor)


def _tags(offering: ServiceOffering | None) -> list[str]:
    if offering is None or not offering.host_tags:
        return []
    return [tag.strip() for tag in offering.host_tags.split(",") if tag.strip()]

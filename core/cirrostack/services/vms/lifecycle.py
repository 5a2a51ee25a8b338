"""A user VM's life: deploy, start, stop, reboot, destroy, recover and expunge.

Every step that changes capacity runs in its own transaction: the host reservation, the VM row's new
state and the usage/audit records commit together before the hypervisor is called, and a failed
hypervisor call gives the reservation back and commits the VM's clean state before the error is raised.
So neither a failure nor a crash (see `recover_interrupted`) leaves capacity held by a VM that does not run.

Counts against the owner's limits (instances, CPUs, memory) are taken at deploy and recover and given
back at destroy, as CloudStack does; the ROOT volume's own counts belong to the volumes service.
"""

from __future__ import annotations

import re
import secrets as token_source
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from cirrostack.db.base import new_uuid
from cirrostack.db.models.accounts import Account, AsyncJob
from cirrostack.db.models.compute import VirtualMachine, VMDetail, VMState, Volume
from cirrostack.db.models.infrastructure import AllocationState, Host, Zone
from cirrostack.db.models.offerings import DiskOffering, ServiceOffering
from cirrostack.db.models.storage import StoragePool, StoreScope
from cirrostack.db.models.templates import Template
from cirrostack.errors import InsufficientCapacity, InvalidParameter, InvalidState, VMNotFound
from cirrostack.jobs.cleanup import register_cleanup
from cirrostack.services import events, limits, planner
from cirrostack.services.affinity import placement as affinity_placement
from cirrostack.services.compute_offerings import ComputeSize
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.limits import ResourceType
from cirrostack.services.networks import vm_networks
from cirrostack.services.security_groups import enforcement as security_group_enforcement
from cirrostack.services.usage.events import record_usage_event
from cirrostack.services.vms.spec import vm_ref, vm_spec
from cirrostack.services.vms.states import claim, move, require_state
from cirrostack.services.volumes._metering import root_volume_amounts
from cirrostack.services.volumes.data_volumes import create_volume
from cirrostack.services.volumes.disk_files import delete_root_disk_files
from cirrostack.services.volumes.vm_volumes import (
    create_root_volume,
    recover_vm_volumes,
    release_vm_volumes,
    root_size_bytes,
)

_HOST_NAME = re.compile(r"[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


@dataclass
class DeployRequest:
    """What deployVirtualMachine asks for, its parameters already loaded and validated."""

    owner: Account
    zone: Zone
    offering: ServiceOffering
    template: Template
    size: ComputeSize
    name: str | None = None
    display_name: str | None = None
    root_size_bytes: int | None = None
    disk_offering: DiskOffering | None = None
    data_disk_gib: int | None = None
    keypair_name: str | None = None
    userdata: str | None = None
    hypervisor: str | None = None
    group: str | None = None
    custom_details: dict[str, str] = field(default_factory=dict)
    networks: list[Any] = field(default_factory=list)  # Network rows (networkids); empty: the zone's default
    ip_address: str | None = None  # for the NIC on the first network
    display_vm: bool = True


@dataclass
class Drivers:
    """How the life cycle reaches hypervisors: the plugin registry and the secret box for host passwords."""

    registry: Any
    secrets: Any

    def for_host(self, host: Host) -> tuple[Any, Any]:
        """The guarded driver of `host`'s hypervisor type and the HostRef to call it with."""
        return self.registry.hypervisor(host.hypervisor_type), host_ref(host, self.secrets)


def check_host_name(name: str, param: str = "name") -> None:
    """CloudStack's rule for VM host names (RFC 1123 labels that do not start with a digit)."""
    if not _HOST_NAME.fullmatch(name):
        raise InvalidParameter(param, f"{name!r} is not a valid VM name: it can contain the ASCII letters a-z "
                                      "(any case), the digits 0-9 and the hyphen, must be 1 to 63 characters long, "
                                      "cannot start or end with a hyphen and cannot start with a digit")


def deploy(session: Session, caller: Caller, request: DeployRequest, secrets: Any = None) -> VirtualMachine:
    """Allocate a Stopped VM with its ROOT volume (and data disk), counted against the owner's limits.

    Starting it is a separate step (`start`), which deployVirtualMachine's job runs when `startvm` is true.
    Raises InvalidState (disabled zone), InvalidParameter, ResourceLimitExceeded, InsufficientCapacity.
    """
    zone, owner, size = request.zone, request.owner, request.size
    if request.name is not None:
        check_host_name(request.name)
    if zone.allocation_state == AllocationState.DISABLED.value and not caller.is_root_admin:
        raise InvalidState(f"zoneid: zone {zone.name} is Disabled; VMs can be deployed in Enabled zones only")
    _require_ready_template(request.template, zone)
    root_bytes = request.root_size_bytes or root_size_bytes(session, request.template, zone.id)
    # The VM and its ROOT volume are counted together: one UPDATE per owner without limits.
    limits.consume_all(session, owner.id, {**_vm_amounts(size), **root_volume_amounts(root_bytes)})
    vm = VirtualMachine(name=request.name or "", display_name=request.display_name, account_id=owner.id,
                        domain_id=owner.domain_id, zone_id=zone.id, template_id=request.template.id,
                        service_offering_id=request.offering.id, cpus=size.cpus, cpu_speed_mhz=size.cpu_speed_mhz,
                        memory_mb=size.memory_mb,
                        hypervisor_type=request.hypervisor or request.template.hypervisor_type,
                        state=VMState.STOPPED.value, ha_enabled=request.offering.offer_ha,
                        keypair_name=request.keypair_name, userdata=request.userdata, group_name=request.group,
                        display_vm=request.display_vm,
                        dynamically_scalable=request.template.is_dynamically_scalable)
    vm.uuid = new_uuid()
    vm.name = vm.name or vm.uuid
    vm.display_name = vm.display_name or vm.name
    session.add(vm)
    session.flush()
    vm.instance_name = f"i-{owner.id}-{vm.id}-VM"
    if request.template.password_enabled and secrets is not None:
        vm.password_encrypted = secrets.encrypt(token_source.token_urlsafe(9))
    for name, value in request.custom_details.items():
        session.add(VMDetail(vm_id=vm.id, name=name, value=value))
    create_root_volume(session, caller, vm, request.template, root_bytes, charged=True)
    vm_networks.allocate_for_deploy(session, caller, vm, zone, owner, request.networks, request.ip_address)
    if request.disk_offering is not None:
        data = create_volume(session, caller, name=f"DATA-{vm.id}", zone=zone, offering=request.disk_offering,
                             size_gib=request.data_disk_gib, owner=owner)
        data.vm_id, data.device_id, data.attached = vm.id, 1, data.created
    _usage(session, vm, "VM.CREATE")
    events.record(session, caller, "VM.CREATE", f"Created VM {vm.name} ({size.cpus} x {size.cpu_speed_mhz} MHz, "
                                                f"{size.memory_mb} MB) in zone {zone.name}",
                  account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VirtualMachine",
                  resource_uuid=vm.uuid)
    session.flush()
    return vm


def start(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers, host: Host | None = None, *,
          failed_state: VMState = VMState.STOPPED) -> VirtualMachine:
    """Place `vm` on a host with room (or on `host`), reserve it and power the VM on there.

    On a hypervisor failure the reservation is given back, the VM goes to `failed_state` (Error for
    a deploy's first start) and the error is raised. Raises InvalidState unless the VM is Stopped or Error.
    """
    require_state(vm, "start", VMState.STOPPED, VMState.ERROR)
    # Where it may go is read before the claim: the transaction's locks are then held for a few UPDATEs only.
    # held for the usage event below; its relations are not needed
    offering = session.get(ServiceOffering, vm.service_offering_id, options=[lazyload("*")])
    placement = _plan_placement(session, vm, host, offering)
    claim(session, vm, VMState.STARTING, "start", VMState.STOPPED, VMState.ERROR)
    try:
        affinity_placement.restrict_placement(session, vm, placement)  # locks the VM's affinity groups
        chosen = planner.reserve(session, placement)
    except InsufficientCapacity:
        session.rollback()
        vm.state = failed_state.value
        session.commit()
        raise
    vm.host_id, vm.pod_id, vm.cluster_id = chosen.id, chosen.pod_id, chosen.cluster_id
    vm.hypervisor_type = chosen.hypervisor_type
    session.commit()
    driver, ref = drivers.for_host(chosen)
    try:
        vm_networks.prepare_for_start(session, drivers.registry, drivers.secrets, vm)
        driver.start_vm(ref, vm_spec(session, vm, drivers.secrets, drivers.registry))
    except Exception as error:
        session.rollback()
        _give_back_host(session, vm)
        vm.state = failed_state.value
        events.record(session, caller, "VM.START", f"Failed to start VM {vm.name} on host {chosen.name}: {error}",
                      level="ERROR", account_id=vm.account_id, domain_id=vm.domain_id,
                      resource_type="VirtualMachine", resource_uuid=vm.uuid)
        session.commit()
        raise
    move(vm, VMState.RUNNING, "start")
    vm.last_host_id = chosen.id
    _usage(session, vm, "VM.START", offering)
    events.record(session, caller, "VM.START", f"Started VM {vm.name} on host {chosen.name}",
                  account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VirtualMachine",
                  resource_uuid=vm.uuid)
    session.commit()
    security_group_enforcement.apply_to_vm(session, drivers.registry, drivers.secrets, vm)
    return vm


def stop(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers, forced: bool = False
         ) -> VirtualMachine:
    """Power `vm` off (hard when `forced`) and give its host reservation back. Raises InvalidState unless Running."""
    claim(session, vm, VMState.STOPPING, "stop", VMState.RUNNING)
    session.commit()
    host = session.get(Host, vm.host_id)
    try:
        if host is not None:
            driver, ref = drivers.for_host(host)
            driver.stop_vm(ref, vm_ref(vm), force=forced)
    except VMNotFound:
        pass  # the host no longer knows it: it is stopped all the same
    except Exception:
        session.rollback()
        if not forced:
            vm.state = VMState.RUNNING.value
            session.commit()
            raise
        # forced: the caller knows the VM is off, so it is marked Stopped even though the host was not told
    _stopped(session, caller, vm)
    session.commit()
    security_group_enforcement.remove_after_stop(session, drivers.registry, drivers.secrets, host, vm)
    return vm


def reboot(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers) -> VirtualMachine:
    """Restart a Running VM in place on its host."""
    require_state(vm, "reboot", VMState.RUNNING)
    driver, ref = drivers.for_host(session.get(Host, vm.host_id))
    driver.reboot_vm(ref, vm_ref(vm))
    events.record(session, caller, "VM.REBOOT", f"Rebooted VM {vm.name}", account_id=vm.account_id,
                  domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
    return vm


def destroy(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers, expunge: bool = False
            ) -> VirtualMachine:
    """Stop `vm` if it runs, then mark it Destroyed (recoverable) or, with `expunge`, remove it for good."""
    require_state(vm, "destroy", VMState.RUNNING, VMState.STOPPED, VMState.ERROR)
    if vm.state == VMState.RUNNING.value:
        stop(session, caller, vm, drivers, forced=True)
    claim(session, vm, VMState.DESTROYED, "destroy", VMState.STOPPED, VMState.ERROR)
    _release_vm_limits(session, vm)
    release_vm_volumes(session, vm, expunge=False)
    _usage(session, vm, "VM.DESTROY")
    events.record(session, caller, "VM.DESTROY", f"Destroyed VM {vm.name}", account_id=vm.account_id,
                  domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
    security_group_enforcement.refresh_after_commit(session, drivers.registry, drivers.secrets, vm)
    if expunge:
        return _expunge(session, caller, vm, drivers)
    session.flush()
    return vm


def recover(session: Session, caller: Caller, vm: VirtualMachine) -> VirtualMachine:
    """Bring a Destroyed VM back as Stopped, counting it against its owner's limits again."""
    claim(session, vm, VMState.STOPPED, "recover", VMState.DESTROYED)
    _consume_vm_limits(session, vm.account_id, ComputeSize(vm.cpus, vm.cpu_speed_mhz, vm.memory_mb))
    recover_vm_volumes(session, vm)
    _usage(session, vm, "VM.CREATE")
    events.record(session, caller, "VM.RECOVER", f"Recovered VM {vm.name}", account_id=vm.account_id,
                  domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
    session.flush()
    return vm


def expunge(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers) -> VirtualMachine:
    """Remove a Destroyed VM: its definition on its last host, its ROOT volume, its row."""
    require_state(vm, "expunge", VMState.DESTROYED)
    return _expunge(session, caller, vm, drivers)


def recover_interrupted(session: Session, vm: VirtualMachine, failed_state: VMState) -> None:
    """After a crash mid-job: a VM left Starting or Stopping gets its reservation back and a clean state
    (`failed_state` for a start: Error after a deploy, Stopped after a start)."""
    if vm.state == VMState.STARTING.value:
        _give_back_host(session, vm)
        vm.state = failed_state.value
    elif vm.state == VMState.STOPPING.value:
        _give_back_host(session, vm)
        vm.state = VMState.STOPPED.value


def _after_interrupted_deploy(session: Session, job: AsyncJob) -> None:
    vm = _job_vm(session, job)
    if vm is not None:
        recover_interrupted(session, vm, VMState.ERROR)


def _after_interrupted_start_or_stop(session: Session, job: AsyncJob) -> None:
    vm = _job_vm(session, job)
    if vm is not None:
        recover_interrupted(session, vm, VMState.STOPPED)


def _job_vm(session: Session, job: AsyncJob) -> VirtualMachine | None:
    if not job.instance_uuid:
        return None
    return session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == job.instance_uuid)).first()


def _expunge(session: Session, caller: Caller, vm: VirtualMachine, drivers: Drivers) -> VirtualMachine:
    claim(session, vm, VMState.EXPUNGING, "expunge", VMState.DESTROYED)
    last = session.get(Host, vm.last_host_id) if vm.last_host_id else None
    if last is not None:
        driver, ref = drivers.for_host(last)
        try:
            driver.destroy_vm(ref, vm_ref(vm))
        except VMNotFound:
            pass  # never defined there, or already gone
    delete_root_disk_files(session, drivers, vm, last)  # a failure rolls the expunge back: retry it
    release_vm_volumes(session, vm, expunge=True)
    vm_networks.release_for_expunge(session, caller, vm, drivers.registry, drivers.secrets)
    move(vm, VMState.EXPUNGED, "expunge")
    vm.mark_removed()
    events.record(session, caller, "VM.EXPUNGE", f"Expunged VM {vm.name}", account_id=vm.account_id,
                  domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
    session.flush()
    return vm


def _stopped(session: Session, caller: Caller, vm: VirtualMachine) -> None:
    _give_back_host(session, vm)
    vm.state = VMState.STOPPED.value
    _usage(session, vm, "VM.STOP")
    events.record(session, caller, "VM.STOP", f"Stopped VM {vm.name}", account_id=vm.account_id,
                  domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)


def _give_back_host(session: Session, vm: VirtualMachine) -> None:
    if vm.host_id is not None:
        planner.release_host(session, vm.host_id, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb)
        vm.last_host_id = vm.host_id
        vm.host_id = None


def _consume_vm_limits(session: Session, account_id: int, size: ComputeSize) -> None:
    limits.consume_all(session, account_id, _vm_amounts(size))


def _vm_amounts(size: ComputeSize) -> dict[ResourceType, int]:
    return {ResourceType.INSTANCE: 1, ResourceType.CPU: size.cpus, ResourceType.MEMORY: size.memory_mb}


def _release_vm_limits(session: Session, vm: VirtualMachine) -> None:
    limits.release(session, vm.account_id, ResourceType.INSTANCE, 1)
    limits.release(session, vm.account_id, ResourceType.CPU, vm.cpus)
    limits.release(session, vm.account_id, ResourceType.MEMORY, vm.memory_mb)


def _usage(session: Session, vm: VirtualMachine, event_type: str, offering: ServiceOffering | None = None) -> None:
    if offering is None or offering.id != vm.service_offering_id:
        offering = session.get(ServiceOffering, vm.service_offering_id)
    details = ({"cpuNumber": vm.cpus, "cpuSpeed": vm.cpu_speed_mhz, "memory": vm.memory_mb}
               if offering is not None and offering.is_customized else None)
    record_usage_event(session, event_type, account_id=vm.account_id, domain_id=vm.domain_id, zone_id=vm.zone_id,
                       resource_id=vm.id, resource_uuid=vm.uuid, resource_name=vm.name,
                       offering_id=vm.service_offering_id, template_id=vm.template_id, details=details)


def _plan_placement(session: Session, vm: VirtualMachine, host: Host | None,
                    offering: ServiceOffering | None) -> planner.Placement:
    """Where to reserve room for `vm` (whose offering is `offering`): on `host` when given, else on the host
    it last ran on if that still fits, else wherever the planner finds room. Reads only."""
    zone = session.get(Zone, vm.zone_id, options=[lazyload("*")])
    return planner.plan(session, zone=zone, cpus=vm.cpus, cpu_speed_mhz=vm.cpu_speed_mhz,
                        memory_mb=vm.memory_mb, host_tags=_tags(offering), hypervisor=vm.hypervisor_type,
                        cluster_id=_volume_cluster(session, vm), required_host=host,
                        preferred_host_id=vm.last_host_id if host is None else None)


def _require_ready_template(template: Template, zone: Zone) -> None:
    # The template's zone references are loaded with it (eagerly), so no query is needed here.
    if not any(ref.zone_id == zone.id and ref.is_ready for ref in template.zone_refs):
        raise InvalidParameter("templateid", f"template {template.name} ({template.uuid}) is not ready in zone "
                                             f"{zone.name}; wait until it is downloaded there, or copy it there")


def _volume_cluster(session: Session, vm: VirtualMachine) -> int | None:
    """The cluster a VM must run in because its volumes sit on a cluster-scoped pool, if any."""
    return session.scalar(select(StoragePool.cluster_id).join(Volume, Volume.pool_id == StoragePool.id).where(
        Volume.vm_id == vm.id, Volume.removed.is_(None), StoragePool.scope == StoreScope.CLUSTER.value,
        StoragePool.cluster_id.is_not(None)).limit(1))


def _tags(offering: ServiceOffering | None) -> list[str]:
    if offering is None or not offering.host_tags:
        return []
    return [tag.strip() for tag in offering.host_tags.split(",") if tag.strip()]



register_cleanup("deployVirtualMachine", _after_interrupted_deploy)
register_cleanup("startVirtualMachine", _after_interrupted_start_or_stop)
register_cleanup("stopVirtualMachine", _after_interrupted_start_or_stop)
register_cleanup("destroyVirtualMachine", _after_interrupted_start_or_stop)  # it stops a running VM first

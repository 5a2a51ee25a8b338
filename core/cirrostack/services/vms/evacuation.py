"""Moving the VMs off a host that is prepared for maintenance (the VM area's evacuation step).

Each VM running on the host is live-migrated to another host of the same cluster that the planner finds
room on (Up, Enabled, same hypervisor, the offering's host tags), trying hosts in the planner's order.
A VM that cannot move (its hypervisor does not declare `live_migration`, no host has room, every
migration failed, or a job is moving it) is stopped when the setting `host.maintenance.stop.unmovable.vms`
is true; otherwise it stays, and the step fails naming every VM that stayed and why, which leaves the
host in ErrorInMaintenance with an alert (CloudStack's behaviour). Each migration or stop commits on
its own, so the VMs that did move stay moved whatever happens to the others.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.errors import CirroError, ResourceUnavailable
from cirrostack.services import planner, settings
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure import register_evacuation
from cirrostack.services.vms import lifecycle, migration

log = logging.getLogger(__name__)

STOP_UNMOVABLE_KEY = "host.maintenance.stop.unmovable.vms"


def evacuate_vms(session: Session, caller: Caller | None, host: Host, registry: Any, secrets: Any) -> None:
    """Move every VM off `host` (see the module docstring). Raises ResourceUnavailable naming the VMs that
    stayed on the host and why."""
    stop_unmovable = bool(settings.value(session, STOP_UNMOVABLE_KEY))
    stayed: list[str] = []
    for vm_id in list(session.scalars(select(VirtualMachine.id).where(
            VirtualMachine.host_id == host.id, VirtualMachine.removed.is_(None)).order_by(VirtualMachine.id))):
        vm = session.get(VirtualMachine, vm_id)
        reason = _move(session, caller, vm, host, registry, secrets)
        if reason is None:
            continue
        if stop_unmovable and vm.state == VMState.RUNNING.value:
            try:
                lifecycle.stop(session, caller, vm, lifecycle.Drivers(registry, secrets))
                log.info("maintenance of host %s: stopped VM %s, which could not move: %s", host.name, vm.name, reason)
                continue
            except CirroError as error:
                reason = f"{reason}; stopping it failed too: {error}"
        stayed.append(f"{vm.name} ({vm.uuid}): {reason}")
    if stayed:
        raise ResourceUnavailable(f"{len(stayed)} VM(s) could not leave host {host.name}: {'; '.join(stayed)}")


def _move(session: Session, caller: Caller | None, vm: VirtualMachine, host: Host, registry: Any,
          secrets: Any) -> str | None:
    """Live-migrate `vm` to a host of its cluster with room; None when it moved, else why it could not."""
    if vm.state != VMState.RUNNING.value:
        return f"it is {vm.state}, only a Running VM can be migrated"
    if not registry.hypervisor_class(vm.hypervisor_type or "").capabilities.live_migration:
        return f"hypervisor {vm.hypervisor_type} does not declare live_migration"
    offering = session.get(ServiceOffering, vm.service_offering_id)
    tags = [tag.strip() for tag in (offering.host_tags or "").split(",") if tag.strip()] if offering else []
    targets = planner.candidate_hosts(session, zone=session.get(Zone, vm.zone_id), host_tags=tags,
                                      hypervisor=vm.hypervisor_type, avoid=[host.id], cluster_id=host.cluster_id)
    failures = []
    for target in targets:
        try:
            migration.migrate(session, caller, vm, target, registry, secrets)
            return None
        except CirroError as error:
            session.rollback()  # a refused reservation leaves the VM's claim in the transaction
            session.refresh(vm)
            failures.append(f"{target.name}: {error}")
    if not failures:
        return f"no other host of its cluster is Up and Enabled for {vm.hypervisor_type}"
    return "no host took it (" + "; ".join(failures) + ")"


register_evacuation(evacuate_vms)

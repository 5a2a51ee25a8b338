"""Giving a VM another compute offering: changeServiceForVirtualMachine and scaleVirtualMachine.

A Stopped VM takes the new offering's size (or, for a custom offering, the request's
`details[0].cpuNumber/cpuSpeed/memory`) at once; its next start places it with the new size.
A Running VM is scaled live only where its hypervisor declares `scale_running_vm` and the zone's
`enable.dynamic.scale.vm` is true, and only upwards (as CloudStack 4.3). The core decides both
before any driver call: 432 naming the hypervisor and the capability, 531 naming the setting.

Capacity is re-checked, never squeezed: a live scale reserves the difference on the VM's own host
with the planner's conditional UPDATE (so the host is never overcommitted), and gives it back if
the driver fails; a stopped VM's new size must fit some host of its zone right now (checked in a
savepoint that is rolled back: the start reserves for real). Limits (CPU, memory) follow the
difference. Each change records the usage event VM.UPGRADE with the new offering and, for custom
offerings, the new cpuNumber/cpuSpeed/memory; the old values are those of the VM's earlier events.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMDetail, VMState
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.errors import (
    InsufficientCapacity,
    InvalidParameter,
    InvalidState,
    PermissionDenied,
    UnsupportedOperation,
)
from cirrostack.services import events, limits, planner, settings
from cirrostack.services.compute_offerings import ComputeSize, resolve_compute
from cirrostack.services.context import Caller
from cirrostack.services.limits import ResourceType
from cirrostack.services.usage.events import record_usage_event
from cirrostack.services.vms.spec import vm_ref
from cirrostack.services.vms.states import require_state

_SIZE_DETAILS = ("cpuNumber", "cpuSpeed", "memory")


def change_service(session: Session, caller: Caller, vm: VirtualMachine, offering: ServiceOffering,
                   details: list[dict[str, Any]] | None) -> VirtualMachine:
    """changeServiceForVirtualMachine: give a Stopped VM `offering` (sizes from `details` if custom).

    Raises InvalidState unless Stopped, InvalidParameter for an unusable offering or custom value,
    InsufficientCapacity when no host of the zone could run the new size, ResourceLimitExceeded."""
    require_state(vm, "change the service offering of", VMState.STOPPED)
    old, new = _sizes(session, vm, offering, details)
    _check_fits_somewhere(session, vm, offering, new)
    _apply(session, caller, vm, offering, old, new, event_type="VM.UPGRADE")
    return vm


def scale(session: Session, caller: Caller, vm: VirtualMachine, offering: ServiceOffering,
          details: list[dict[str, Any]] | None, drivers: Any) -> VirtualMachine:
    """scaleVirtualMachine: a Stopped VM as change_service; a Running one live, upwards only.

    `drivers` is services.vms.lifecycle.Drivers. Raises UnsupportedOperation (432) when the VM's
    hypervisor does not declare `scale_running_vm`, PermissionDenied (531) when the zone's
    enable.dynamic.scale.vm is false, InvalidParameter for a smaller value, InsufficientCapacity when
    the VM's host has no room for the difference; any driver error after giving the room back."""
    if vm.state == VMState.STOPPED.value:
        return change_service(session, caller, vm, offering, details)
    require_state(vm, "scale", VMState.RUNNING, VMState.STOPPED)
    hypervisor = vm.hypervisor_type or ""
    if not drivers.registry.hypervisor_class(hypervisor).capabilities.scale_running_vm:
        raise UnsupportedOperation(f"scaleVirtualMachine: hypervisor {hypervisor}", "scale_running_vm",
                                   f"VM {vm.name} is Running; stop it and use changeServiceForVirtualMachine")
    if not vm.dynamically_scalable:
        raise InvalidState(f"Unable to scale VM {vm.name} ({vm.uuid}) while it runs: it is not dynamically "
                           f"scalable (its template has no tools for it); stop it and use "
                           f"changeServiceForVirtualMachine, or set isdynamicallyscalable with updateVirtualMachine")
    zone = session.get(Zone, vm.zone_id)
    if not settings.value(session, "enable.dynamic.scale.vm", zone_id=vm.zone_id):
        raise PermissionDenied(f"scaleVirtualMachine: dynamic scaling of running VMs is disabled in zone "
                               f"{zone.name if zone else vm.zone_id} (setting enable.dynamic.scale.vm is false)")
    old, new = _sizes(session, vm, offering, details)
    _require_scale_up(old, new)
    host = session.get(Host, vm.host_id)
    if host is None:
        raise InvalidState(f"Unable to scale VM {vm.name} ({vm.uuid}): it is Running but has no host")
    extra_mhz = new.cpus * new.cpu_speed_mhz - old.cpus * old.cpu_speed_mhz
    extra_mb = new.memory_mb - old.memory_mb
    _claim_size(session, vm, old, new)
    try:
        _reserve_on_own_host(session, vm, host, zone, offering, extra_mhz, extra_mb)
        _consume_limits(session, vm.account_id, old, new)
    except Exception:
        session.rollback()  # the claimed size too: the VM keeps what it had
        raise
    session.commit()
    driver, ref = drivers.for_host(host)
    try:
        driver.scale_vm(ref, vm_ref(vm), new.cpus, new.cpu_speed_mhz, new.memory_mb)
    except Exception:
        session.rollback()
        planner.release_host(session, host.id, 1, extra_mhz, extra_mb)
        _consume_limits(session, vm.account_id, new, old)
        vm.cpus, vm.cpu_speed_mhz, vm.memory_mb = old.cpus, old.cpu_speed_mhz, old.memory_mb
        session.commit()
        raise
    _apply(session, caller, vm, offering, old, new, event_type="VM.SCALE", limits_counted=True)
    session.commit()
    return vm


def _sizes(session: Session, vm: VirtualMachine, offering: ServiceOffering,
           details: list[dict[str, Any]] | None) -> tuple[ComputeSize, ComputeSize]:
    current = session.get(ServiceOffering, vm.service_offering_id)
    if offering.is_system:
        raise InvalidParameter("serviceofferingid", f"{offering.name} ({offering.uuid}) is a system offering; "
                                                    "user VMs cannot use it")
    if current is not None and current.id == offering.id and not offering.is_customized:
        raise InvalidParameter("serviceofferingid", f"Not upgrading VM {vm.name} since it already has the requested "
                                                    f"service offering ({offering.name})")
    if current is not None and current.storage_type != offering.storage_type:
        raise InvalidParameter("serviceofferingid", f"Unable to upgrade VM {vm.name}: its offering {current.name} "
                                                    f"uses {current.storage_type} storage and {offering.name} uses "
                                                    f"{offering.storage_type} storage")
    missing = _tags(current.tags if current else None) - _tags(offering.tags)
    if missing:
        raise InvalidParameter("serviceofferingid", f"Unable to upgrade VM {vm.name}: offering {offering.name} lacks "
                                                    f"the storage tags {', '.join(sorted(missing))} its disks were "
                                                    "placed with")
    new = resolve_compute(session, offering, details, zone_id=vm.zone_id)
    return ComputeSize(vm.cpus, vm.cpu_speed_mhz, vm.memory_mb), new


def _require_scale_up(old: ComputeSize, new: ComputeSize) -> None:
    pairs = ((new.cpus, old.cpus), (new.cpu_speed_mhz, old.cpu_speed_mhz), (new.memory_mb, old.memory_mb))
    if any(now < before for now, before in pairs) or all(now == before for now, before in pairs):
        raise InvalidParameter("serviceofferingid", f"Only scaling up a running VM is supported: the new size "
                                                    f"(cpu={new.cpus}, speed={new.cpu_speed_mhz}, memory="
                                                    f"{new.memory_mb}) must have at least one value greater than "
                                                    f"the current (cpu={old.cpus}, speed={old.cpu_speed_mhz}, "
                                                    f"memory={old.memory_mb}) and none smaller")


def _claim_size(session: Session, vm: VirtualMachine, old: ComputeSize, new: ComputeSize) -> None:
    """Write the new size only if nobody changed the VM since it was read: of two scale jobs on one VM
    one wins, the other is refused before it reserves anything."""
    result = session.execute(
        update(VirtualMachine)
        .where(VirtualMachine.id == vm.id, VirtualMachine.state == VMState.RUNNING.value,
               VirtualMachine.cpus == old.cpus, VirtualMachine.cpu_speed_mhz == old.cpu_speed_mhz,
               VirtualMachine.memory_mb == old.memory_mb)
        .values(cpus=new.cpus, cpu_speed_mhz=new.cpu_speed_mhz, memory_mb=new.memory_mb)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        raise InvalidState(f"Unable to scale VM {vm.name} ({vm.uuid}): another operation changed it meanwhile; "
                           "list it and try again")
    vm.cpus, vm.cpu_speed_mhz, vm.memory_mb = new.cpus, new.cpu_speed_mhz, new.memory_mb


def _reserve_on_own_host(session: Session, vm: VirtualMachine, host: Host, zone: Zone | None,
                         offering: ServiceOffering, extra_mhz: int, extra_mb: int) -> None:
    try:
        planner.reserve_host(session, zone=zone, cpus=1, cpu_speed_mhz=extra_mhz, memory_mb=extra_mb,
                             host_tags=sorted(_tags(offering.host_tags)), hypervisor=vm.hypervisor_type,
                             required_host=host)
    except InsufficientCapacity:
        raise InsufficientCapacity(
            f"Unable to scale VM {vm.name} ({vm.uuid}): insufficient capacity on its host {host.name} for "
            f"{extra_mhz} MHz and {extra_mb} MB more (or the host lacks offering {offering.name}'s host tags); "
            "the VM would no longer fit its host") from None


def _check_fits_somewhere(session: Session, vm: VirtualMachine, offering: ServiceOffering, new: ComputeSize) -> None:
    zone = session.get(Zone, vm.zone_id)
    savepoint = session.begin_nested()
    try:
        planner.reserve_host(session, zone=zone, cpus=new.cpus, cpu_speed_mhz=new.cpu_speed_mhz,
                             memory_mb=new.memory_mb, host_tags=sorted(_tags(offering.host_tags)),
                             hypervisor=vm.hypervisor_type)
    except InsufficientCapacity as error:
        raise InsufficientCapacity(f"Unable to change the service offering of VM {vm.name} ({vm.uuid}) to "
                                   f"{offering.name}: {error}") from None
    finally:
        savepoint.rollback()


def _apply(session: Session, caller: Caller, vm: VirtualMachine, offering: ServiceOffering, old: ComputeSize,
           new: ComputeSize, *, event_type: str, limits_counted: bool = False) -> None:
    if not limits_counted:
        _consume_limits(session, vm.account_id, old, new)
    vm.service_offering_id = offering.id
    vm.cpus, vm.cpu_speed_mhz, vm.memory_mb = new.cpus, new.cpu_speed_mhz, new.memory_mb
    vm.ha_enabled = offering.offer_ha
    session.execute(delete(VMDetail).where(VMDetail.vm_id == vm.id, VMDetail.name.in_(_SIZE_DETAILS))
                    .execution_options(synchronize_session=False))
    if offering.is_customized:
        session.add_all(VMDetail(vm_id=vm.id, name=name, value=value) for name, value in new.as_details().items())
    record_usage_event(session, "VM.UPGRADE", account_id=vm.account_id, domain_id=vm.domain_id, zone_id=vm.zone_id,
                       resource_id=vm.id, resource_uuid=vm.uuid, resource_name=vm.name, offering_id=offering.id,
                       template_id=vm.template_id,
                       details={key: int(value) for key, value in new.as_details().items()}
                       if offering.is_customized else None)
    events.record(session, caller, event_type,
                  f"Changed VM {vm.name} to offering {offering.name}: {old.cpus} x {old.cpu_speed_mhz} MHz, "
                  f"{old.memory_mb} MB -> {new.cpus} x {new.cpu_speed_mhz} MHz, {new.memory_mb} MB",
                  account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VirtualMachine",
                  resource_uuid=vm.uuid)
    session.flush()


def _consume_limits(session: Session, account_id: int, old: ComputeSize, new: ComputeSize) -> None:
    """Count the change from `old` to `new` CPUs and memory: more is consumed (within limits), less released."""
    for resource, before, after in ((ResourceType.CPU, old.cpus, new.cpus),
                                    (ResourceType.MEMORY, old.memory_mb, new.memory_mb)):
        if after > before:
            limits.consume(session, account_id, resource, after - before)
        elif after < before:
            limits.release(session, account_id, resource, before - after)


def _tags(text: str | None) -> set[str]:
    return {tag.strip() for tag in (text or "").split(",") if tag.strip()}

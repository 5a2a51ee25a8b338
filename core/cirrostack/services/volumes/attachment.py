"""attachVolume and detachVolume.

An attachment is recorded here and reaches the hypervisor through `VMSpec.disks` at the VM's next
start (see `vm_volumes.disk_specs`). For a Running VM whose hypervisor declares `hot_plug_volumes` the
disk is also plugged in (or out) at once with `driver.attach_disk` / `detach_disk`, in the same
transaction: a driver error rolls the change back. Without the capability a running VM sees a newly
attached disk after a stop and start, and keeps a detached one until then; the event says so.

Device ids follow CloudStack: 0 is the ROOT volume, 3 is kept for the CD-ROM, data volumes take
1, 2, 4, 5, ... up to the hypervisor's `max_data_volumes`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.base import utcnow
from cirrostack.db.models.compute import VirtualMachine, VMState, Volume, VolumeState, VolumeType
from cirrostack.db.models.infrastructure import Host
from cirrostack.db.models.offerings import DiskOffering
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import HypervisorCapabilities
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, storage_planner
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.volumes.vm_volumes import disk_spec

CDROM_DEVICE_ID = 3
_ATTACHABLE_VM_STATES = (VMState.RUNNING.value, VMState.STOPPED.value)


def max_data_volumes(registry: PluginRegistry, vm: VirtualMachine) -> int:
    """How many data volumes `vm`'s hypervisor lets one VM have."""
    if not vm.hypervisor_type:
        return HypervisorCapabilities().max_data_volumes
    return registry.hypervisor_class(vm.hypervisor_type).capabilities.max_data_volumes


def data_device_ids(limit: int) -> list[int]:
    """The device ids data volumes may use with a limit of `limit` data volumes."""
    ids: list[int] = []
    candidate = 1
    while len(ids) < limit:
        if candidate != CDROM_DEVICE_ID:
            ids.append(candidate)
        candidate += 1
    return ids


def attach_volume(session: Session, caller: Caller, registry: PluginRegistry, volume: Volume, vm: VirtualMachine,
                  device_id: int | None = None, secrets: Any = None) -> Volume:
    """Attach a data volume to a Running or Stopped VM of the same owner and zone, at `device_id` or
    the lowest free one. An Allocated volume is placed on a pool first (InsufficientCapacity when no
    pool the VM reaches has room). A Running VM gets it hot-plugged when its hypervisor can (host
    passwords decrypted with `secrets`), else at its next start.
    Raises InvalidParameter / InvalidState naming what is wrong, and the driver's errors."""
    if volume.volume_type != VolumeType.DATADISK.value:
        raise InvalidParameter("id", f"volume {volume.name} is a ROOT volume; only data volumes can be attached")
    if volume.vm_id is not None:
        raise InvalidState(f"id: volume {volume.name} is already attached to a VM; detach it first")
    from cirrostack.services.volumes import upload  # upload imports this package's siblings: import on use

    if volume.state not in (VolumeState.ALLOCATED.value, VolumeState.READY.value, upload.UPLOADED):
        raise InvalidState(f"id: volume {volume.name} is in state {volume.state}; it must be Allocated, Ready or "
                           f"Uploaded")
    if vm.state not in _ATTACHABLE_VM_STATES:
        raise InvalidState(f"virtualmachineid: VM {vm.name} is in state {vm.state}; it must be Running or Stopped")
    if vm.zone_id != volume.zone_id:
        raise InvalidParameter("virtualmachineid", f"VM {vm.name} is in another zone than volume {volume.name}")
    if vm.account_id != volume.account_id:
        raise InvalidParameter("virtualmachineid", f"VM {vm.name} belongs to another account than volume "
                                                   f"{volume.name}")
    allowed = data_device_ids(max_data_volumes(registry, vm))
    taken = set(session.scalars(select(Volume.device_id).where(Volume.vm_id == vm.id, Volume.removed.is_(None))))
    attached_data = session.scalar(select(func.count()).select_from(Volume).where(
        Volume.vm_id == vm.id, Volume.removed.is_(None), Volume.volume_type == VolumeType.DATADISK.value))
    if attached_data >= len(allowed):
        raise InvalidState(f"virtualmachineid: VM {vm.name} already has {attached_data} data volumes, the most its "
                           f"hypervisor {vm.hypervisor_type} allows (max_data_volumes)")
    if device_id is None:
        device_id = next(candidate for candidate in allowed if candidate not in taken)
    elif device_id not in allowed:
        raise InvalidParameter("deviceid", f"{device_id} is not a data volume device id; use one of "
                                           f"{', '.join(map(str, allowed))}")
    elif device_id in taken:
        raise InvalidParameter("deviceid", f"device {device_id} of VM {vm.name} is already in use")
    if volume.state == upload.UPLOADED:
        upload.import_to_pool(session, registry, secrets, volume, vm)  # copied from the image store first
    elif volume.pool_id is None:
        _place(session, volume, vm)
    volume.vm_id, volume.device_id, volume.attached = vm.id, device_id, utcnow()
    session.flush()
    when = _plug(session, registry, secrets, vm, volume, attach=True)
    events.record(session, caller, "VOLUME.ATTACH", f"Attached volume {volume.name} to VM {vm.name} as device "
                                                   f"{device_id}{when}", account_id=volume.account_id,
                  domain_id=volume.domain_id, resource_type="Volume", resource_uuid=volume.uuid)
    return volume


def hot_plugs(registry: PluginRegistry, vm: VirtualMachine) -> bool:
    """Whether a change to `vm`'s disks reaches it now: it runs on a hypervisor declaring `hot_plug_volumes`."""
    return (vm.state == VMState.RUNNING.value and vm.host_id is not None and bool(vm.hypervisor_type)
            and registry.hypervisor_class(vm.hypervisor_type).capabilities.hot_plug_volumes)


def _plug(session: Session, registry: PluginRegistry, secrets: Any, vm: VirtualMachine, volume: Volume, *,
          attach: bool) -> str:
    """Plug the volume in or out of a running VM when its hypervisor can; returns how the event says when."""
    if vm.state != VMState.RUNNING.value or vm.host_id is None:
        return ""
    if not hot_plugs(registry, vm):
        return (f"; VM {vm.name} is Running and hypervisor {vm.hypervisor_type} does not declare hot_plug_volumes, "
                f"so the VM {'gets' if attach else 'loses'} the disk at its next start")
    from cirrostack.services.vms.spec import vm_ref  # vms.spec imports this package: import on use

    host = session.get(Host, vm.host_id)
    driver, ref = registry.hypervisor(host.hypervisor_type), host_ref(host, secrets)
    if attach:
        driver.attach_disk(ref, vm_ref(vm), disk_spec(session, volume, secrets))
    else:
        driver.detach_disk(ref, vm_ref(vm), disk_spec(session, volume, secrets))
    return f" while it runs on host {host.name}"


def _place(session: Session, volume: Volume, vm: VirtualMachine) -> None:
    offering = session.get(DiskOffering, volume.disk_offering_id) if volume.disk_offering_id else None
    pool = storage_planner.pick_pool(session, vm.zone_id, vm.cluster_id, volume.size_bytes,
                                     storage_planner.split_tags(offering.tags if offering else None),
                                     vm.hypervisor_type)
    volume.pool_id = pool.id
    volume.path = volume.uuid
    volume.state = VolumeState.READY.value


def detach_volume(session: Session, caller: Caller, volume: Volume, registry: PluginRegistry | None = None,
                  secrets: Any = None) -> Volume:
    """Detach a data volume from its Running or Stopped VM; it stays Ready on its pool. A Running VM
    loses it at once when its hypervisor declares `hot_plug_volumes` (`registry` given), else at its
    next start."""
    if volume.volume_type != VolumeType.DATADISK.value:
        raise InvalidParameter("id", f"volume {volume.name} is a ROOT volume; it cannot be detached")
    if volume.vm_id is None:
        raise InvalidState(f"id: volume {volume.name} is not attached to any VM")
    vm = session.get(VirtualMachine, volume.vm_id)
    if vm is not None and vm.state not in _ATTACHABLE_VM_STATES:
        raise InvalidState(f"id: VM {vm.name} of volume {volume.name} is in state {vm.state}; it must be Running "
                           f"or Stopped")
    when = _plug(session, registry, secrets, vm, volume, attach=False) if vm is not None and registry else ""
    volume.vm_id, volume.device_id, volume.attached = None, None, None
    session.flush()
    events.record(session, caller, "VOLUME.DETACH", f"Detached volume {volume.name} from VM "
                                                   f"{vm.name if vm else ''}{when}", account_id=volume.account_id,
                  domain_id=volume.domain_id, resource_type="Volume", resource_uuid=volume.uuid)
    return volume

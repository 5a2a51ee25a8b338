"""Data volumes: createVolume, resizeVolume and deleteVolume.

A new data volume is Allocated: it is counted and metered, but takes pool space only when it is
first attached (the storage planner then places it where the VM's hosts reach it), as in CloudStack.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models.accounts import Account
from cirrostack.db.models.compute import Volume, VolumeState, VolumeType
from cirrostack.db.models.infrastructure import AllocationState, Zone
from cirrostack.db.models.offerings import DiskOffering
from cirrostack.db.models.storage import StoragePool
from cirrostack.errors import InsufficientCapacity, InvalidParameter, InvalidState, ResourceInUse
from cirrostack.services import events, storage_planner
from cirrostack.services.context import Caller
from cirrostack.services.volumes._metering import charge_new, charge_resized, record_created, refund_deleted
from cirrostack.services.volumes.disk_files import delete_disk_file

GIB = 1024 ** 3


def offering_size_bytes(offering: DiskOffering, size_gib: int | None, *, param: str = "size") -> int:
    """The size a volume of `offering` gets: `size_gib` for a custom offering (required there),
    else the offering's own size (then `size_gib` must not be given)."""
    if offering.is_customized:
        if size_gib is None:
            raise InvalidParameter(param, f"disk offering {offering.name} is custom; give the size in GiB")
        if size_gib <= 0:
            raise InvalidParameter(param, f"{size_gib} is not a size; give a positive number of GiB")
        return size_gib * GIB
    if size_gib is not None and size_gib != offering.disk_size_gb:
        raise InvalidParameter(param, f"disk offering {offering.name} has a fixed size of {offering.disk_size_gb} "
                                      f"GiB; leave {param} out or choose a custom offering")
    return offering.disk_size_gb * GIB


def create_volume(session: Session, caller: Caller, *, name: str, zone: Zone, offering: DiskOffering,
                  size_gib: int | None = None, owner: Account | None = None) -> Volume:
    """Create an Allocated data volume for `owner` (default: the caller's account).
    Raises InvalidParameter, InvalidState (disabled zone), ResourceLimitExceeded."""
    if zone.allocation_state == AllocationState.DISABLED.value and not caller.is_root_admin:
        raise InvalidState(f"zoneid: zone {zone.name} is Disabled; volumes can be created in Enabled zones only")
    size = offering_size_bytes(offering, size_gib)
    account_id = owner.id if owner is not None else caller.account_id
    domain_id = owner.domain_id if owner is not None else caller.domain_id
    charge_new(session, account_id, size)
    volume = Volume(name=name, account_id=account_id, domain_id=domain_id, zone_id=zone.id,
                    volume_type=VolumeType.DATADISK.value, size_bytes=size, disk_offering_id=offering.id,
                    state=VolumeState.ALLOCATED.value)
    session.add(volume)
    session.flush()
    record_created(session, volume, offering_id=offering.id)
    events.record(session, caller, "VOLUME.CREATE", f"Created volume {name} ({size} bytes) in zone {zone.name}",
                  account_id=account_id, domain_id=domain_id, resource_type="Volume", resource_uuid=volume.uuid)
    return volume


def resize_volume(session: Session, caller: Caller, volume: Volume, *, offering: DiskOffering | None = None,
                  size_gib: int | None = None, shrink_ok: bool = False) -> Volume:
    """Give a data volume a new size: a new disk offering's (with `size_gib` when it is custom) or,
    on a custom offering, `size_gib`. Shrinking needs `shrink_ok`. A volume on a pool must still
    fit there (InsufficientCapacity otherwise); limits and VOLUME.RESIZE follow the change.
    The hypervisor contract has no resize call: an attached volume's VM gets the new size with
    its disks at its next start."""
    if volume.volume_type != VolumeType.DATADISK.value:
        raise InvalidParameter("id", f"volume {volume.name} is a {volume.volume_type} volume; only data volumes "
                                     f"can be resized")
    if volume.state not in (VolumeState.ALLOCATED.value, VolumeState.READY.value):
        raise InvalidState(f"id: volume {volume.name} is in state {volume.state}; it must be Allocated or Ready")
    target = offering or (session.get(DiskOffering, volume.disk_offering_id) if volume.disk_offering_id else None)
    if target is None or (offering is None and not target.is_customized):
        raise InvalidParameter("size", f"volume {volume.name} has a fixed-size disk offering; give diskofferingid "
                                       f"of a new offering (or a custom one with size)")
    new_size = offering_size_bytes(target, size_gib, param="size")
    old_size = volume.size_bytes
    if new_size < old_size and not shrink_ok:
        raise InvalidParameter("size", f"{new_size} bytes is smaller than volume {volume.name} ({old_size} bytes); "
                                       f"pass shrinkok=true to shrink it")
    if new_size > old_size and volume.pool_id is not None:
        pool = session.get(StoragePool, volume.pool_id)
        if not storage_planner.fits(session, pool, new_size - old_size):
            raise InsufficientCapacity(f"insufficient capacity: primary storage pool {pool.name} has no room for "
                                       f"{new_size - old_size} more bytes for volume {volume.name}")
    volume.size_bytes = new_size
    volume.disk_offering_id = target.id
    session.flush()
    charge_resized(session, volume, old_size, offering_id=target.id)
    events.record(session, caller, "VOLUME.RESIZE", f"Resized volume {volume.name} from {old_size} to {new_size} "
                                                   f"bytes", account_id=volume.account_id,
                  domain_id=volume.domain_id, resource_type="Volume", resource_uuid=volume.uuid)
    return volume


def delete_volume(session: Session, caller: Caller, volume: Volume, drivers: Any = None) -> None:
    """Remove a detached data volume: its file on its pool through the hypervisor (`drivers`, a
    lifecycle.Drivers, needed once the volume is on a pool; see `disk_files`), then its row, freeing
    its pool space; limits are refunded and VOLUME.DELETE recorded. Raises ResourceInUse while it is
    attached, InvalidParameter for a ROOT volume; when the hypervisor fails the volume stays Ready and
    deleteVolume can be repeated."""
    if volume.volume_type != VolumeType.DATADISK.value:
        raise InvalidParameter("id", f"volume {volume.name} is a ROOT volume; it goes with its VM")
    if volume.vm_id is not None:
        raise ResourceInUse(f"id: volume {volume.name} is attached to a VM; detach it first")
    delete_disk_file(session, drivers, volume)
    from cirrostack.services.volumes.upload import delete_store_copy  # upload imports this module's siblings

    delete_store_copy(session, volume)
    volume.state = VolumeState.EXPUNGED.value
    volume.mark_removed()
    session.flush()
    refund_deleted(session, volume)
    events.record(session, caller, "VOLUME.DELETE", f"Deleted volume {volume.name}", account_id=volume.account_id,
                  domain_id=volume.domain_id, resource_type="Volume", resource_uuid=volume.uuid)

"""createVolume with `snapshotid`: a new data volume made from a volume snapshot.

The request step records the volume (Allocated, on the snapshot's pool, counted against the owner's
`volume` and `primary_storage` limits, VOLUME.CREATE metered); the job has the hypervisor make its file
from the snapshot and the volume becomes Ready. When the hypervisor fails the volume is removed again
and its counts given back, so nothing half-made stays.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cirrostack.db.models.accounts import Account
from cirrostack.db.models.compute import Volume, VolumeState, VolumeType
from cirrostack.db.models.snapshots import Snapshot, SnapshotState
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.services import events
from cirrostack.services.context import Caller
from cirrostack.services.snapshots._targets import host_for_snapshot, require_volume_snapshots, snapshot_ref
from cirrostack.services.vms.lifecycle import Drivers
from cirrostack.services.volumes._metering import charge_new, charge_resized, record_created, refund_deleted
from cirrostack.services.volumes.vm_volumes import disk_spec


def allocate_volume(session: Session, caller: Caller, drivers: Drivers, snapshot: Snapshot, *, name: str,
                    owner: Account | None = None) -> Volume:
    """Record the new volume for `owner` (default: the snapshot's owner). Raises InvalidState unless the
    snapshot is BackedUp, UnsupportedOperation (432) when its hypervisor does not declare `volume_snapshots`,
    InvalidParameter for an owner other than the snapshot's, ResourceLimitExceeded."""
    if snapshot.state != SnapshotState.BACKED_UP.value:
        raise InvalidState(f"snapshotid: snapshot {snapshot.name} is {snapshot.state}; a volume can only be made "
                           "from a BackedUp snapshot")
    require_volume_snapshots(drivers.registry, snapshot.hypervisor_type, f"no volume can be made from snapshot "
                                                                         f"{snapshot.name} on this hypervisor")
    if owner is not None and owner.id != snapshot.account_id:
        raise InvalidParameter("account", f"snapshot {snapshot.name} belongs to another account than {owner.name}")
    source = session.get(Volume, snapshot.volume_id)
    charge_new(session, snapshot.account_id, snapshot.size_bytes)
    volume = Volume(name=name, account_id=snapshot.account_id, domain_id=snapshot.domain_id,
                    zone_id=snapshot.zone_id, volume_type=VolumeType.DATADISK.value, size_bytes=snapshot.size_bytes,
                    disk_offering_id=source.disk_offering_id if source is not None else None,
                    pool_id=snapshot.pool_id, state=VolumeState.ALLOCATED.value)
    session.add(volume)
    session.flush()
    volume.path = volume.uuid
    record_created(session, volume, offering_id=volume.disk_offering_id)
    events.record(session, caller, "VOLUME.CREATE", f"Creating volume {name} from snapshot {snapshot.name}",
                  account_id=volume.account_id, domain_id=volume.domain_id, resource_type="Volume",
                  resource_uuid=volume.uuid, state="Scheduled")
    return volume


def make_volume(session: Session, caller: Caller, drivers: Drivers, volume: Volume, snapshot: Snapshot) -> Volume:
    """Have the hypervisor make `volume`'s file from `snapshot`; the volume becomes Ready with the size
    the hypervisor reports. On failure the volume is removed (counts refunded, VOLUME.DELETE) and the
    error raised."""
    session.commit()
    try:
        driver, ref = drivers.for_host(host_for_snapshot(session, snapshot))
        size = driver.create_volume_from_snapshot(ref, snapshot_ref(session, snapshot, drivers.secrets),
                                                  disk_spec(session, volume, drivers.secrets))
    except Exception as error:
        session.rollback()
        volume.state = VolumeState.EXPUNGED.value
        volume.mark_removed()
        refund_deleted(session, volume)
        events.record(session, caller, "VOLUME.CREATE", f"Failed to create volume {volume.name} from snapshot "
                                                        f"{snapshot.name}: {error}", level="ERROR",
                      account_id=volume.account_id, domain_id=volume.domain_id, resource_type="Volume",
                      resource_uuid=volume.uuid)
        session.commit()
        raise
    volume.state = VolumeState.READY.value
    if size > volume.size_bytes:
        old_size, volume.size_bytes = volume.size_bytes, size
        charge_resized(session, volume, old_size, offering_id=volume.disk_offering_id)
    events.record(session, caller, "VOLUME.CREATE", f"Created volume {volume.name} from snapshot {snapshot.name}",
                  account_id=volume.account_id, domain_id=volume.domain_id, resource_type="Volume",
                  resource_uuid=volume.uuid)
    return volume

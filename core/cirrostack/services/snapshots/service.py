"""createSnapshot, deleteSnapshot, revertSnapshot and listSnapshots.

Every request is checked (the volume's state and VM, the hypervisor's `volume_snapshots`, the owner's
`snapshot` limit) before any host is asked, and a refused one records nothing. The row is committed in
state Creating before the hypervisor copies the disk, so a failed copy leaves a visible Error snapshot
(its limit count given back) rather than nothing, and no transaction stays open while the host works.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.accounts import Domain
from cirrostack.db.models.compute import VirtualMachine, VMState, Volume, VolumeState
from cirrostack.db.models.snapshots import IntervalType, Snapshot, SnapshotPolicy, SnapshotState, SnapshotType
from cirrostack.db.paging import fetch_page
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter, InvalidState, UnsupportedOperation
from cirrostack.hookspecs.hypervisor_volume_snapshots import VolumeSnapshotRequest
from cirrostack.plugins import PluginRegistry
from cirrostack.services import events, scope
from cirrostack.services.context import Caller
from cirrostack.services.snapshots import _metering
from cirrostack.services.snapshots._targets import (
    host_for_snapshot,
    host_for_volume,
    require_volume_snapshots,
    snapshot_ref,
    volume_hypervisor,
)
from cirrostack.services.vms.lifecycle import Drivers
from cirrostack.services.vms.spec import vm_ref
from cirrostack.services.volumes._metering import charge_resized
from cirrostack.services.volumes.vm_volumes import disk_spec

_VM_STATES_FOR_SNAPSHOT = (VMState.RUNNING.value, VMState.STOPPED.value)
RECURRING = "RECURRING"  # listSnapshots' snapshottype for every snapshot a policy took

scope.register_entity("Snapshot", Snapshot, scope.account_owned(Snapshot.account_id))


def snapshot_name(vm: VirtualMachine | None, volume: Volume, at: datetime) -> str:
    """CloudStack's name of a volume snapshot: "<vm>_<volume>_<yyyyMMddHHmmss>" ("detached_..." without a VM)."""
    owner = (vm.display_name or vm.name) if vm is not None else "detached"
    return f"{owner}_{volume.name}_{at:%Y%m%d%H%M%S}"


def allocate(session: Session, caller: Caller | None, registry: PluginRegistry, volume: Volume, *,
             policy: SnapshotPolicy | None = None, quiesce: bool = False, at: datetime | None = None) -> Snapshot:
    """Check the request and record a snapshot of `volume` in state Creating (createSnapshot's first step).

    Raises UnsupportedOperation (432) when the volume's hypervisor does not declare `volume_snapshots`
    or `quiesce` is asked for, InvalidState naming the volume's or its VM's state, ResourceLimitExceeded
    (532) past the owner's snapshot limit. Nothing is recorded when it raises."""
    hypervisor_type = volume_hypervisor(session, volume)
    require_volume_snapshots(registry, hypervisor_type, f"volume {volume.name} cannot have snapshots on this "
                                                        "hypervisor")
    if quiesce:
        raise UnsupportedOperation(f"hypervisor {hypervisor_type}", "quiescevm",
                                   "no driver quiesces a guest for a volume snapshot; leave quiescevm out")
    if volume.removed is not None or volume.state != VolumeState.READY.value:
        raise InvalidState(f"volumeid: volume {volume.name} is {volume.state}; only a Ready volume can be "
                           "snapshotted")
    vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id is not None else None
    if vm is not None and vm.state not in _VM_STATES_FOR_SNAPSHOT:
        raise InvalidState(f"volumeid: VM {vm.name} of volume {volume.name} is {vm.state}; it must be Running or "
                           "Stopped")
    _metering.charge(session, volume.account_id)
    interval = IntervalType(policy.interval_type) if policy is not None else None
    snapshot = Snapshot(name=snapshot_name(vm, volume, at or utcnow()), volume_id=volume.id,
                        account_id=volume.account_id, domain_id=volume.domain_id, zone_id=volume.zone_id,
                        state=SnapshotState.CREATING.value,
                        snapshot_type=SnapshotType(interval.value).value if interval else SnapshotType.MANUAL.value,
                        interval_type=interval.value if interval else None,
                        policy_id=policy.id if policy is not None else None, hypervisor_type=hypervisor_type,
                        size_bytes=volume.size_bytes, pool_id=volume.pool_id)
    session.add(snapshot)
    session.flush()
    events.record(session, caller, "SNAPSHOT.CREATE", f"creating snapshot {snapshot.name} of volume {volume.name}",
                  account_id=volume.account_id, domain_id=volume.domain_id, resource_type="Snapshot",
                  resource_uuid=snapshot.uuid, state="Scheduled")
    return snapshot


def take(session: Session, caller: Caller | None, drivers: Drivers, snapshot: Snapshot) -> Snapshot:
    """Have the hypervisor copy the volume into `snapshot`, which becomes BackedUp (SNAPSHOT.CREATE
    metered with the copy's size). On failure the snapshot is left in state Error, its limit count given
    back, and the error raised."""
    if snapshot.state != SnapshotState.CREATING.value:
        raise InvalidState(f"snapshot {snapshot.name} is {snapshot.state}; only a Creating one can be taken")
    volume = session.get(Volume, snapshot.volume_id)
    vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id is not None else None
    session.commit()
    try:
        host = host_for_volume(session, volume)
        driver, ref = drivers.for_host(host)
        request = VolumeSnapshotRequest(name=snapshot.uuid, vm=vm_ref(vm) if vm is not None else None)
        info = driver.take_volume_snapshot(ref, disk_spec(session, volume, drivers.secrets), request)
    except Exception as error:
        session.rollback()
        snapshot.state = SnapshotState.ERROR.value
        _metering.refund(session, snapshot)
        events.record(session, caller, "SNAPSHOT.CREATE", f"Failed to create snapshot {snapshot.name} of volume "
                                                          f"{volume.name}: {error}", level="ERROR",
                      account_id=snapshot.account_id, domain_id=snapshot.domain_id, resource_type="Snapshot",
                      resource_uuid=snapshot.uuid)
        session.commit()
        raise
    snapshot.path = info.path
    snapshot.size_bytes = info.size_bytes
    snapshot.physical_size_bytes = info.physical_size_bytes
    snapshot.state = SnapshotState.BACKED_UP.value
    session.flush()
    _metering.record_created(session, snapshot, volume)
    events.record(session, caller, "SNAPSHOT.CREATE", f"Created snapshot {snapshot.name} of volume {volume.name} "
                                                      f"on host {host.name}", account_id=snapshot.account_id,
                  domain_id=snapshot.domain_id, resource_type="Snapshot", resource_uuid=snapshot.uuid)
    return snapshot


def delete(session: Session, caller: Caller | None, drivers: Drivers, snapshot: Snapshot) -> None:
    """Remove `snapshot`: its copy through the hypervisor (a BackedUp one), then its row; the limit count
    is given back and SNAPSHOT.DELETE recorded. A failed (Error) snapshot is removed without a host call.
    Raises InvalidState while it is being taken; when the host fails the snapshot stays as it was."""
    if snapshot.state == SnapshotState.CREATING.value:
        raise InvalidState(f"id: snapshot {snapshot.name} is still being taken (Creating); delete it afterwards")
    if snapshot.state == SnapshotState.BACKED_UP.value:
        require_volume_snapshots(drivers.registry, snapshot.hypervisor_type, f"snapshot {snapshot.name} cannot "
                                                                             "be deleted on this hypervisor")
        driver, ref = drivers.for_host(host_for_snapshot(session, snapshot))
        driver.delete_volume_snapshot(ref, snapshot_ref(session, snapshot, drivers.secrets))
        _metering.refund(session, snapshot)
        _metering.record_deleted(session, snapshot)
    snapshot.state = SnapshotState.DESTROYED.value
    snapshot.mark_removed()
    session.flush()
    events.record(session, caller, "SNAPSHOT.DELETE", f"Deleted snapshot {snapshot.name}",
                  account_id=snapshot.account_id, domain_id=snapshot.domain_id, resource_type="Snapshot",
                  resource_uuid=snapshot.uuid)


def revert(session: Session, caller: Caller | None, drivers: Drivers, snapshot: Snapshot) -> Snapshot:
    """Return the snapshot's volume to the snapshot's content (revertSnapshot). The volume must still
    exist and its VM, if any, be Stopped. Its size becomes the snapshot's. Raises InvalidState naming
    what is in the way, UnsupportedOperation when the hypervisor does not declare `volume_snapshots`."""
    if snapshot.state != SnapshotState.BACKED_UP.value:
        raise InvalidState(f"id: snapshot {snapshot.name} is {snapshot.state}; only a BackedUp one can be reverted to")
    volume = session.get(Volume, snapshot.volume_id)
    if volume.removed is not None or volume.state != VolumeState.READY.value:
        raise InvalidState(f"id: volume {volume.name} of snapshot {snapshot.name} is {volume.state}; a snapshot can "
                           "only revert a Ready volume")
    require_volume_snapshots(drivers.registry, snapshot.hypervisor_type, f"volume {volume.name} cannot be "
                                                                         "reverted on this hypervisor")
    vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id is not None else None
    if vm is not None and vm.state != VMState.STOPPED.value:
        raise InvalidState(f"id: VM {vm.name} of volume {volume.name} is {vm.state}; stop it before reverting the "
                           f"volume to snapshot {snapshot.name}")
    driver, ref = drivers.for_host(host_for_volume(session, volume))
    driver.revert_volume_snapshot(ref, disk_spec(session, volume, drivers.secrets),
                                  snapshot_ref(session, snapshot, drivers.secrets))
    if volume.size_bytes != snapshot.size_bytes:
        old_size, volume.size_bytes = volume.size_bytes, snapshot.size_bytes
        charge_resized(session, volume, old_size, offering_id=volume.disk_offering_id)
    events.record(session, caller, "SNAPSHOT.REVERT", f"Reverted volume {volume.name} to snapshot {snapshot.name}",
                  account_id=snapshot.account_id, domain_id=snapshot.domain_id, resource_type="Snapshot",
                  resource_uuid=snapshot.uuid)
    return snapshot


def list_snapshots(session: Session, caller: Caller, *, snapshot: Snapshot | None = None,
                   volume: Volume | None = None, name: str | None = None, snapshot_type: str | None = None,
                   interval_type: str | None = None, keyword: str | None = None, account: str | None = None,
                   domain: Domain | None = None, isrecursive: bool = False, listall: bool = False,
                   page: int = 1, pagesize: int | None = None) -> tuple[list[Snapshot], int]:
    """The live snapshots the caller may see, newest first, filtered as listSnapshots' parameters say."""
    owners = scope.list_scope(session, caller, account=account, domain=domain, isrecursive=isrecursive,
                              listall=listall, by_id=snapshot is not None or volume is not None)
    statement = owners.apply(scope.visible(caller, "Snapshot"), Snapshot.account_id).where(Snapshot.removed.is_(None))
    if snapshot is not None:
        statement = statement.where(Snapshot.id == snapshot.id)
    if volume is not None:
        statement = statement.where(Snapshot.volume_id == volume.id)
    if name is not None:
        statement = statement.where(Snapshot.name == name)
    if snapshot_type is not None:
        wanted = _known("snapshottype", snapshot_type, [*(t.value for t in SnapshotType), RECURRING])
        statement = statement.where(Snapshot.snapshot_type != SnapshotType.MANUAL.value if wanted == RECURRING
                                    else Snapshot.snapshot_type == wanted)
    if interval_type is not None:
        statement = statement.where(func.upper(Snapshot.interval_type) == _known(
            "intervaltype", interval_type, [t.value for t in IntervalType]))
    if keyword:
        statement = statement.where(Snapshot.name.like(f"%{keyword}%"))
    return fetch_page(session, statement.order_by(Snapshot.id.desc()), page, pagesize)


def live_snapshots_of_policy(session: Session, policy: SnapshotPolicy) -> list[Snapshot]:
    """The policy's snapshots that still exist (BackedUp), oldest first."""
    return list(session.scalars(select(Snapshot).where(
        Snapshot.policy_id == policy.id, Snapshot.removed.is_(None),
        Snapshot.state == SnapshotState.BACKED_UP.value).order_by(Snapshot.created, Snapshot.id)))


def _known(param: str, value: str, accepted: list[str]) -> str:
    if value.upper() not in accepted:
        raise InvalidParameter(param, f"{value!r} is not one of {', '.join(accepted)}")
    return value.upper()

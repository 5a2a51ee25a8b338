"""createSnapshotPolicy, listSnapshotPolicies and deleteSnapshotPolicies.

A volume has at most one policy per interval type: creating another of the same interval changes that
one (as CloudStack does). `maxsnaps` may not pass the snapshot.max.<interval> setting. A policy is only
accepted for a volume whose hypervisor declares `volume_snapshots` (432 otherwise, nothing recorded).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import Volume, VolumeState
from cirrostack.db.models.snapshots import SnapshotPolicy
from cirrostack.db.paging import fetch_page
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.plugins import PluginRegistry
from cirrostack.services import events, scope, settings
from cirrostack.services.context import Caller
from cirrostack.services.snapshots._targets import require_volume_snapshots, volume_hypervisor
from cirrostack.services.snapshots.schedule import interval_type, next_run, parse_schedule, time_zone

scope.register_entity("SnapshotPolicy", SnapshotPolicy, scope.account_owned(SnapshotPolicy.account_id))


def create_policy(session: Session, caller: Caller, registry: PluginRegistry, volume: Volume, *, intervaltype: str,
                  schedule: str, timezone: str, maxsnaps: int) -> SnapshotPolicy:
    """Create (or, for an interval the volume already has, change) the volume's snapshot policy; its first
    snapshot is due at the schedule's next moment. Raises UnsupportedOperation (432), InvalidParameter
    naming the parameter, InvalidState for a volume that is not Ready."""
    hypervisor_type = volume_hypervisor(session, volume)
    require_volume_snapshots(registry, hypervisor_type, f"volume {volume.name} cannot have snapshot policies on this "
                                                        "hypervisor")
    if volume.removed is not None or volume.state != VolumeState.READY.value:
        raise InvalidState(f"volumeid: volume {volume.name} is {volume.state}; policies are for Ready volumes")
    interval = interval_type(intervaltype)
    parsed = parse_schedule(interval, schedule)
    zone = time_zone(timezone)
    most = int(settings.value(session, f"snapshot.max.{interval.value.lower()}"))
    if not 1 <= maxsnaps <= most:
        raise InvalidParameter("maxsnaps", f"{maxsnaps} is out of range: a {interval.value} policy keeps 1 to {most} "
                                           f"snapshots (setting snapshot.max.{interval.value.lower()})")
    policy = session.scalars(select(SnapshotPolicy).where(
        SnapshotPolicy.volume_id == volume.id, SnapshotPolicy.interval_type == interval.value,
        SnapshotPolicy.removed.is_(None))).first()
    if policy is None:
        policy = SnapshotPolicy(volume_id=volume.id, account_id=volume.account_id, interval_type=interval.value)
        session.add(policy)
    policy.schedule, policy.timezone, policy.max_snaps = schedule.strip(), zone.key, maxsnaps
    policy.next_run = next_run(parsed, zone, utcnow())
    session.flush()
    events.record(session, caller, "SNAPSHOTPOLICY.CREATE", f"Snapshot policy {interval.value} {policy.schedule} "
                                                            f"({zone.key}, keep {maxsnaps}) for volume {volume.name}",
                  account_id=volume.account_id, domain_id=volume.domain_id, resource_type="SnapshotPolicy",
                  resource_uuid=policy.uuid)
    return policy


def list_policies(session: Session, caller: Caller, volume: Volume, *, page: int = 1,
                  pagesize: int | None = None) -> tuple[list[SnapshotPolicy], int]:
    """The live policies of `volume` (which the caller may see), hourly to monthly."""
    statement = scope.visible(caller, "SnapshotPolicy").where(SnapshotPolicy.volume_id == volume.id,
                                                               SnapshotPolicy.removed.is_(None))
    return fetch_page(session, statement.order_by(SnapshotPolicy.id), page, pagesize)


def delete_policies(session: Session, caller: Caller, policies: list[SnapshotPolicy]) -> None:
    """Remove the policies; snapshots they took stay. Raises InvalidParameter when none is given."""
    if not policies:
        raise InvalidParameter("ids", "give id or ids of the snapshot policies to delete")
    for policy in policies:
        if policy.removed is not None:
            raise InvalidParameter("id", f"snapshot policy {policy.uuid} was already deleted")
        policy.mark_removed()
        volume = session.get(Volume, policy.volume_id)
        events.record(session, caller, "SNAPSHOTPOLICY.DELETE", f"Deleted snapshot policy {policy.interval_type} of "
                                                                f"volume {volume.name}", account_id=volume.account_id,
                      domain_id=volume.domain_id, resource_type="SnapshotPolicy", resource_uuid=policy.uuid)
    session.flush()

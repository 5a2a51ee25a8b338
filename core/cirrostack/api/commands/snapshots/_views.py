"""How volume snapshots and snapshot policies look on the API (CloudStack 4.3's SnapshotResponse and
SnapshotPolicyResponse)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, Domain, Volume, Zone
from cirrostack.db.models.snapshots import IntervalType, Snapshot, SnapshotPolicy, SnapshotState
from cirrostack.db.timestamps import to_api
from cirrostack.plugins import PluginRegistry

SNAPSHOT_RESPONSE = Response("snapshot", (
    Field("id", "string", "ID of the snapshot"),
    Field("account", "string", "the account associated with the snapshot"),
    Field("created", "date", "the date the snapshot was created"),
    Field("domain", "string", "the domain name of the snapshot's account"),
    Field("domainid", "string", "the domain ID of the snapshot's account"),
    Field("intervaltype", "string", "valid types are hourly, daily, weekly, monthy, template, and none."),
    Field("name", "string", "name of the snapshot (<vm>_<volume>_<yyyyMMddHHmmss>)"),
    Field("project", "string", "the project name of the snapshot"),
    Field("projectid", "string", "the project id of the snapshot"),
    Field("revertable", "boolean", "indicates whether the underlying storage supports reverting the volume to "
                                   "this snapshot"),
    Field("snapshottype", "string", "the type of the snapshot: MANUAL, HOURLY, DAILY, WEEKLY or MONTHLY"),
    Field("state", "string", "the state of the snapshot. BackedUp means that snapshot is ready to be used; "
                             "Creating - the snapshot is being taken; Error - taking it failed"),
    Field("volumeid", "string", "ID of the disk volume"),
    Field("volumename", "string", "name of the disk volume"),
    Field("volumetype", "string", "type of the disk volume"),
    Field("zoneid", "string", "id of the availability zone"),
    Field("physicalsize", "long", "the space the snapshot's copy takes on its storage, in bytes"),
    Field("tags", "list", "the list of resource tags associated with snapshot"),
), instance_type="Snapshot")

SNAPSHOT_POLICY_RESPONSE = Response("snapshotpolicy", (
    Field("id", "string", "the ID of the snapshot policy"),
    Field("intervaltype", "short", "the interval type of the snapshot policy: 0 hourly, 1 daily, 2 weekly, "
                                   "3 monthly"),
    Field("maxsnaps", "int", "maximum number of snapshots retained"),
    Field("schedule", "string", "time the snapshot is scheduled to be taken."),
    Field("timezone", "string", "the time zone of the snapshot policy"),
    Field("volumeid", "string", "the ID of the disk volume"),
), instance_type="SnapshotPolicy")


def snapshot_view(session: Session, registry: PluginRegistry, snapshot: Snapshot) -> dict[str, Any]:
    """The API object of `snapshot` (its volume may be deleted: snapshots outlive their volumes)."""
    volume = session.get(Volume, snapshot.volume_id)
    account = session.get(Account, snapshot.account_id)
    domain = session.get(Domain, snapshot.domain_id)
    zone = session.get(Zone, snapshot.zone_id)
    revertable = (snapshot.state == SnapshotState.BACKED_UP.value and volume.removed is None
                  and registry.hypervisor_class(snapshot.hypervisor_type).capabilities.volume_snapshots)
    view: dict[str, Any] = {
        "id": snapshot.uuid, "account": account.name, "created": to_api(snapshot.created), "domain": domain.name,
        "domainid": domain.uuid, "intervaltype": snapshot.interval_type, "name": snapshot.name,
        "revertable": revertable, "snapshottype": snapshot.snapshot_type, "state": snapshot.state,
        "volumeid": volume.uuid, "volumename": volume.name, "volumetype": volume.volume_type,
        "zoneid": zone.uuid, "physicalsize": snapshot.physical_size_bytes, "tags": [],
    }
    return {key: value for key, value in view.items() if value is not None}


def policy_view(session: Session, policy: SnapshotPolicy) -> dict[str, Any]:
    """The API object of `policy`."""
    volume = session.get(Volume, policy.volume_id)
    return {"id": policy.uuid, "intervaltype": IntervalType(policy.interval_type).number,
            "maxsnaps": policy.max_snaps, "schedule": policy.schedule, "timezone": policy.timezone,
            "volumeid": volume.uuid}

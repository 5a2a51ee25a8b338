"""createSnapshot (async create), listSnapshots and deleteSnapshot (async)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.snapshots._views import SNAPSHOT_RESPONSE, snapshot_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain, Volume
from cirrostack.db.models.snapshots import Snapshot, SnapshotPolicy
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.snapshots import service
from cirrostack.services.vms.lifecycle import Drivers

_PACKAGE = "org.apache.cloudstack.api.command.user.snapshot."
RELATED = ("createSnapshot", "listSnapshots", "deleteSnapshot", "revertSnapshot", "createVolume")

CREATE_SNAPSHOT = Command(
    "createSnapshot", "Creates an instant snapshot of a volume.", response=SNAPSHOT_RESPONSE, is_async=True,
    creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "CreateSnapshotCmd", related=RELATED[1:],
    params=(Param("volumeid", Uuid("Volume"), "The ID of the disk volume", required=True),
            Param("account", String(), "The account of the snapshot. The account parameter must be used with the "
                                       "domainId parameter."),
            Param("domainid", Uuid("Domain"), "The domain ID of the snapshot. If used with the account parameter, "
                                              "specifies a domain for the account associated with the disk volume."),
            Param("policyid", Uuid("SnapshotPolicy"), "policy id of the snapshot, if this is null, then use "
                                                      "MANUAL_POLICY."),
            Param("quiescevm", Boolean(), "quiesce vm if true (refused: no hypervisor here quiesces a guest for a "
                                          "volume snapshot)")))

LIST_SNAPSHOTS = Command(
    "listSnapshots", "Lists all available snapshots for the account.", kind=CommandKind.LIST,
    response=SNAPSHOT_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "ListSnapshotsCmd", related=RELATED,
    params=(Param("id", Uuid("Snapshot"), "lists snapshot by snapshot ID"),
            Param("volumeid", Uuid("Volume"), "the ID of the disk volume"),
            Param("name", String(), "lists snapshot by snapshot name"),
            Param("snapshottype", String(), "valid values are MANUAL or RECURRING (any policy's), or one interval: "
                                            "HOURLY, DAILY, WEEKLY, MONTHLY."),
            Param("intervaltype", String(), "valid values are HOURLY, DAILY, WEEKLY, and MONTHLY."),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))

DELETE_SNAPSHOT = Command(
    "deleteSnapshot", "Deletes a snapshot of a disk volume.", kind=CommandKind.SUCCESS, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "DeleteSnapshotCmd",
    params=(Param("id", Uuid("Snapshot"), "The ID of the snapshot", required=True),))


@CREATE_SNAPSHOT.prepare
def prepare_snapshot(call: Call, volumeid: Volume, account: str | None = None, domainid: Domain | None = None,
                     policyid: SnapshotPolicy | None = None, quiescevm: bool = False) -> str:
    if account is not None:
        owner = scope.find_account(call.session, call.caller, account, domainid)
        if owner.id != volumeid.account_id:
            raise InvalidParameter("account", f"volume {volumeid.name} does not belong to account {owner.name}")
    if policyid is not None and policyid.volume_id != volumeid.id:
        raise InvalidParameter("policyid", f"snapshot policy {policyid.uuid} is not a policy of volume "
                                           f"{volumeid.name}")
    snapshot = service.allocate(call.session, call.caller, call.registry, volumeid, policy=policyid,
                                quiesce=quiescevm)
    return snapshot.uuid


@CREATE_SNAPSHOT.handler
def create_snapshot(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    snapshot = call.session.scalars(select(Snapshot).where(Snapshot.uuid == id)).one()
    service.take(call.session, call.caller, Drivers(call.registry, call.secrets), snapshot)
    return snapshot_view(call.session, call.registry, snapshot)


@LIST_SNAPSHOTS.handler
def list_snapshots(call: Call, id: Snapshot | None = None, volumeid: Volume | None = None, name: str | None = None,
                   snapshottype: str | None = None, intervaltype: str | None = None, keyword: str | None = None,
                   account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                   listall: bool = False, **_ignored: Any) -> ListResult:
    rows, count = service.list_snapshots(
        call.session, call.caller, snapshot=id, volume=volumeid, name=name, snapshot_type=snapshottype,
        interval_type=intervaltype, keyword=keyword, account=account, domain=domainid, isrecursive=isrecursive,
        listall=listall, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([snapshot_view(call.session, call.registry, row) for row in rows], count)


@DELETE_SNAPSHOT.handler
def delete_snapshot(call: Call, id: Snapshot) -> None:
    service.delete(call.session, call.caller, Drivers(call.registry, call.secrets), id)

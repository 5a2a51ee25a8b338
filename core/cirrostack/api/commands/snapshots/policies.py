"""createSnapshotPolicy, listSnapshotPolicies and deleteSnapshotPolicies (all synchronous in 4.3).
updateSnapshotPolicy came with 4.4; here createSnapshotPolicy for an interval a volume has changes it."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.snapshots._views import SNAPSHOT_POLICY_RESPONSE, policy_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Integer, ListOf, String, Uuid
from cirrostack.db.models import Volume
from cirrostack.db.models.snapshots import SnapshotPolicy
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.snapshots import policies

_PACKAGE = "org.apache.cloudstack.api.command.user.snapshot."
RELATED = ("createSnapshotPolicy", "listSnapshotPolicies", "deleteSnapshotPolicies", "createSnapshot")

CREATE_SNAPSHOT_POLICY = Command(
    "createSnapshotPolicy", "Creates a snapshot policy for the account.", response=SNAPSHOT_POLICY_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "CreateSnapshotPolicyCmd", related=RELATED[1:],
    params=(Param("intervaltype", String(), "valid values are HOURLY, DAILY, WEEKLY, and MONTHLY", required=True),
            Param("maxsnaps", Integer(), "maximum number of snapshots to retain", required=True),
            Param("schedule", String(), "time the snapshot is scheduled to be taken. Format is: if HOURLY, MM; if "
                                        "DAILY, MM:HH; if WEEKLY, MM:HH:DD (1-7); if MONTHLY, MM:HH:DD (1-28)",
                  required=True),
            Param("timezone", String(), "Specifies a timezone for this command (an IANA name such as UTC or "
                                        "Europe/Berlin).", required=True),
            Param("volumeid", Uuid("Volume"), "the ID of the disk volume", required=True)))

LIST_SNAPSHOT_POLICIES = Command(
    "listSnapshotPolicies", "Lists snapshot policies.", kind=CommandKind.LIST, response=SNAPSHOT_POLICY_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListSnapshotPoliciesCmd", related=RELATED,
    params=(Param("volumeid", Uuid("Volume"), "the ID of the disk volume", required=True), *LIST_PARAMS))

DELETE_SNAPSHOT_POLICIES = Command(
    "deleteSnapshotPolicies", "Deletes snapshot policies for the account.", kind=CommandKind.SUCCESS,
    roles=ANY_ROLE, java_class=_PACKAGE + "DeleteSnapshotPoliciesCmd",
    params=(Param("id", Uuid("SnapshotPolicy"), "the Id of the snapshot policy"),
            Param("ids", ListOf(Uuid("SnapshotPolicy")), "list of snapshots policy IDs separated by comma")))


@CREATE_SNAPSHOT_POLICY.handler
def create_snapshot_policy(call: Call, volumeid: Volume, intervaltype: str, schedule: str, timezone: str,
                           maxsnaps: int) -> dict[str, Any]:
    policy = policies.create_policy(call.session, call.caller, call.registry, volumeid, intervaltype=intervaltype,
                                    schedule=schedule, timezone=timezone, maxsnaps=maxsnaps)
    return policy_view(call.session, policy)


@LIST_SNAPSHOT_POLICIES.handler
def list_snapshot_policies(call: Call, volumeid: Volume, **_ignored: Any) -> ListResult:
    rows, count = policies.list_policies(call.session, call.caller, volumeid, page=call.paging.page,
                                         pagesize=call.paging.pagesize)
    return ListResult([policy_view(call.session, row) for row in rows], count)


@DELETE_SNAPSHOT_POLICIES.handler
def delete_snapshot_policies(call: Call, id: SnapshotPolicy | None = None,
                             ids: list[SnapshotPolicy] | None = None) -> None:
    policies.delete_policies(call.session, call.caller, ([id] if id is not None else []) + list(ids or []))

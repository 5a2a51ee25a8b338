"""revertSnapshot (async): the volume returns to the snapshot; the job result is the snapshot, as in 4.3."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.snapshots._views import SNAPSHOT_RESPONSE, snapshot_view
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models.snapshots import Snapshot
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.snapshots import service
from cirrostack.services.vms.lifecycle import Drivers

REVERT_SNAPSHOT = Command(
    "revertSnapshot", "revert a volume snapshot.", response=SNAPSHOT_RESPONSE, is_async=True, roles=ANY_ROLE,
    since="4.2.0", java_class="org.apache.cloudstack.api.command.user.snapshot.RevertSnapshotCmd",
    related=("createSnapshot", "listSnapshots"),
    params=(Param("id", Uuid("Snapshot"), "The ID of the snapshot", required=True),))


@REVERT_SNAPSHOT.handler
def revert_snapshot(call: Call, id: Snapshot) -> dict[str, Any]:
    service.revert(call.session, call.caller, Drivers(call.registry, call.secrets), id)
    return snapshot_view(call.session, call.registry, id)

"""revertToVMSnapshot (async): the job result is the VM, as CloudStack 4.3 replies."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models.vm_snapshots import VMSnapshot
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vm_snapshots import service

REVERT_TO_VM_SNAPSHOT = Command(
    "revertToVMSnapshot", "Revert VM from a vmsnapshot.", response=VM_RESPONSE, is_async=True, roles=ANY_ROLE,
    since="4.2.0", java_class="org.apache.cloudstack.api.command.user.vmsnapshot.RevertToVMSnapshotCmd",
    related=("createVMSnapshot", "listVMSnapshot"),
    params=(Param("vmsnapshotid", Uuid("VMSnapshot"), "The ID of the vm snapshot", required=True),))


@REVERT_TO_VM_SNAPSHOT.handler
def revert_to_vm_snapshot(call: Call, vmsnapshotid: VMSnapshot) -> dict[str, Any]:
    vm = service.revert(call.session, call.caller, call.registry, call.secrets, vmsnapshotid)
    return vm_response(call.session, vm, call.caller)

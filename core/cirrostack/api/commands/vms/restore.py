"""restoreVirtualMachine (async): a fresh ROOT volume from the VM's template or another one."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.templates import Template
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vms import lifecycle, restore

RESTORE_VM = Command(
    "restoreVirtualMachine", "Restore a VM to original template/ISO or new template/ISO", response=VM_RESPONSE,
    is_async=True, roles=ANY_ROLE, since="3.0.0", response_name="restorevmresponse",
    java_class="org.apache.cloudstack.api.command.user.vm.RestoreVMCmd", related=("listVirtualMachines",),
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "Virtual Machine ID", required=True),
            Param("templateid", Uuid("Template"), "an optional template Id to restore vm from the new template")))


@RESTORE_VM.handler
def restore_vm(call: Call, virtualmachineid: VirtualMachine, templateid: Template | None = None) -> dict[str, Any]:
    vm = restore.restore(call.session, call.caller, virtualmachineid, lifecycle.Drivers(call.registry, call.secrets),
                         templateid)
    return vm_response(call.session, vm, call.caller)

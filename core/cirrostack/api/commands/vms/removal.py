"""destroyVirtualMachine, recoverVirtualMachine and expungeVirtualMachine."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.commands.vms.deploy import RELATED
from cirrostack.api.commands.vms.power import drivers
from cirrostack.api.declaration import Call, Command, CommandKind, Param
from cirrostack.api.params import Boolean, Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.services.context import ADMINS, ANY_ROLE
from cirrostack.services.vms import lifecycle

_PACKAGE = "org.apache.cloudstack.api.command."

DESTROY_VM = Command(
    "destroyVirtualMachine", "Destroys a virtual machine. Once destroyed, only the administrator can recover it.",
    response=VM_RESPONSE, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "user.vm.DestroyVMCmd",
    related=RELATED,
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("expunge", Boolean(), "If true is passed, the vm is expunged immediately. False by default. "
                                        "Parameter can be passed to the call by ROOT/Domain admin only",
                  roles=ADMINS)))

RECOVER_VM = Command(
    "recoverVirtualMachine", "Recovers a virtual machine.", response=VM_RESPONSE, roles=ADMINS,
    java_class=_PACKAGE + "admin.vm.RecoverVMCmd", related=RELATED,
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),))

EXPUNGE_VM = Command(
    "expungeVirtualMachine", "Expunge a virtual machine. Once expunged, it cannot be recoverd.",
    kind=CommandKind.SUCCESS, is_async=True, roles=ADMINS, java_class=_PACKAGE + "admin.vm.ExpungeVMCmd",
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),))


@DESTROY_VM.handler
def destroy_vm(call: Call, id: VirtualMachine, expunge: bool = False) -> dict[str, Any]:
    vm = lifecycle.destroy(call.session, call.caller, id, drivers(call), expunge=expunge)
    return vm_response(call.session, vm, call.caller)


@RECOVER_VM.handler
def recover_vm(call: Call, id: VirtualMachine, **_flags: Any) -> dict[str, Any]:
    vm = lifecycle.recover(call.session, call.caller, id)
    return vm_response(call.session, vm, call.caller)


@EXPUNGE_VM.handler
def expunge_vm(call: Call, id: VirtualMachine) -> None:
    lifecycle.expunge(call.session, call.caller, id, drivers(call))

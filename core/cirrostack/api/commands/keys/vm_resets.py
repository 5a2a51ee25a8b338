"""resetSSHKeyForVirtualMachine and resetPasswordForVirtualMachine (async; the VM must be stopped)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import String, Uuid
from cirrostack.db.models import VirtualMachine
from cirrostack.services import vm_credentials

_PACKAGE = "org.apache.cloudstack.api.command.user.vm."

RESET_SSH_KEY = Command(
    "resetSSHKeyForVirtualMachine", "Resets the SSH Key for virtual machine. The virtual machine must be in a "
                                    "\"Stopped\" state.", response=VM_RESPONSE, is_async=True,
    response_name="resetSSHKeyforvirtualmachineresponse", java_class=_PACKAGE + "ResetVMSSHKeyCmd",
    related=("listSSHKeyPairs", "resetPasswordForVirtualMachine"),
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("keypair", String(), "name of the ssh key pair used to login to the virtual machine",
                  required=True)))

RESET_PASSWORD = Command(
    "resetPasswordForVirtualMachine", "Resets the password for virtual machine. The virtual machine must be in a "
                                      "\"Stopped\" state and the template must already support this feature for "
                                      "this command to take effect.", response=VM_RESPONSE, is_async=True,
    java_class=_PACKAGE + "ResetVMPasswordCmd", related=("resetSSHKeyForVirtualMachine",),
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),))


@RESET_SSH_KEY.handler
def reset_ssh_key(call: Call, id: VirtualMachine, keypair: str) -> dict[str, Any]:
    password = vm_credentials.reset_ssh_key(call.session, call.caller, id, keypair, call.secrets)
    return vm_response(call.session, id, call.caller, password=password)


@RESET_PASSWORD.handler
def reset_password(call: Call, id: VirtualMachine) -> dict[str, Any]:
    password = vm_credentials.reset_password(call.session, call.caller, id, call.secrets)
    return vm_response(call.session, id, call.caller, password=password)

"""startVirtualMachine, stopVirtualMachine and rebootVirtualMachine: async jobs calling the VM's hypervisor."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.commands.vms.deploy import RELATED
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Boolean, Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Host
from cirrostack.services.context import ANY_ROLE, ROOT_ADMIN
from cirrostack.services.vms import lifecycle

_PACKAGE = "org.apache.cloudstack.api.command.user.vm."

START_VM = Command(
    "startVirtualMachine", "Starts a virtual machine.", response=VM_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "StartVMCmd", related=RELATED,
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("hostid", Uuid("Host"), "destination Host ID to deploy the VM to - parameter available for root "
                                          "admin only", roles=ROOT_ADMIN)))

STOP_VM = Command(
    "stopVirtualMachine", "Stops a virtual machine.", response=VM_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "StopVMCmd", related=RELATED,
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("forced", Boolean(), "Force stop the VM (vm is marked as Stopped even when command fails to be "
                                       "send to the backend).  The caller knows the VM is stopped.")))

REBOOT_VM = Command(
    "rebootVirtualMachine", "Reboots a virtual machine.", response=VM_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "RebootVMCmd", related=RELATED,
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),))


def drivers(call: Call) -> lifecycle.Drivers:
    """The hypervisor access a VM job needs, from the call."""
    return lifecycle.Drivers(call.registry, call.secrets)


@START_VM.handler
def start_vm(call: Call, id: VirtualMachine, hostid: Host | None = None, **_flags: Any) -> dict[str, Any]:
    vm = lifecycle.start(call.session, call.caller, id, drivers(call), hostid)
    return vm_response(call.session, vm, call.caller)


@STOP_VM.handler
def stop_vm(call: Call, id: VirtualMachine, forced: bool = False) -> dict[str, Any]:
    vm = lifecycle.stop(call.session, call.caller, id, drivers(call), forced=forced)
    return vm_response(call.session, vm, call.caller)


@REBOOT_VM.handler
def reboot_vm(call: Call, id: VirtualMachine) -> dict[str, Any]:
    vm = lifecycle.reboot(call.session, call.caller, id, drivers(call))
    return vm_response(call.session, vm, call.caller)

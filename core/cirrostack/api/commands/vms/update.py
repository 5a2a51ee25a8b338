"""updateVirtualMachine (sync)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Boolean, Map, String, Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vms.update import update_vm

UPDATE_VM = Command(
    "updateVirtualMachine", "Updates properties of a virtual machine. The VM has to be stopped and restarted for the "
                            "new properties to take effect. UpdateVirtualMachine does not first check whether the VM "
                            "is stopped. Therefore, stop the VM manually before issuing this call.",
    response=VM_RESPONSE, roles=ANY_ROLE, java_class="org.apache.cloudstack.api.command.user.vm.UpdateVMCmd",
    related=("listVirtualMachines",),
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("displayname", String(), "user generated name"),
            Param("group", String(), "group of the virtual machine"),
            Param("haenable", Boolean(), "true if high-availability is enabled for the virtual machine, false "
                                         "otherwise"),
            Param("userdata", String(length=32768), "an optional binary data that can be sent to the virtual "
                                                    "machine upon a successful deployment. This binary data must be "
                                                    "base64 encoded before adding it to the request."),
            Param("displayvm", Boolean(), "an optional field, whether to the display the vm to the end user or not."),
            Param("details", Map(key_value=True), "Details in key/value pairs (details[0].key=k&details[0].value=v); "
                                                  "they replace the VM's details other than its size"),
            Param("ostypeid", Uuid("GuestOS"), "the ID of the OS type that best represents this VM; the VM must "
                                               "be stopped"),
            Param("isdynamicallyscalable", Boolean(), "true if VM contains XS/VMWare tools inorder to support "
                                                      "dynamic scaling of VM cpu/memory")))


@UPDATE_VM.handler
def update_virtual_machine(call: Call, id: VirtualMachine, **changes: Any) -> dict[str, Any]:
    vm = update_vm(call.session, call.caller, id, **changes)
    return vm_response(call.session, vm, call.caller)

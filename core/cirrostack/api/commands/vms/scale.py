"""changeServiceForVirtualMachine (sync, Stopped VM) and scaleVirtualMachine (async, live where declared)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.commands.vms.deploy import RELATED
from cirrostack.api.commands.vms.power import drivers
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Map, Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.services import vm_scaling
from cirrostack.services.context import ANY_ROLE

_PACKAGE = "org.apache.cloudstack.api.command.user.vm."
_DETAILS_DOC = ("name/value pairs of a custom offering's size: details[0].cpuNumber, details[0].cpuSpeed (MHz) and "
                "details[0].memory (MB)")

CHANGE_SERVICE = Command(
    "changeServiceForVirtualMachine", "Changes the service offering for a virtual machine. The virtual machine must "
    "be in a \"Stopped\" state for this command to take effect.", response=VM_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "UpgradeVMCmd", related=RELATED,
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("serviceofferingid", Uuid("ServiceOffering"), "the service offering ID to apply to the virtual "
                                                                "machine", required=True),
            Param("details", Map(), _DETAILS_DOC, since="4.3")))

SCALE_VM = Command(
    "scaleVirtualMachine", "Scales the virtual machine to a new service offering: a running one live where its "
    "hypervisor can (upwards only, zone setting enable.dynamic.scale.vm), a stopped one at once.",
    response=VM_RESPONSE, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "ScaleVMCmd", related=RELATED,
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("serviceofferingid", Uuid("ServiceOffering"), "the ID of the service offering for the virtual "
                                                                "machine", required=True),
            Param("details", Map(), _DETAILS_DOC, since="4.3")))


@CHANGE_SERVICE.handler
def change_service(call: Call, id: VirtualMachine, serviceofferingid: ServiceOffering,
                   details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    vm = vm_scaling.change_service(call.session, call.caller, id, serviceofferingid, details)
    return vm_response(call.session, vm, call.caller)


@SCALE_VM.handler
def scale_vm(call: Call, id: VirtualMachine, serviceofferingid: ServiceOffering,
             details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    vm = vm_scaling.scale(call.session, call.caller, id, serviceofferingid, details, drivers(call))
    return vm_response(call.session, vm, call.caller)

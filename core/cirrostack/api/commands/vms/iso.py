"""attachIso and detachIso (async): the VM's CD-ROM; the reply is the VM with its isoid."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.templates import Template
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vms import iso

_PACKAGE = "org.apache.cloudstack.api.command.user.iso."
_RELATED = ("attachIso", "detachIso", "listIsos", "registerIso", "listVirtualMachines")

ATTACH_ISO = Command(
    "attachIso", "Attaches an ISO to a virtual machine.", response=VM_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "AttachIsoCmd", related=_RELATED,
    params=(Param("id", Uuid("Iso"), "the ID of the ISO file", required=True),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine", required=True)))

DETACH_ISO = Command(
    "detachIso", "Detaches any ISO file (if any) currently attached to a virtual machine.", response=VM_RESPONSE,
    is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "DetachIsoCmd", related=_RELATED,
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),))


@ATTACH_ISO.handler
def attach_iso(call: Call, id: Template, virtualmachineid: VirtualMachine) -> dict[str, Any]:
    vm = iso.attach_iso(call.session, call.caller, call.registry, call.secrets, id, virtualmachineid)
    return vm_response(call.session, vm, call.caller)


@DETACH_ISO.handler
def detach_iso(call: Call, virtualmachineid: VirtualMachine) -> dict[str, Any]:
    vm = iso.detach_iso(call.session, call.caller, call.registry, call.secrets, virtualmachineid)
    return vm_response(call.session, vm, call.caller)

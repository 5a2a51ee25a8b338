"""addNicToVirtualMachine, removeNicFromVirtualMachine and listNics."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.networks._views import NIC_RESPONSE, nic_view
from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import String, Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.networks import Network, Nic
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.networks import nics

_PACKAGE = "org.apache.cloudstack.api.command.user.vm."

ADD_NIC = Command(
    "addNicToVirtualMachine", "Adds VM to specified network by creating a NIC", response=VM_RESPONSE,
    is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "AddNicToVMCmd",
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "Virtual Machine ID", required=True),
            Param("networkid", Uuid("Network"), "Network ID", required=True),
            Param("ipaddress", String(), "IP Address for the new network")))

REMOVE_NIC = Command(
    "removeNicFromVirtualMachine", "Removes VM from specified network by deleting a NIC", response=VM_RESPONSE,
    is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "RemoveNicFromVMCmd",
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "Virtual Machine ID", required=True),
            Param("nicid", Uuid("Nic"), "NIC ID", required=True)))

LIST_NICS = Command(
    "listNics", "list the vm nics  IP to NIC", kind=CommandKind.LIST, response=NIC_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.vm.ListNicsCmd",
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the vm", required=True),
            Param("nicid", Uuid("Nic"), "the ID of the nic to to list IPs"),
            Param("networkid", Uuid("Network"), "list nic of the specific vm's network"),
            *LIST_PARAMS))


@ADD_NIC.handler
def add_nic(call: Call, virtualmachineid: VirtualMachine, networkid: Network,
            ipaddress: str | None = None) -> dict[str, Any]:
    nics.add_nic(call.session, call.caller, virtualmachineid, networkid, ipaddress)
    return vm_response(call.session, virtualmachineid, call.caller)


@REMOVE_NIC.handler
def remove_nic(call: Call, virtualmachineid: VirtualMachine, nicid: Nic) -> dict[str, Any]:
    nics.remove_nic(call.session, call.caller, virtualmachineid, nicid)
    return vm_response(call.session, virtualmachineid, call.caller)


@LIST_NICS.handler
def list_nics(call: Call, virtualmachineid: VirtualMachine, nicid: Nic | None = None,
              networkid: Network | None = None, **_ignored: Any) -> ListResult:
    rows, count = nics.list_nics(call.session, call.caller, virtualmachineid, nic=nicid, network=networkid,
                                 page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([nic_view(call.session, row) for row in rows], count)

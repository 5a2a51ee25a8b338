"""listVirtualMachines."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_views
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import ListOf, Map, String, Uuid
from cirrostack.db.models.accounts import Domain
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.templates import Template
from cirrostack.services.context import ADMINS, ANY_ROLE
from cirrostack.services.scope import list_scope
from cirrostack.services.vms.listing import VMFilter, list_vms

LIST_VMS = Command(
    "listVirtualMachines", "List the virtual machines owned by the account.", response=VM_RESPONSE,
    kind=CommandKind.LIST, roles=ANY_ROLE, java_class="org.apache.cloudstack.api.command.user.vm.ListVMsCmd",
    params=(Param("id", Uuid("VirtualMachine"), "the ID of the virtual machine"),
            Param("ids", ListOf(String()), "the IDs of the virtual machines, mutually exclusive with id"),
            Param("name", String(), "name of the virtual machine"),
            Param("state", String(), "state of the virtual machine"),
            Param("zoneid", Uuid("Zone"), "the availability zone ID"),
            Param("hostid", Uuid("Host"), "the host ID", roles=ADMINS),
            Param("templateid", Uuid("Template"), "list vms by template"),
            Param("groupid", String(), "the group name of the virtual machine"),
            Param("hypervisor", String(), "the target hypervisor for the template"),
            Param("details", Map(key_value=True), "list vms whose details match every given key/value pair"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@LIST_VMS.handler
def list_virtual_machines(call: Call, id: Any = None, ids: list[str] | None = None, name: str | None = None,
                          state: str | None = None, zoneid: Zone | None = None, hostid: Host | None = None,
                          templateid: Template | None = None, groupid: str | None = None,
                          hypervisor: str | None = None, details: dict[str, str] | None = None,
                          keyword: str | None = None, account: str | None = None, domainid: Domain | None = None,
                          isrecursive: bool = False, listall: bool = False, **_paging: Any) -> ListResult:
    uuids = (id.uuid,) if id is not None else tuple(ids) if ids else None
    owners = list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                        listall=listall, by_id=uuids is not None)
    wanted = VMFilter(uuids=uuids, name=name, state=state, zone_id=zoneid.id if zoneid else None,
                      host_id=hostid.id if hostid else None, template_id=templateid.id if templateid else None,
                      group=groupid, hypervisor=hypervisor, keyword=keyword, details=details)
    rows, count = list_vms(call.session, call.caller, owners, wanted, page=call.paging.page,
                           pagesize=call.paging.pagesize)
    return ListResult(vm_views(call.session, call.caller, rows), count)

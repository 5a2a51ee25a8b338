"""listVirtualMachines."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_views
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import ListOf, String, Uuid
from cirrostack.db.models.accounts import Domain
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.templates import Template
from cirrostack.errors import InvalidParameter
from cirrostack.services.context import ADMINS, ANY_ROLE
from cirrostack.services.scope import list_scope
from cirrostack.services.vms.listing import VMFilter, list_vm_rows

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
            Param("affinitygroupid", Uuid("AffinityGroup"), "list vms by affinity group"),
            Param("details", ListOf(String()), "comma separated list of vm details requested, value can be a list of "
                                               "[all, group, nics, stats, secgrp, tmpl, servoff, iso, volume, min, "
                                               "affgrp]. If no parameter is passed in, the details will be defaulted "
                                               "to all"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@LIST_VMS.handler
def list_virtual_machines(call: Call, id: Any = None, ids: list[str] | None = None, name: str | None = None,
                          state: str | None = None, zoneid: Zone | None = None, hostid: Host | None = None,
                          templateid: Template | None = None, groupid: str | None = None,
                          hypervisor: str | None = None, details: list[str] | None = None,
                          affinitygroupid: Any = None,
                          keyword: str | None = None, account: str | None = None, domainid: Domain | None = None,
                          isrecursive: bool = False, listall: bool = False, **_paging: Any) -> ListResult:
    uuids = (id.uuid,) if id is not None else tuple(ids) if ids else None
    owners = list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                        listall=listall, by_id=uuids is not None)
    wanted = VMFilter(uuids=uuids, name=name, state=state, zone_id=zoneid.id if zoneid else None,
                      host_id=hostid.id if hostid else None, template_id=templateid.id if templateid else None,
                      group=groupid, hypervisor=hypervisor, keyword=keyword,
                      affinity_group_id=affinitygroupid.id if affinitygroupid is not None else None)
    shown = _detail_fields(details)
    found = list_vm_rows(call.session, call.caller, owners, wanted, page=call.paging.page,
                         pagesize=call.paging.pagesize)
    views = vm_views(call.caller, found)
    if shown is not None:
        views = [{key: value for key, value in view.items() if key in shown} for view in views]
    return ListResult(views, found.total)


#: The response fields each `details` value adds to the always-shown basic ones (CloudStack's VMDetails).
_DETAIL_FIELDS = {
    "group": {"group"},
    "nics": {"nic"},
    "stats": set(),
    "secgrp": {"securitygroup"},
    "tmpl": {"templateid", "templatename", "templatedisplaytext", "passwordenabled"},
    "servoff": {"serviceofferingid", "serviceofferingname", "cpunumber", "cpuspeed", "memory"},
    "iso": set(),
    "volume": {"rootdeviceid", "rootdevicetype"},
    "affgrp": {"affinitygroup"},
    "min": set(),
}
_BASIC_FIELDS = {"id", "name", "displayname", "account", "domainid", "domain", "created", "state", "haenable",
                 "zoneid", "zonename", "hostid", "hostname", "instancename", "guestosid", "hypervisor", "keypair",
                 "tags", "details", "displayvm", "isdynamicallyscalable", "password"}


def _detail_fields(details: list[str] | None) -> set[str] | None:
    """The fields `details` asks for; None means all of them."""
    if not details:
        return None
    wanted = {value.strip().lower() for value in details if value.strip()}
    unknown = wanted - set(_DETAIL_FIELDS) - {"all"}
    if unknown:
        raise InvalidParameter("details", f"{', '.join(sorted(unknown))} is not one of all, "
                                          f"{', '.join(_DETAIL_FIELDS)}")
    if "all" in wanted:
        return None
    fields = set(_BASIC_FIELDS)
    for value in wanted:
        fields |= _DETAIL_FIELDS[value]
    return fields

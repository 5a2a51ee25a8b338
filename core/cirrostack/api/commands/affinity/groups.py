"""createAffinityGroup (async create), deleteAffinityGroup (async) and listAffinityGroups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.affinity._views import AFFINITY_GROUP_RESPONSE, group_views
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import String, Uuid
from cirrostack.db.models import Domain, VirtualMachine
from cirrostack.db.models.affinity import AffinityGroup
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.affinity import groups as affinity_groups
from cirrostack.services.context import ANY_ROLE

_PACKAGE = "org.apache.cloudstack.api.command.user.affinitygroup."
_RELATED = ("createAffinityGroup", "deleteAffinityGroup", "listAffinityGroups", "updateVMAffinityGroup")

CREATE_AFFINITY_GROUP = Command(
    "createAffinityGroup", "Creates an affinity/anti-affinity group", response=AFFINITY_GROUP_RESPONSE,
    is_async=True, creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "CreateAffinityGroupCmd", related=_RELATED,
    params=(Param("name", String(), "name of the affinity group", required=True),
            Param("type", String(), "Type of the affinity group from the available affinity/anti-affinity group "
                                    "types", required=True),
            Param("description", String(length=4096), "optional description of the affinity group"),
            Param("account", String(), "an account for the affinity group. Must be used with domainId."),
            Param("domainid", Uuid("Domain"), "domainId of the account owning the affinity group")))

DELETE_AFFINITY_GROUP = Command(
    "deleteAffinityGroup", "Deletes affinity group; its virtual machines leave it", kind=CommandKind.SUCCESS,
    is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "DeleteAffinityGroupCmd", related=_RELATED,
    params=(Param("id", Uuid("AffinityGroup"), "The ID of the affinity group. Mutually exclusive with name "
                                               "parameter"),
            Param("name", String(), "The name of the affinity group. Mutually exclusive with id parameter"),
            Param("account", String(), "the account of the affinity group. Must be specified with domain ID"),
            Param("domainid", Uuid("Domain"), "the domain ID of account owning the affinity group")))

LIST_AFFINITY_GROUPS = Command(
    "listAffinityGroups", "Lists affinity groups", kind=CommandKind.LIST, response=AFFINITY_GROUP_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListAffinityGroupsCmd", related=_RELATED,
    params=(Param("id", Uuid("AffinityGroup"), "list the affinity group by the id provided"),
            Param("name", String(), "lists affinity groups by name"),
            Param("type", String(), "lists affinity groups by type"),
            Param("virtualmachineid", Uuid("VirtualMachine"), "lists affinity groups by virtual machine id"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@CREATE_AFFINITY_GROUP.prepare
def prepare_affinity_group(call: Call, name: str, type: str, description: str | None = None,
                           account: str | None = None, domainid: Domain | None = None) -> str:
    owner = scope.acting_account(call.session, call.caller, account, domainid, "manage affinity groups")
    return affinity_groups.create_group(call.session, call.caller, owner, name, type, description).uuid


@CREATE_AFFINITY_GROUP.handler
def create_affinity_group(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    group = call.session.scalars(select(AffinityGroup).where(AffinityGroup.uuid == id)).one()
    return group_views(call.session, [group])[0]


@DELETE_AFFINITY_GROUP.handler
def delete_affinity_group(call: Call, id: AffinityGroup | None = None, name: str | None = None,
                          account: str | None = None, domainid: Domain | None = None) -> None:
    if (id is None) == (name is None):
        raise InvalidParameter("id", "give either id or name of the affinity group, not both and not neither")
    group = id
    if group is None:
        owner = scope.acting_account(call.session, call.caller, account, domainid, "manage affinity groups")
        group = affinity_groups.require_by_name(call.session, owner, name or "", "name")
    affinity_groups.delete_group(call.session, call.caller, group)


@LIST_AFFINITY_GROUPS.handler
def list_affinity_groups(call: Call, id: AffinityGroup | None = None, name: str | None = None,
                         type: str | None = None, virtualmachineid: VirtualMachine | None = None,
                         keyword: str | None = None, account: str | None = None, domainid: Domain | None = None,
                         isrecursive: bool = False, listall: bool = False, **_paging: Any) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None or virtualmachineid is not None)
    wanted = affinity_groups.GroupFilter(group_id=id.id if id else None, name=name, type_name=type,
                                         vm_id=virtualmachineid.id if virtualmachineid else None, keyword=keyword)
    rows, count = affinity_groups.list_groups(call.session, call.caller, owners, wanted, page=call.paging.page,
                                              page_size=call.paging.pagesize)
    return ListResult(group_views(call.session, rows), count)


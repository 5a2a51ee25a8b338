"""createSecurityGroup, deleteSecurityGroup and listSecurityGroups."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.security_groups._views import SECURITY_GROUP_RESPONSE, security_group_views
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Map, String, Uuid
from cirrostack.db.models import Domain, SecurityGroup, VirtualMachine
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.security_groups import groups

_PACKAGE = "org.apache.cloudstack.api.command.user.securitygroup."
RELATED = ("createSecurityGroup", "deleteSecurityGroup", "listSecurityGroups", "authorizeSecurityGroupIngress",
           "authorizeSecurityGroupEgress", "revokeSecurityGroupIngress", "revokeSecurityGroupEgress")

_OWNER_PARAMS = (
    Param("account", String(), "an optional account for the security group. Must be used with domainId."),
    Param("domainid", Uuid("Domain"), "an optional domainId for the security group. If the account parameter is "
                                      "used, domainId must also be used."),
)

CREATE_SECURITY_GROUP = Command(
    "createSecurityGroup", "Creates a security group", response=SECURITY_GROUP_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "CreateSecurityGroupCmd", related=RELATED,
    params=(Param("name", String(), "name of the security group", required=True),
            Param("description", String(length=4096), "the description of the security group"),
            *_OWNER_PARAMS))

DELETE_SECURITY_GROUP = Command(
    "deleteSecurityGroup", "Deletes security group", kind=CommandKind.SUCCESS, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteSecurityGroupCmd",
    params=(Param("id", Uuid("SecurityGroup"), "The ID of the security group. Mutually exclusive with name "
                                               "parameter"),
            Param("name", String(), "The ID of the security group. Mutually exclusive with id parameter"),
            *_OWNER_PARAMS))

LIST_SECURITY_GROUPS = Command(
    "listSecurityGroups", "Lists security groups", kind=CommandKind.LIST, response=SECURITY_GROUP_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListSecurityGroupsCmd", related=RELATED,
    params=(Param("id", Uuid("SecurityGroup"), "list the security group by the id provided"),
            Param("securitygroupname", String(), "lists security groups by name"),
            Param("virtualmachineid", Uuid("VirtualMachine"), "lists security groups by virtual machine id"),
            Param("tags", Map(), "List resources by tags (key/value pairs); no tags are kept yet, so any tag "
                                 "matches nothing"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))



@CREATE_SECURITY_GROUP.handler
def create_security_group(call: Call, name: str, description: str | None = None, account: str | None = None,
                          domainid: Domain | None = None) -> dict[str, Any]:
    owner = scope.acting_account(call.session, call.caller, account, domainid, "manage security groups")
    group = groups.create(call.session, call.caller, owner, name, description)
    return security_group_views(call.session, [group])[0]


@DELETE_SECURITY_GROUP.handler
def delete_security_group(call: Call, id: SecurityGroup | None = None, name: str | None = None,
                          account: str | None = None, domainid: Domain | None = None) -> None:
    if (id is None) == (name is None):
        raise InvalidParameter("id", "give either id or name of the security group (exactly one)")
    if id is None:
        owner = scope.acting_account(call.session, call.caller, account, domainid, "manage security groups")
        id = groups.find_by_name(call.session, owner, name)
        if id is None:
            raise InvalidParameter("name", f"account {owner.name} has no security group named {name!r}")
    groups.delete(call.session, call.caller, id)


@LIST_SECURITY_GROUPS.handler
def list_security_groups(call: Call, id: SecurityGroup | None = None, securitygroupname: str | None = None,
                         virtualmachineid: VirtualMachine | None = None, tags: list[dict] | None = None,
                         keyword: str | None = None, account: str | None = None, domainid: Domain | None = None,
                         isrecursive: bool = False, listall: bool = False, **_paging: Any) -> ListResult:
    if tags:
        return ListResult([], 0)
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None or virtualmachineid is not None)
    rows, count = groups.list_groups(call.session, call.caller, owners, group=id, name=securitygroupname,
                                     vm=virtualmachineid, keyword=keyword, page=call.paging.page,
                                     pagesize=call.paging.pagesize)
    return ListResult(security_group_views(call.session, rows), count)

"""updateResourceLimit, listResourceLimits and updateResourceCount."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Boolean, Integer, Long, String, Uuid
from cirrostack.db.audit import record_event
from cirrostack.db.models import Account, Domain
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services import limits, scope
from cirrostack.services.context import DOMAIN_ADMIN, ROOT_ADMIN, AccountType, Caller
from cirrostack.services.limits import ResourceType

_PACKAGE = "org.apache.cloudstack.api.command."
_TYPES_DOC = ("Type of resource. 0 - Instance, 1 - IP, 2 - Volume, 3 - Snapshot, 4 - Template, 5 - Project, "
              "6 - Network, 7 - VPC, 8 - CPU, 9 - Memory, 10 - PrimaryStorage (GiB), 11 - SecondaryStorage (GiB)")
_OWNER_FIELDS = (
    Field("account", "string", "the account of the resource limit"),
    Field("domainid", "string", "the domain ID of the resource limit"),
    Field("domain", "string", "the domain name of the resource limit"),
    Field("resourcetype", "string", "resource type. Values include 0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11. See the "
                                    "resourceType parameter for more information on these values."),
)
LIMIT_RESPONSE = Response("resourcelimit", (*_OWNER_FIELDS, Field("max", "long", "the maximum number of the "
                                                                                 "resource. A -1 means the resource "
                                                                                 "currently has no limit.")))
COUNT_RESPONSE = Response("resourcecount", (*_OWNER_FIELDS, Field("resourcecount", "long", "resource count")))

UPDATE_RESOURCE_LIMIT = Command(
    "updateResourceLimit", "Updates resource limits for an account or domain.", response=LIMIT_RESPONSE,
    roles=ROOT_ADMIN | DOMAIN_ADMIN, java_class=_PACKAGE + "admin.resource.UpdateResourceLimitCmd",
    related=("listResourceLimits",),
    params=(Param("resourcetype", Integer(), _TYPES_DOC, required=True),
            Param("max", Long(), "Maximum resource limit."),
            Param("account", String(), "Update resource for a specified account. Must be used with the domainId "
                                       "parameter."),
            Param("domainid", Uuid("Domain"), "Update resource limits for all accounts in specified domain. If used "
                                              "with the account parameter, updates resource limits for a specified "
                                              "account in specified domain.")))

LIST_RESOURCE_LIMITS = Command(
    "listResourceLimits", "Lists resource limits.", kind=CommandKind.LIST, response=LIMIT_RESPONSE,
    java_class=_PACKAGE + "user.resource.ListResourceLimitsCmd", related=("updateResourceLimit",),
    params=(Param("resourcetype", Integer(), _TYPES_DOC),
            Param("account", String(), "list resources by account. Must be used with the domainId parameter."),
            Param("domainid", Uuid("Domain"), "list only resources belonging to the domain specified"),
            Param("isrecursive", Boolean(), "defaults to false, but if true, lists all resources from the parent "
                                            "specified by the domainId till leaves."),
            Param("listall", Boolean(), "If set to false, list only resources belonging to the command's caller; if "
                                        "set to true - list resources that the caller is authorized to see."),
            *LIST_PARAMS))

UPDATE_RESOURCE_COUNT = Command(
    "updateResourceCount", "Recalculate and update resource count for an account or domain.",
    kind=CommandKind.LIST, response=COUNT_RESPONSE, roles=ROOT_ADMIN | DOMAIN_ADMIN,
    java_class=_PACKAGE + "admin.resource.UpdateResourceCountCmd", related=("listResourceLimits",),
    params=(Param("domainid", Uuid("Domain"), "If account parameter specified then updates resource counts for a "
                                              "specified account in this domain else update resource counts for "
                                              "all accounts & child domains in specified domain.", required=True),
            Param("account", String(), "Update resource count for a specified account. Must be used with the "
                                       "domainId parameter."),
            Param("resourcetype", Integer(), "Type of resource to update. If specifies valid values are 0, 2, 8, 9 "
                                             "and 10. If not specified will update all resource counts")))


def _owner(session: Session, caller: Caller, account: str | None, domain: Domain | None,
           ) -> tuple[limits.Owner, Account | None, Domain]:
    if account is not None:
        found = scope.find_account(session, caller, account, domain)
        return limits.account_owner(found), found, found.domain
    if domain is not None:
        return limits.domain_owner(domain), None, domain
    own = session.get(Account, caller.account_id)
    return limits.account_owner(own), own, own.domain


def _view(owner_account: Account | None, domain: Domain, resource: ResourceType, **value: int) -> dict[str, Any]:
    view: dict[str, Any] = {"domainid": domain.uuid, "domain": domain.name, "resourcetype": str(int(resource)),
                            **value}
    if owner_account is not None:
        view["account"] = owner_account.name
    return view


@UPDATE_RESOURCE_LIMIT.handler
def update_resource_limit(call: Call, resourcetype: int, max: int | None = None, account: str | None = None,
                          domainid: Domain | None = None) -> dict[str, Any]:
    resource = limits.resource_type(resourcetype)
    owner, owner_account, domain = _owner(call.session, call.caller, account, domainid)
    if not call.caller.is_root_admin:
        if owner_account is not None and owner_account.id == call.caller.account_id:
            raise PermissionDenied("account: an administrator cannot change the limits of their own account")
        if owner_account is None and domain.id == call.caller.domain_id:
            raise PermissionDenied("domainid: a domain administrator cannot change the limits of their own domain")
    if owner_account is None and domain.parent_id is None:
        raise InvalidParameter("domainid", "the ROOT domain is never limited")
    effective = limits.set_limit(call.session, owner, resource, max)
    record_event(call.session, call.caller, "RESOURCE.LIMIT.UPDATE",
                 f"limit of {resource.label} for {owner.describe()} set to {effective}",
                 account_id=owner_account.id if owner_account else None, domain_id=domain.id)
    return _view(owner_account, domain, resource, max=effective)


@LIST_RESOURCE_LIMITS.handler
def list_resource_limits(call: Call, resourcetype: int | None = None,
                         account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                         listall: bool = False, keyword: str | None = None, **_paging: Any) -> ListResult:
    if call.caller.account_type is AccountType.USER:
        if account is not None and account.lower() != call.caller.account_name.lower():
            raise InvalidParameter("account", f"no account named {account} in your domain")
        account, domainid = None, None
    owner, owner_account, domain = _owner(call.session, call.caller, account, domainid)
    types = [limits.resource_type(resourcetype)] if resourcetype is not None else list(ResourceType)
    rows = [_view(owner_account, domain, resource, max=limits.limit_of(call.session, owner, resource))
            for resource in types]
    page = rows[call.paging.offset:] if call.paging.pagesize is None else \
        rows[call.paging.offset:call.paging.offset + call.paging.pagesize]
    return ListResult(page, len(rows))


@UPDATE_RESOURCE_COUNT.handler
def update_resource_count(call: Call, domainid: Domain, account: str | None = None,
                          resourcetype: int | None = None) -> ListResult:
    types = [limits.resource_type(resourcetype)] if resourcetype is not None else list(limits.RECOUNTED)
    owner_account = scope.find_account(call.session, call.caller, account, domainid) if account else None
    rows = []
    for resource in types:
        if owner_account is not None:
            value = limits.recount_account(call.session, owner_account, resource)
        else:
            value = limits.recount_domain(call.session, domainid, resource)
        rows.append(_view(owner_account, domainid, resource, resourcecount=value))
    return ListResult(rows, len(rows))

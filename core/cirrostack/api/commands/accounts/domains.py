"""createDomain, updateDomain, deleteDomain (async), listDomains."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.accounts._views import DOMAIN_RESPONSE, domain_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Integer, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.services import accounts
from cirrostack.services.context import ADMINS, ROOT_ADMIN

_PACKAGE = "org.apache.cloudstack.api.command.admin.domain."

CREATE_DOMAIN = Command(
    "createDomain", "Creates a domain", response=DOMAIN_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "CreateDomainCmd", related=("listDomains", "updateDomain"),
    params=(Param("name", String(), "creates domain with this name", required=True),
            Param("parentdomainid", Uuid("Domain"), "assigns new domain a parent domain by domain ID of the parent. "
                                                    "If no parent domain is specied, the ROOT domain is assumed."),
            Param("networkdomain", String(), "Network domain for networks in the domain"),
            Param("domainid", Uuid("Domain", load=False), "Domain UUID, required for adding domain from another "
                                                          "Region", since="4.2.0")))

UPDATE_DOMAIN = Command(
    "updateDomain", "Updates a domain with a new name", response=DOMAIN_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateDomainCmd", related=("createDomain", "listDomains"),
    params=(Param("id", Uuid("Domain"), "ID of domain to update", required=True),
            Param("name", String(), "updates domain with this name"),
            Param("networkdomain", String(), "Network domain for the domain's networks; empty to remove it")))

DELETE_DOMAIN = Command(
    "deleteDomain", "Deletes a specified domain", kind=CommandKind.SUCCESS, is_async=True, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeleteDomainCmd",
    params=(Param("id", Uuid("Domain"), "ID of domain to delete", required=True),
            Param("cleanup", Boolean(), "true if all domain resources (child domains, accounts) have to be cleaned "
                                        "up, false otherwise")))

LIST_DOMAINS = Command(
    "listDomains", "Lists domains and provides detailed information for listed domains", kind=CommandKind.LIST,
    response=DOMAIN_RESPONSE, roles=ADMINS, java_class=_PACKAGE + "ListDomainsCmd",
    related=("createDomain", "updateDomain"),
    params=(Param("id", Uuid("Domain"), "List domain by domain ID."),
            Param("name", String(), "List domain by domain name."),
            Param("level", Integer(minimum=0), "List domains by domain level."),
            Param("listall", Boolean(), "If set to false, list only resources belonging to the command's caller; "
                                        "if set to true - list resources that the caller is authorized to see. "
                                        "Default value is false"),
            *LIST_PARAMS))


@CREATE_DOMAIN.handler
def create_domain(call: Call, name: str, parentdomainid: Domain | None = None, networkdomain: str | None = None,
                  domainid: str | None = None) -> dict[str, Any]:
    domain = accounts.create_domain(call.session, call.caller, name, parentdomainid, networkdomain, domainid)
    return domain_view(call.session, domain)


@UPDATE_DOMAIN.handler
def update_domain(call: Call, id: Domain, name: str | None = None, networkdomain: str | None = None) -> dict[str, Any]:
    domain = accounts.update_domain(call.session, call.caller, id, name=name, network_domain=networkdomain)
    return domain_view(call.session, domain)


@DELETE_DOMAIN.handler
def delete_domain(call: Call, id: Domain, cleanup: bool = False) -> None:
    accounts.delete_domain(call.session, call.caller, id, cleanup=cleanup)


@LIST_DOMAINS.handler
def list_domains(call: Call, id: Domain | None = None, name: str | None = None, level: int | None = None,
                 listall: bool = False, keyword: str | None = None, **_paging: Any) -> ListResult:
    rows, count = accounts.list_domains(call.session, call.caller, id=id, name=name, level=level, listall=listall,
                                        keyword=keyword, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([domain_view(call.session, row) for row in rows], count)

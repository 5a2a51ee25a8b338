"""listRouters, startRouter, stopRouter, rebootRouter and destroyRouter (administrators)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.networks._views import ROUTER_RESPONSE, router_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, Router
from cirrostack.services import scope
from cirrostack.services.context import ADMINS
from cirrostack.services.networks import routers

_PACKAGE = "org.apache.cloudstack.api.command.admin.router."
_RELATED = ("listRouters", "startRouter", "stopRouter", "rebootRouter", "destroyRouter")


def _power(name: str, summary: str, java: str, *extra: Param) -> Command:
    return Command(name, summary, response=ROUTER_RESPONSE, is_async=True, roles=ADMINS,
                   java_class=_PACKAGE + java, related=_RELATED,
                   params=(Param("id", Uuid("Router"), "the ID of the router", required=True), *extra))


START_ROUTER = _power("startRouter", "Starts a router.", "StartRouterCmd")
STOP_ROUTER = _power("stopRouter", "Stops a router.", "StopRouterCmd",
                     Param("forced", Boolean(), "Force stop the VM. The caller knows the VM is stopped."))
REBOOT_ROUTER = _power("rebootRouter", "Starts a router.", "RebootRouterCmd")
DESTROY_ROUTER = _power("destroyRouter", "Destroys a router.", "DestroyRouterCmd")

LIST_ROUTERS = Command(
    "listRouters", "List routers.", kind=CommandKind.LIST, response=ROUTER_RESPONSE, roles=ADMINS,
    java_class=_PACKAGE + "ListRoutersCmd", related=_RELATED,
    params=(Param("id", Uuid("Router"), "the ID of the disk router"),
            Param("name", String(), "the name of the router"),
            Param("state", String(), "the state of the router"),
            Param("zoneid", Uuid("Zone"), "the Zone ID of the router"),
            Param("podid", Uuid("Pod"), "the Pod ID of the router"),
            Param("hostid", Uuid("Host"), "the host ID of the router"),
            Param("networkid", Uuid("Network"), "list by network id"),
            Param("vpcid", Uuid(), "List networks by VPC"),
            Param("forvpc", Boolean(), "if true is passed for this parameter, list only VPC routers"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@START_ROUTER.handler
def start_router(call: Call, id: Router) -> dict[str, Any]:
    return router_view(call.session, routers.start_router(call.session, call.caller, call.registry, call.secrets, id))


@STOP_ROUTER.handler
def stop_router(call: Call, id: Router, forced: bool = False) -> dict[str, Any]:
    return router_view(call.session, routers.stop_router(call.session, call.caller, call.registry, call.secrets, id,
                                                         forced))


@REBOOT_ROUTER.handler
def reboot_router(call: Call, id: Router) -> dict[str, Any]:
    return router_view(call.session, routers.reboot_router(call.session, call.caller, call.registry, call.secrets,
                                                           id))


@DESTROY_ROUTER.handler
def destroy_router(call: Call, id: Router) -> dict[str, Any]:
    return router_view(call.session, routers.destroy_router(call.session, call.caller, call.registry, call.secrets,
                                                            id))


@LIST_ROUTERS.handler
def list_routers(call: Call, id: Router | None = None, name: str | None = None, state: str | None = None,
                 zoneid: Zone | None = None, networkid: Network | None = None, forvpc: bool | None = None,
                 keyword: str | None = None, account: str | None = None, domainid: Domain | None = None,
                 isrecursive: bool = False, listall: bool = False, **_ignored: Any) -> ListResult:
    if forvpc:
        return ListResult([], 0)
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall or call.caller.is_root_admin, by_id=id is not None)
    rows, count = routers.list_routers(call.session, call.caller, owners, id=id, name=name, state=state,
                                       zone=zoneid, network=networkid, keyword=keyword, page=call.paging.page,
                                       pagesize=call.paging.pagesize)
    return ListResult([router_view(call.session, row) for row in rows], count)

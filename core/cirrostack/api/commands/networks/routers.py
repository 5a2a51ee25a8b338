"""listRouters, startRouter, stopRouter, rebootRouter and destroyRouter (administrators).

A VPC's router (a row with `vpcid`) is driven through services/vpc/router_power, any other through
services/networks/routers; both look the same on the API, a VPC's router with one NIC per tier it serves."""

from __future__ import annotations

import ipaddress
from typing import Any

from cirrostack.api.commands.networks._views import ROUTER_RESPONSE, router_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, Router, RouterState
from cirrostack.db.models.vpc import Vpc
from cirrostack.services import scope
from cirrostack.services.context import ADMINS
from cirrostack.services.networks import routers
from cirrostack.services.vpc import router_power

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
            Param("vpcid", Uuid("Vpc"), "List networks by VPC"),
            Param("forvpc", Boolean(), "if true is passed for this parameter, list only VPC routers"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


def _view(call: Call, router: Router) -> dict[str, Any]:
    view = router_view(call.session, router)
    if router.vpc_id is None:
        return view
    vpc = call.session.get(Vpc, router.vpc_id)
    view.update(vpcid=vpc.uuid, vpcname=vpc.name)
    if router.state == RouterState.RUNNING.value:
        view["nic"] = [{"networkid": tier.uuid, "networkname": tier.name, "ipaddress": tier.gateway,
                        "gateway": tier.gateway, "netmask": str(ipaddress.ip_network(tier.cidr).netmask),
                        "traffictype": "Guest", "type": tier.guest_type, "broadcasturi": tier.broadcast_uri,
                        "isolationuri": tier.broadcast_uri, "isdefault": False}
                       for tier in router_power.served_tiers(call.session, router)]
    return view


@START_ROUTER.handler
def start_router(call: Call, id: Router) -> dict[str, Any]:
    power = router_power.start if id.vpc_id is not None else routers.start_router
    return _view(call, power(call.session, call.caller, call.registry, call.secrets, id))


@STOP_ROUTER.handler
def stop_router(call: Call, id: Router, forced: bool = False) -> dict[str, Any]:
    power = router_power.stop if id.vpc_id is not None else routers.stop_router
    return _view(call, power(call.session, call.caller, call.registry, call.secrets, id, forced))


@REBOOT_ROUTER.handler
def reboot_router(call: Call, id: Router) -> dict[str, Any]:
    power = router_power.reboot if id.vpc_id is not None else routers.reboot_router
    return _view(call, power(call.session, call.caller, call.registry, call.secrets, id))


@DESTROY_ROUTER.handler
def destroy_router(call: Call, id: Router) -> dict[str, Any]:
    power = router_power.destroy if id.vpc_id is not None else routers.destroy_router
    return _view(call, power(call.session, call.caller, call.registry, call.secrets, id))


@LIST_ROUTERS.handler
def list_routers(call: Call, id: Router | None = None, name: str | None = None, state: str | None = None,
                 zoneid: Zone | None = None, networkid: Network | None = None, vpcid: Vpc | None = None,
                 forvpc: bool | None = None, keyword: str | None = None, account: str | None = None,
                 domainid: Domain | None = None, isrecursive: bool = False, listall: bool = False,
                 **_ignored: Any) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall or call.caller.is_root_admin, by_id=id is not None)
    rows, count = routers.list_routers(call.session, call.caller, owners, id=id, name=name, state=state,
                                       zone=zoneid, network=networkid, vpc=vpcid, for_vpc=forvpc, keyword=keyword,
                                       page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([_view(call, row) for row in rows], count)

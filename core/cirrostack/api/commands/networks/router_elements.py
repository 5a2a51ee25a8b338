"""The elements of the router-type providers, as CloudStack's zone wizard lists and enables them:
listVirtualRouterElements / configureVirtualRouterElement (VirtualRouter and VpcVirtualRouter) and
listInternalLoadBalancerElements / configureInternalLoadBalancerElement (InternalLbVm)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.networks._infra_views import ELEMENT_RESPONSE, element_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Boolean, Uuid
from cirrostack.db.models.networks import NetworkServiceProviderRow, VirtualRouterElement
from cirrostack.errors import InvalidParameter
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.networks import providers

_ROUTER_PACKAGE = "org.apache.cloudstack.api.command.admin.router."
_ILB_PACKAGE = "org.apache.cloudstack.api.command.admin.internallb."
_ROUTER_TYPES = ("VirtualRouter", "VpcVirtualRouter")

ILB_ELEMENT_RESPONSE = Response("internalloadbalancerelement", (
    Field("id", "string", "the id of the internal load balancer element"),
    Field("nspid", "string", "the physical network service provider id of the element"),
    Field("enabled", "boolean", "Enabled/Disabled the element"),
), instance_type="InternalLbElement")

LIST_ROUTER_ELEMENTS = Command(
    "listVirtualRouterElements", "Lists all available virtual router elements.", kind=CommandKind.LIST,
    response=ELEMENT_RESPONSE, roles=ROOT_ADMIN, java_class=_ROUTER_PACKAGE + "ListVirtualRouterElementsCmd",
    related=("configureVirtualRouterElement",),
    params=(Param("id", Uuid("VirtualRouterElement"), "list virtual router elements by id"),
            Param("nspid", Uuid("NetworkServiceProvider"), "list virtual router elements by network service provider "
                                                           "id"),
            Param("enabled", Boolean(), "list network offerings by enabled state"),
            *LIST_PARAMS))

CONFIGURE_ROUTER_ELEMENT = Command(
    "configureVirtualRouterElement", "Configures a virtual router element.", response=ELEMENT_RESPONSE,
    is_async=True, roles=ROOT_ADMIN, java_class=_ROUTER_PACKAGE + "ConfigureVirtualRouterElementCmd",
    params=(Param("id", Uuid("VirtualRouterElement"), "the ID of the virtual router provider", required=True),
            Param("enabled", Boolean(), "Enabled/Disabled the service provider", required=True)))

LIST_ILB_ELEMENTS = Command(
    "listInternalLoadBalancerElements", "Lists all available Internal Load Balancer elements.",
    kind=CommandKind.LIST, response=ILB_ELEMENT_RESPONSE, roles=ROOT_ADMIN,
    java_class=_ILB_PACKAGE + "ListInternalLoadBalancerElementsCmd",
    related=("configureInternalLoadBalancerElement",),
    params=(Param("id", Uuid("VirtualRouterElement"), "list internal load balancer elements by id"),
            Param("nspid", Uuid("NetworkServiceProvider"), "list internal load balancer elements by network service "
                                                           "provider id"),
            Param("enabled", Boolean(), "list internal load balancer elements by enabled state"),
            *LIST_PARAMS))

CONFIGURE_ILB_ELEMENT = Command(
    "configureInternalLoadBalancerElement", "Configures an Internal Load Balancer element.",
    response=ILB_ELEMENT_RESPONSE, is_async=True, roles=ROOT_ADMIN,
    java_class=_ILB_PACKAGE + "ConfigureInternalLoadBalancerElementCmd",
    params=(Param("id", Uuid("VirtualRouterElement"), "the ID of the internal lb provider", required=True),
            Param("enabled", Boolean(), "Enables/Disables the Internal Load Balancer element", required=True)))


def _list(call: Call, types: tuple[str, ...], id: VirtualRouterElement | None,
          nspid: NetworkServiceProviderRow | None, enabled: bool | None) -> ListResult:
    found: list[VirtualRouterElement] = []
    for element_type in types:
        rows, _count = providers.list_elements(call.session, call.caller, element_type, id=id, provider=nspid,
                                               enabled=enabled, pagesize=None)
        found.extend(rows)
    found.sort(key=lambda element: element.id)
    return ListResult([element_view(call.session, element) for element in call.paging.slice(found)], len(found))


def _configure(call: Call, element: VirtualRouterElement, enabled: bool, types: tuple[str, ...]) -> dict[str, Any]:
    if element.element_type not in types:
        raise InvalidParameter("id", f"element {element.uuid} is a {element.element_type} element, not "
                                     f"{' or '.join(types)}")
    return element_view(call.session, providers.configure_element(call.session, call.caller, element, enabled))


@LIST_ROUTER_ELEMENTS.handler
def list_router_elements(call: Call, id: VirtualRouterElement | None = None,
                         nspid: NetworkServiceProviderRow | None = None, enabled: bool | None = None,
                         **_ignored: Any) -> ListResult:
    return _list(call, _ROUTER_TYPES, id, nspid, enabled)


@CONFIGURE_ROUTER_ELEMENT.handler
def configure_router_element(call: Call, id: VirtualRouterElement, enabled: bool) -> dict[str, Any]:
    return _configure(call, id, enabled, _ROUTER_TYPES)


@LIST_ILB_ELEMENTS.handler
def list_ilb_elements(call: Call, id: VirtualRouterElement | None = None,
                      nspid: NetworkServiceProviderRow | None = None, enabled: bool | None = None,
                      **_ignored: Any) -> ListResult:
    result = _list(call, ("InternalLbVm",), id, nspid, enabled)
    result.items = [{key: item[key] for key in ("id", "nspid", "enabled") if key in item} for item in result.items]
    return result


@CONFIGURE_ILB_ELEMENT.handler
def configure_ilb_element(call: Call, id: VirtualRouterElement, enabled: bool) -> dict[str, Any]:
    view = _configure(call, id, enabled, ("InternalLbVm",))
    return {key: view[key] for key in ("id", "nspid", "enabled") if key in view}

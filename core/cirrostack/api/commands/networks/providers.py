"""listNetworkServiceProviders, addNetworkServiceProvider, updateNetworkServiceProvider and
deleteNetworkServiceProvider (root admin)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.api.commands.networks._infra_views import PROVIDER_RESPONSE, provider_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import ListOf, String, Uuid
from cirrostack.db.models.networks import NetworkServiceProviderRow, PhysicalNetwork
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.networks import providers

_PACKAGE = "org.apache.cloudstack.api.command.admin.network."
_RELATED = ("addNetworkServiceProvider", "listNetworkServiceProviders", "updateNetworkServiceProvider")

#: Services of the router-type providers when no plugin provides them (their state is still kept).
_ROUTER_SERVICES = {"VpcVirtualRouter": ["Dhcp", "Dns", "UserData", "SourceNat", "StaticNat", "PortForwarding", "Lb",
                                         "NetworkACL", "Vpn", "Gateway"],
                    "InternalLbVm": ["Lb"]}

LIST_PROVIDERS = Command(
    "listNetworkServiceProviders", "Lists network serviceproviders for a given physical network.",
    kind=CommandKind.LIST, response=PROVIDER_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "ListNetworkServiceProvidersCmd", related=_RELATED,
    params=(Param("physicalnetworkid", Uuid("PhysicalNetwork"), "the Physical Network ID"),
            Param("name", String(), "list providers by name"),
            Param("state", String(), "list providers by state"),
            *LIST_PARAMS))

ADD_PROVIDER = Command(
    "addNetworkServiceProvider", "Adds a network serviceProvider to a physical network",
    response=PROVIDER_RESPONSE, is_async=True, creates=True, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "AddNetworkServiceProviderCmd", related=_RELATED,
    params=(Param("name", String(), "the name for the physical network service provider", required=True),
            Param("physicalnetworkid", Uuid("PhysicalNetwork"), "the Physical Network ID to add the provider to",
                  required=True),
            Param("destinationphysicalnetworkid", Uuid("PhysicalNetwork"), "the destination Physical Network ID to "
                                                                           "bridge to"),
            Param("servicelist", ListOf(), "the list of services to be enabled for this physical network service "
                                           "provider")))

UPDATE_PROVIDER = Command(
    "updateNetworkServiceProvider", "Updates a network serviceProvider of a physical network",
    response=PROVIDER_RESPONSE, is_async=True, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateNetworkServiceProviderCmd", related=_RELATED,
    params=(Param("id", Uuid("NetworkServiceProvider"), "network service provider id", required=True),
            Param("state", String(), "Enabled/Disabled/Shutdown the physical network service provider"),
            Param("servicelist", ListOf(), "the list of services to be enabled for this physical network service "
                                           "provider")))

DELETE_PROVIDER = Command(
    "deleteNetworkServiceProvider", "Deletes a Network Service Provider.", kind=CommandKind.SUCCESS, is_async=True,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "DeleteNetworkServiceProviderCmd",
    params=(Param("id", Uuid("NetworkServiceProvider"), "the ID of the network service provider", required=True),))


def services_of(registry: PluginRegistry, name: str) -> list[str]:
    """What a provider offers: the installed plugin's declared services, else CloudStack's list."""
    if name in registry.network_providers():
        return sorted(s.value for s in registry.network_provider_class(name).capabilities.services)
    return _ROUTER_SERVICES.get(name, [])


def view(session: Session, registry: PluginRegistry, row: NetworkServiceProviderRow) -> dict[str, Any]:
    return provider_view(session, row, services_of(registry, row.provider_name))


@LIST_PROVIDERS.handler
def list_providers(call: Call, physicalnetworkid: PhysicalNetwork | None = None, name: str | None = None,
                   state: str | None = None, **_ignored: Any) -> ListResult:
    rows, count = providers.list_providers(call.session, call.caller, physical=physicalnetworkid, name=name,
                                           state=state, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([view(call.session, call.registry, row) for row in rows], count)


@ADD_PROVIDER.prepare
def prepare_provider(call: Call, name: str, physicalnetworkid: PhysicalNetwork,
                     destinationphysicalnetworkid: PhysicalNetwork | None = None, **_ignored: Any) -> str:
    return providers.add_provider(call.session, call.caller, call.registry, physicalnetworkid, name,
                                  destinationphysicalnetworkid).uuid


@ADD_PROVIDER.handler
def add_provider(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    row = call.session.scalars(select(NetworkServiceProviderRow).where(NetworkServiceProviderRow.uuid == id)).one()
    return view(call.session, call.registry, row)


@UPDATE_PROVIDER.handler
def update_provider(call: Call, id: NetworkServiceProviderRow, state: str | None = None,
                    **_ignored: Any) -> dict[str, Any]:
    return view(call.session, call.registry, providers.update_provider(call.session, call.caller, id, state))


@DELETE_PROVIDER.handler
def delete_provider(call: Call, id: NetworkServiceProviderRow) -> None:
    providers.delete_provider(call.session, call.caller, id)

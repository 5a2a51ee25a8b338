"""Network service providers on a physical network, and the elements of router-type providers.

addNetworkServiceProvider, updateNetworkServiceProvider (Enabled/Disabled/Shutdown),
deleteNetworkServiceProvider, listNetworkServiceProviders, and list/configure of the VirtualRouter,
VpcVirtualRouter and InternalLbVm elements. As in CloudStack, a router-type provider can only be
enabled once its element is.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.networks import (
    Network,
    NetworkOfferingService,
    NetworkServiceProviderRow,
    PhysicalNetwork,
    ProviderState,
    VirtualRouterElement,
)
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, InvalidState, ResourceInUse
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event

#: Providers every new physical network gets, Disabled, each with a disabled element (CloudStack 4.3).
ROUTER_PROVIDERS = ("VirtualRouter", "VpcVirtualRouter", "InternalLbVm")


def add_default_providers(session: Session, physical: PhysicalNetwork) -> None:
    for name in ROUTER_PROVIDERS:
        row = NetworkServiceProviderRow(physical_network_id=physical.id, provider_name=name)
        session.add(row)
        session.flush()
        session.add(VirtualRouterElement(provider_id=row.id, element_type=name))
    session.flush()


def add_provider(session: Session, caller: Caller, registry: PluginRegistry, physical: PhysicalNetwork, name: str,
                 destination: PhysicalNetwork | None = None) -> NetworkServiceProviderRow:
    """Add provider `name` (an installed plugin's provider) to `physical`, Disabled. Records
    NETWORK.SERVICE.PROVIDER.CREATE."""
    known = {provider.lower(): provider for provider in [*registry.network_providers(), *ROUTER_PROVIDERS]}
    canonical = known.get(name.strip().lower())
    if canonical is None:
        raise InvalidParameter("name", f"{name!r} is not an installed network service provider "
                                       f"(installed: {', '.join(sorted(known.values()))})")
    if find(session, physical, canonical) is not None:
        raise InvalidParameter("name", f"physical network {physical.name} already has provider {canonical}")
    row = NetworkServiceProviderRow(physical_network_id=physical.id, provider_name=canonical,
                                    destination_physical_network_id=destination.id if destination else None)
    session.add(row)
    session.flush()
    if canonical in ROUTER_PROVIDERS:
        session.add(VirtualRouterElement(provider_id=row.id, element_type=canonical))
        session.flush()
    record_event(session, caller, "NETWORK.SERVICE.PROVIDER.CREATE", f"Added provider {canonical} to physical "
                 f"network {physical.name}", resource_type="NetworkServiceProvider", resource_uuid=row.uuid)
    return row


def update_provider(session: Session, caller: Caller, row: NetworkServiceProviderRow,
                    state: str | None = None) -> NetworkServiceProviderRow:
    """Change the provider's state. Enabling a router-type provider needs its element enabled.
    Records NETWORK.SERVICE.PROVIDER.UPDATE."""
    if state is not None:
        accepted = {s.value.lower(): s.value for s in ProviderState}
        if state.strip().lower() not in accepted:
            raise InvalidParameter("state", f"{state!r} is not a provider state; use Enabled, Disabled or Shutdown")
        new_state = accepted[state.strip().lower()]
        element = element_of(session, row)
        if new_state == ProviderState.ENABLED.value and element is not None and not element.enabled:
            raise InvalidState(f"id: provider {row.provider_name} is not ready: configure its element "
                               f"(configureVirtualRouterElement enabled=true) before enabling it")
        row.state = new_state
    session.flush()
    record_event(session, caller, "NETWORK.SERVICE.PROVIDER.UPDATE", f"Provider {row.provider_name} is {row.state}",
                 resource_type="NetworkServiceProvider", resource_uuid=row.uuid)
    return row


def delete_provider(session: Session, caller: Caller, row: NetworkServiceProviderRow) -> None:
    """Remove a provider no network of its physical network relies on. Records NETWORK.SERVICE.PROVIDER.DELETE."""
    user = session.scalar(select(Network.name).join(
        NetworkOfferingService, NetworkOfferingService.network_offering_id == Network.network_offering_id).where(
        Network.physical_network_id == row.physical_network_id, Network.removed.is_(None),
        NetworkOfferingService.provider == row.provider_name))
    if user is not None:
        raise ResourceInUse(f"id: provider {row.provider_name} serves network {user}; delete that network first")
    element = element_of(session, row)
    if element is not None:
        session.delete(element)
        session.flush()  # the element goes before its provider (foreign key)
    session.delete(row)
    session.flush()
    record_event(session, caller, "NETWORK.SERVICE.PROVIDER.DELETE", f"Removed provider {row.provider_name}",
                 resource_type="NetworkServiceProvider", resource_uuid=row.uuid)


def list_providers(session: Session, caller: Caller, *, physical: PhysicalNetwork | None = None,
                   name: str | None = None, state: str | None = None, page: int = 1,
                   pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[NetworkServiceProviderRow], int]:
    statement = scope.visible(caller, "NetworkServiceProvider")
    if physical is not None:
        statement = statement.where(NetworkServiceProviderRow.physical_network_id == physical.id)
    if name is not None:
        statement = statement.where(func.lower(NetworkServiceProviderRow.provider_name) == name.strip().lower())
    if state is not None:
        statement = statement.where(func.lower(NetworkServiceProviderRow.state) == state.strip().lower())
    return fetch_page(session, statement.order_by(NetworkServiceProviderRow.id), page, pagesize)


def find(session: Session, physical: PhysicalNetwork, name: str) -> NetworkServiceProviderRow | None:
    return session.scalars(select(NetworkServiceProviderRow).where(
        NetworkServiceProviderRow.physical_network_id == physical.id,
        func.lower(NetworkServiceProviderRow.provider_name) == name.lower())).first()


def element_of(session: Session, row: NetworkServiceProviderRow) -> VirtualRouterElement | None:
    return session.scalars(select(VirtualRouterElement).where(VirtualRouterElement.provider_id == row.id)).first()


def configure_element(session: Session, caller: Caller, element: VirtualRouterElement,
                      enabled: bool) -> VirtualRouterElement:
    """Enable or disable a router element. Records NETWORK.ELEMENT.CONFIGURE."""
    element.enabled = enabled
    session.flush()
    record_event(session, caller, "NETWORK.ELEMENT.CONFIGURE", f"{element.element_type} element "
                 f"{'enabled' if enabled else 'disabled'}", resource_type="VirtualRouterElement",
                 resource_uuid=element.uuid)
    return element


def list_elements(session: Session, caller: Caller, element_type: str, *, id: VirtualRouterElement | None = None,
                  provider: NetworkServiceProviderRow | None = None, enabled: bool | None = None, page: int = 1,
                  pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[VirtualRouterElement], int]:
    statement = scope.visible(caller, "VirtualRouterElement").where(VirtualRouterElement.element_type == element_type)
    if id is not None:
        statement = statement.where(VirtualRouterElement.id == id.id)
    if provider is not None:
        statement = statement.where(VirtualRouterElement.provider_id == provider.id)
    if enabled is not None:
        statement = statement.where(VirtualRouterElement.enabled.is_(enabled))
    return fetch_page(session, statement.order_by(VirtualRouterElement.id), page, pagesize)


def is_enabled_in_zone(session: Session, zone_id: int, provider_name: str) -> bool:
    """Whether a physical network of the zone has `provider_name` Enabled."""
    return session.scalar(select(func.count(NetworkServiceProviderRow.id)).join(
        PhysicalNetwork, PhysicalNetwork.id == NetworkServiceProviderRow.physical_network_id).where(
        PhysicalNetwork.zone_id == zone_id, PhysicalNetwork.removed.is_(None),
        NetworkServiceProviderRow.provider_name == provider_name,
        NetworkServiceProviderRow.state == ProviderState.ENABLED.value)) > 0

"""Bringing a guest network up on its providers, and down again.

Implementing a network gives it what its offering needs before any provider is called: its isolation
id, its source NAT address (offerings with SourceNat) and its Router row (offerings served by the
VirtualRouter). Then every provider of the offering implements it. Shutting down asks every provider
to remove what it configured; the network keeps its id and addresses until it is deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import (
    Network,
    NetworkServiceProviderRow,
    NetworkState,
    PhysicalNetwork,
    ProviderState,
    Router,
    RouterState,
)
from cirrostack.errors import ResourceUnavailable
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks import guest_vlans, public_ips
from cirrostack.services.networks.providers import ROUTER_PROVIDERS
from cirrostack.services.networks.service_network import installed_providers, offering_providers, service_network
from cirrostack.services.vpc import router_rows


def implement(session: Session, registry: PluginRegistry, secrets: Any, network: Network,
              caller: Caller | None = None) -> None:
    """Implement `network` on each provider of its offering; an implemented network is left as is.

    On a provider failure the network stays Allocated (or Shutdown) and its router is marked Error;
    the error is raised. Records NETWORK.IMPLEMENT."""
    _lock(session, network)
    if network.state == NetworkState.IMPLEMENTED.value:
        return
    providers_by_name = offering_providers(session, network.network_offering_id)
    _require_enabled(session, network, providers_by_name)
    if not network.broadcast_uri and network.physical_network_id is not None:
        physical = session.get(PhysicalNetwork, network.physical_network_id)
        network.broadcast_uri = guest_vlans.allocate(session, registry, physical, network)
    in_vpc = network.vpc_id is not None  # a tier: the VPC holds the source NAT address and the router
    if not in_vpc and any("SourceNat" in services for services in providers_by_name.values()) \
            and public_ips.source_nat_of(session, network) is None:
        public_ips.acquire(session, caller, owner=session.get(Account, network.account_id),
                           zone=session.get(Zone, network.zone_id), network=network, source_nat=True)
    router = _ensure_router(session, network) if not in_vpc and set(providers_by_name) & set(ROUTER_PROVIDERS) \
        else None
    session.flush()
    described = service_network(session, network, secrets)
    try:
        for provider in installed_providers(session, registry, network):
            provider.implement_network(described)
    except Exception:
        if router is not None:
            router.state = RouterState.ERROR.value
        session.flush()
        raise
    network.state = NetworkState.IMPLEMENTED.value
    if router is not None:
        router.state = RouterState.RUNNING.value
        router.public_ip = described.source_nat_ip or None
        router.guest_ip = network.gateway
        router.problems = ""
    if in_vpc:
        router_rows.tier_implemented(session, network, described)
    session.flush()
    record_event(session, caller, "NETWORK.IMPLEMENT", f"Implemented network {network.name} "
                 f"({network.broadcast_uri})", account_id=network.account_id, domain_id=network.domain_id,
                 resource_type="Network", resource_uuid=network.uuid)


def shutdown(session: Session, registry: PluginRegistry, secrets: Any, network: Network, *,
             destroy_router: bool = False, caller: Caller | None = None) -> None:
    """Ask every provider to remove what it configured for `network`; its router is Stopped (or removed
    with `destroy_router`). The network becomes Shutdown. Idempotent."""
    described = service_network(session, network, secrets)
    for provider in installed_providers(session, registry, network):
        provider.shutdown_network(described)
    if network.vpc_id is not None:  # the VPC's router outlives its tiers: it stops with the last one
        router_rows.tier_shut_down(session, network)
    router = router_of(session, network)
    if router is not None:
        router.state = RouterState.STOPPED.value
        if destroy_router:
            router.state = RouterState.DESTROYED.value
            router.mark_removed()
    if network.state != NetworkState.ALLOCATED.value:
        network.state = NetworkState.SHUTDOWN.value
    session.flush()
    record_event(session, caller, "NETWORK.SHUTDOWN", f"Shut down network {network.name}",
                 account_id=network.account_id, domain_id=network.domain_id, resource_type="Network",
                 resource_uuid=network.uuid)


def _require_enabled(session: Session, network: Network, providers_by_name: dict[str, set[str]]) -> None:
    """Refuse to implement on a provider the network's physical network has not Enabled (as CloudStack)."""
    if network.physical_network_id is None:
        return
    enabled = set(session.scalars(select(NetworkServiceProviderRow.provider_name).where(
        NetworkServiceProviderRow.physical_network_id == network.physical_network_id,
        NetworkServiceProviderRow.state == ProviderState.ENABLED.value)))
    for name in sorted(set(providers_by_name) - enabled):
        physical = session.get(PhysicalNetwork, network.physical_network_id)
        raise ResourceUnavailable(f"network {network.name}: provider {name} is not Enabled on physical network "
                                  f"{physical.name}; enable it with updateNetworkServiceProvider state=Enabled")


def _lock(session: Session, network: Network) -> None:
    """Hold the network's row until this transaction ends and read it again: of two jobs implementing one
    network (two VMs starting on it), the second waits and then finds it implemented, so the network never
    gets two source NAT addresses or two routers. (A no-op UPDATE locks the row on MariaDB and takes the
    write lock on SQLite.)"""
    session.execute(update(Network).where(Network.id == network.id).values(state=Network.state)
                    .execution_options(synchronize_session=False))
    session.refresh(network)


def router_of(session: Session, network: Network) -> Router | None:
    return session.scalars(select(Router).where(Router.network_id == network.id, Router.removed.is_(None))).first()


def _ensure_router(session: Session, network: Network) -> Router:
    router = router_of(session, network)
    if router is None:
        router = Router(name="", network_id=network.id, zone_id=network.zone_id, account_id=network.account_id,
                        domain_id=network.domain_id, state=RouterState.STARTING.value, backend="namespace")
        session.add(router)
        session.flush()
        router.name = f"r-{router.id}-VM"
    else:
        router.state = RouterState.STARTING.value
    return router

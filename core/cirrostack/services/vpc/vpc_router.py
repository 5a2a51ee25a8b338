"""The VPC's router as a whole, apart from any tier: started by createVPC (unless start=false), restartVPC
and startRouter, removed by stopRouter, destroyRouter and deleteVPC, and read back by the router monitor.

CloudStack 4.3 allocates and starts a VPC's virtual router when the VPC is created; the router holds the
VPC's source NAT address on its public side and drops everything no tier's network ACL lets through. A VPC
created with start=false gets its router when its first tier is implemented or on restartVPC. The router
then stays while the VPC lives, with or without tiers in use.

The VpcVirtualRouter provider does the work (`start_router`, `stop_router`, `router_problems`); this module
describes the VPC to it and keeps the Router row (router_rows) in step.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Router, VlanIpRange
from cirrostack.db.models.vpc import Vpc
from cirrostack.errors import ResourceUnavailable
from cirrostack.hookspecs.network_rules import ServiceNetwork
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services.networks.service_network import public_broadcast_uri
from cirrostack.services.vpc import addresses, router_rows


@runtime_checkable
class WholeVpcRouter(Protocol):
    """What a provider of VPC routers offers beyond the per-tier contract: the router of a whole VPC."""

    def start_router(self, vpc: ServiceNetwork) -> list[str]: ...

    def stop_router(self, vpc_uuid: str) -> None: ...

    def router_problems(self, vpc: ServiceNetwork) -> list[str]: ...


def describe(session: Session, vpc: Vpc) -> ServiceNetwork:
    """The VPC as its router's provider is told about it: `uuid` and `vpc_uuid` are the VPC's, `cidr` its
    CIDR, and the public side (source NAT address, its range's netmask, gateway and VLAN, every address the
    VPC holds) as the database has it now. There is no tier, so no gateway or broadcast URI."""
    held = addresses.addresses_of(session, vpc.id)
    source_nat = next((address for address in held if address.is_source_nat), None)
    public_range = session.get(VlanIpRange, source_nat.vlan_range_id) if source_nat is not None else None
    zone = session.get(Zone, vpc.zone_id)
    return ServiceNetwork(
        uuid=vpc.uuid, name=vpc.name, cidr=vpc.cidr, gateway="", broadcast_uri="", vpc_uuid=vpc.uuid,
        source_nat_ip=source_nat.address if source_nat is not None else "",
        network_domain=vpc.network_domain or "",
        dns_servers=tuple(server for server in ((zone.dns1, zone.dns2) if zone is not None else ()) if server),
        public_netmask=public_range.netmask if public_range is not None else "",
        public_gateway=public_range.gateway if public_range is not None else "",
        public_broadcast_uri=public_broadcast_uri(public_range.vlan_tag) if public_range is not None else "",
        public_ips=tuple(address.address for address in held))


def provider(registry: PluginRegistry) -> WholeVpcRouter:
    """The installed VpcVirtualRouter. Raises ResourceUnavailable when no plugin provides it, or when the one
    installed cannot run a VPC's router without tiers."""
    name = router_rows.PROVIDER_NAME
    if name not in registry.network_providers():
        raise ResourceUnavailable(f"provider {name}: no installed plugin provides it, so no VPC router can be "
                                  f"started (installed: {', '.join(registry.network_providers()) or 'none'})")
    found: Any = registry.network_provider(name)
    if not isinstance(getattr(found, "unguarded", found), WholeVpcRouter):
        raise ResourceUnavailable(f"provider {name} from plugin {getattr(found, 'plugin_name', '?')} cannot start "
                                  f"a VPC's router by itself (it has no start_router/stop_router)")
    return found


def start(session: Session, registry: PluginRegistry, vpc: Vpc) -> Router:
    """Bring the VPC's router up with the VPC's public side and every tier it served, and mark its row
    Running (creating the row when the VPC has none). Raises what the provider raises (HostUnreachable,
    ResourceAllocationFailed) and ResourceUnavailable when the provider is not installed."""
    described = describe(session, vpc)
    provider(registry).start_router(described)
    return router_rows.router_started(session, vpc, described.source_nat_ip)


def stop(registry: PluginRegistry, vpc: Vpc) -> None:
    """Remove the VPC's router from the network host (namespace, processes, files), tiers and all."""
    provider(registry).stop_router(vpc.uuid)


def problems(session: Session, registry: PluginRegistry, vpc: Vpc) -> list[str]:
    """What is wrong with the VPC's router as a whole ([] when healthy); tiers are checked on their own."""
    return provider(registry).router_problems(describe(session, vpc))

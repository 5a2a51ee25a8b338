"""What a network service provider is told about a guest network, and which provider serves a service.

`service_network` turns a Network row into the frozen `ServiceNetwork` of the provider contract;
`provider_for` finds the provider the network's offering names for a service.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import (
    IpState,
    Network,
    NetworkOffering,
    NetworkOfferingService,
    PhysicalNetwork,
    PublicIpAddress,
    VlanIpRange,
)
from cirrostack.db.models.vpc import Vpc
from cirrostack.errors import ResourceUnavailable
from cirrostack.hookspecs.network_rules import ServiceNetwork
from cirrostack.hookspecs.network_service import NetworkService, NetworkServiceProvider
from cirrostack.plugins.registry import PluginRegistry


def isolation_method_of(session: Session, network: Network) -> str:
    """The isolation method of the network's physical network ("VLAN" when it names none)."""
    if network.physical_network_id is None:
        return "VLAN"
    methods = session.scalar(select(PhysicalNetwork.isolation_methods)
                             .where(PhysicalNetwork.id == network.physical_network_id)) or "VLAN"
    return methods.split(",")[0].strip() or "VLAN"


def public_broadcast_uri(vlan_tag: str) -> str:
    """"vlan://untagged" or "vlan://<tag>" for a public range's `vlan_tag`."""
    tag = (vlan_tag or "untagged").strip()
    return tag if "://" in tag else f"vlan://{tag}"


def service_network(session: Session, network: Network, secrets: Any = None) -> ServiceNetwork:
    """The network as the provider contract describes it, read from the database now.

    `secrets` is accepted for providers backed by a device whose credentials are stored encrypted;
    no such device is assigned by the core yet, so `device` is None.
    """
    del secrets
    zone = session.get(Zone, network.zone_id)
    owned_by = PublicIpAddress.network_id == network.id
    vpc = session.get(Vpc, network.vpc_id) if network.vpc_id is not None else None
    if vpc is not None:  # a tier: the VPC's addresses, its source NAT address among them
        owned_by = PublicIpAddress.vpc_id == vpc.id
    ips = session.scalars(select(PublicIpAddress).where(owned_by, PublicIpAddress.state == IpState.ALLOCATED.value)
                          .order_by(PublicIpAddress.id)).all()
    source_nat = next((ip for ip in ips if ip.is_source_nat), None)
    public_range = session.get(VlanIpRange, source_nat.vlan_range_id) if source_nat is not None else None
    dns = tuple(server for server in ((zone.dns1, zone.dns2) if zone is not None else ()) if server)
    offering = session.get(NetworkOffering, network.network_offering_id)
    return ServiceNetwork(
        uuid=network.uuid, name=network.name, cidr=network.cidr or "", gateway=network.gateway or "",
        broadcast_uri=network.broadcast_uri or "", isolation_method=isolation_method_of(session, network),
        source_nat_ip=source_nat.address if source_nat is not None else "",
        network_domain=network.network_domain or "", dns_servers=dns,
        public_netmask=public_range.netmask if public_range is not None else "",
        public_gateway=public_range.gateway if public_range is not None else "",
        public_broadcast_uri=public_broadcast_uri(public_range.vlan_tag) if public_range is not None else "",
        public_ips=tuple(ip.address for ip in ips), vpc_uuid=vpc.uuid if vpc is not None else "",
        egress_default_allow=True if vpc is not None else
        bool(offering.egress_default_allow) if offering is not None else True)


def offering_providers(session: Session, network_offering_id: int) -> dict[str, set[str]]:
    """The offering's services by provider name: {"VirtualRouter": {"Dhcp", "Dns", ...}}."""
    by_provider: dict[str, set[str]] = {}
    for row in session.scalars(select(NetworkOfferingService)
                               .where(NetworkOfferingService.network_offering_id == network_offering_id)):
        by_provider.setdefault(row.provider, set()).add(row.service)
    return by_provider


def provider_name_for(session: Session, network: Network, service: NetworkService) -> str | None:
    """The provider name the network's offering gives for `service`, None when it lacks the service."""
    return session.scalar(select(NetworkOfferingService.provider).where(
        NetworkOfferingService.network_offering_id == network.network_offering_id,
        NetworkOfferingService.service == service.value))


def provider_for(session: Session, registry: PluginRegistry, network: Network,
                 service: NetworkService) -> NetworkServiceProvider | None:
    """The provider the network's offering names for `service`, from the plugin registry and behind
    the capability guard; None when the offering does not include the service.

    Raises ResourceUnavailable naming the provider when no installed plugin provides it.
    """
    name = provider_name_for(session, network, service)
    if name is None:
        return None
    if name not in registry.network_providers():
        raise ResourceUnavailable(f"network {network.name}: its offering has {service.value} delivered by "
                                  f"provider {name}, which no installed plugin provides "
                                  f"(installed: {', '.join(registry.network_providers()) or 'none'})")
    return registry.network_provider(name)


def installed_providers(session: Session, registry: PluginRegistry, network: Network) -> list[NetworkServiceProvider]:
    """Every provider of the network's offering, guarded; raises ResourceUnavailable for a missing one."""
    providers = []
    installed = registry.network_providers()
    for name in sorted(offering_providers(session, network.network_offering_id)):
        if name not in installed:
            raise ResourceUnavailable(f"network {network.name}: its offering uses provider {name}, which no "
                                      f"installed plugin provides (installed: {', '.join(installed) or 'none'})")
        providers.append(registry.network_provider(name))
    return providers


def netmask_of(cidr: str) -> str:
    """"255.255.255.0" for "10.1.1.0/24" ("" for an empty CIDR)."""
    return str(ipaddress.ip_network(cidr, strict=False).netmask) if cidr else ""

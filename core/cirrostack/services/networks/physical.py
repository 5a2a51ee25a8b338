"""Physical networks: createPhysicalNetwork, updatePhysicalNetwork, listPhysicalNetworks, deletePhysicalNetwork.

A new physical network starts Disabled with the router-type providers present and Disabled, as in
CloudStack. Its `vlan` ranges are checked by its isolation method; shrinking them is refused while a
guest network uses an id outside the new ranges.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import (
    GuestVnetAllocation,
    Network,
    NetworkServiceProviderRow,
    PhysicalNetwork,
    PhysicalNetworkState,
    PhysicalNetworkTrafficType,
    VirtualRouterElement,
)
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.hookspecs.isolation import parse_id_ranges
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks import providers
from cirrostack.services.networks.guest_vlans import physical_network_spec

BROADCAST_DOMAIN_RANGES = ("ZONE", "POD")


def create_physical_network(session: Session, caller: Caller, registry: PluginRegistry, *, zone: Zone, name: str,
                            isolationmethods: list[str] | None = None, vlan: str | None = None,
                            networkspeed: str | None = None, broadcastdomainrange: str | None = None,
                            tags: list[str] | None = None, domain_id: int | None = None) -> PhysicalNetwork:
    """A Disabled physical network in `zone` with the VirtualRouter, VpcVirtualRouter and InternalLbVm
    providers present and Disabled. Records PHYSICAL.NETWORK.CREATE."""
    methods = _isolation_methods(registry, isolationmethods or ["VLAN"])
    if not name.strip():
        raise InvalidParameter("name", "a physical network needs a non-empty name")
    physical = PhysicalNetwork(name=name.strip(), zone_id=zone.id, domain_id=domain_id,
                               isolation_methods=",".join(methods), network_speed=networkspeed,
                               broadcast_domain_range=_broadcast_range(broadcastdomainrange, zone),
                               tags=",".join(tags) if tags else None)
    session.add(physical)
    session.flush()
    if vlan:
        _set_vlan(session, registry, physical, vlan)
    providers.add_default_providers(session, physical)
    record_event(session, caller, "PHYSICAL.NETWORK.CREATE", f"Created physical network {physical.name} in zone "
                 f"{zone.name}", resource_type="PhysicalNetwork", resource_uuid=physical.uuid)
    return physical


def update_physical_network(session: Session, caller: Caller, registry: PluginRegistry, physical: PhysicalNetwork,
                            *, state: str | None = None, vlan: str | None = None, networkspeed: str | None = None,
                            tags: list[str] | None = None, removevlan: str | None = None) -> PhysicalNetwork:
    """Change state (Enabled/Disabled), guest id ranges, speed or tags. Records PHYSICAL.NETWORK.UPDATE."""
    if state is not None:
        accepted = {s.value.lower(): s.value for s in PhysicalNetworkState}
        if state.strip().lower() not in accepted:
            raise InvalidParameter("state", f"{state!r} is not a physical network state; use Enabled or Disabled")
        physical.state = accepted[state.strip().lower()]
    if vlan is not None:
        merged = ",".join(filter(None, [physical.vlan, vlan])) if physical.vlan else vlan
        _set_vlan(session, registry, physical, _merge_ranges(merged, "vlan"))
    if removevlan is not None:
        _set_vlan(session, registry, physical, _subtract_ranges(physical.vlan or "", removevlan))
    if networkspeed is not None:
        physical.network_speed = networkspeed
    if tags is not None:
        physical.tags = ",".join(tags) or None
    session.flush()
    record_event(session, caller, "PHYSICAL.NETWORK.UPDATE", f"Updated physical network {physical.name}",
                 resource_type="PhysicalNetwork", resource_uuid=physical.uuid)
    return physical


def delete_physical_network(session: Session, caller: Caller, physical: PhysicalNetwork) -> None:
    """Remove a physical network no guest network uses, with its traffic types and providers.
    Records PHYSICAL.NETWORK.DELETE; raises ResourceInUse naming the networks still on it."""
    users = session.scalars(select(Network.name).where(Network.physical_network_id == physical.id,
                                                       Network.removed.is_(None)).limit(5)).all()
    if users:
        raise ResourceInUse(f"physical network {physical.name} still carries guest networks "
                            f"({', '.join(users)}); delete them first")
    for row in session.scalars(select(NetworkServiceProviderRow)
                               .where(NetworkServiceProviderRow.physical_network_id == physical.id)):
        for element in session.scalars(select(VirtualRouterElement).where(VirtualRouterElement.provider_id == row.id)):
            session.delete(element)
        session.flush()  # elements go before their provider (foreign key)
        session.delete(row)
    for traffic in session.scalars(select(PhysicalNetworkTrafficType)
                                   .where(PhysicalNetworkTrafficType.physical_network_id == physical.id)):
        session.delete(traffic)
    physical.mark_removed()
    session.flush()
    record_event(session, caller, "PHYSICAL.NETWORK.DELETE", f"Deleted physical network {physical.name}",
                 resource_type="PhysicalNetwork", resource_uuid=physical.uuid)


def list_physical_networks(session: Session, caller: Caller, *, id: PhysicalNetwork | None = None,
                           zone: Zone | None = None, name: str | None = None, keyword: str | None = None,
                           page: int = 1,
                           pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[PhysicalNetwork], int]:
    statement = scope.visible(caller, "PhysicalNetwork")
    if id is not None:
        statement = statement.where(PhysicalNetwork.id == id.id)
    if zone is not None:
        statement = statement.where(PhysicalNetwork.zone_id == zone.id)
    if name is not None:
        statement = statement.where(func.lower(PhysicalNetwork.name) == name.strip().lower())
    if keyword:
        statement = statement.where(PhysicalNetwork.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(PhysicalNetwork.id), page, pagesize)


def guest_physical_network(session: Session, zone_id: int) -> PhysicalNetwork | None:
    """The zone's physical network carrying Guest traffic (the first one), None in a zone without one."""
    return session.scalars(select(PhysicalNetwork).join(
        PhysicalNetworkTrafficType, PhysicalNetworkTrafficType.physical_network_id == PhysicalNetwork.id).where(
        PhysicalNetwork.zone_id == zone_id, PhysicalNetwork.removed.is_(None),
        PhysicalNetworkTrafficType.traffic_type == "Guest").order_by(PhysicalNetwork.id)).first()


def _isolation_methods(registry: PluginRegistry, requested: list[str]) -> list[str]:
    installed = {name.lower(): name for name in registry.isolation_methods()}
    methods = []
    for method in requested:
        canonical = installed.get(method.strip().lower())
        if canonical is None:
            available = ", ".join(sorted(installed.values())) or "none"
            raise InvalidParameter("isolationmethods", f"{method!r} is not an installed isolation method "
                                                       f"(installed: {available})")
        methods.append(canonical)
    return methods


def _broadcast_range(value: str | None, zone: Zone) -> str:
    if value is None:
        return "POD" if zone.network_type == "Basic" else "ZONE"
    if value.strip().upper() not in BROADCAST_DOMAIN_RANGES:
        raise InvalidParameter("broadcastdomainrange", f"{value!r} is not ZONE or POD")
    return value.strip().upper()


def _set_vlan(session: Session, registry: PluginRegistry, physical: PhysicalNetwork, vlan: str) -> None:
    ranges = parse_id_ranges(vlan)
    method = registry.isolation_method((physical.isolation_methods or "VLAN").split(",")[0])
    method.validate_physical_network(replace(physical_network_spec(session, physical), id_ranges=ranges))
    for uri in session.scalars(select(GuestVnetAllocation.broadcast_uri)
                               .where(GuestVnetAllocation.physical_network_id == physical.id)):
        number = uri.partition("://")[2]
        if number.isdigit() and not any(int(number) in id_range for id_range in ranges):
            raise ResourceInUse(f"vlan: id {number} is used by a guest network on physical network "
                                f"{physical.name}, so the ranges {vlan} must include it")
    physical.vlan = ",".join(str(id_range) for id_range in ranges) or None


def _merge_ranges(text: str, param: str) -> str:
    merged: list[list[int]] = []
    for id_range in parse_id_ranges(text, param):
        if merged and id_range.first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], id_range.last)
        else:
            merged.append([id_range.first, id_range.last])
    return ",".join(f"{first}-{last}" for first, last in merged)


def _subtract_ranges(current: str, removed: str) -> str:
    drop = parse_id_ranges(removed, "removevlan")
    kept: list[str] = []
    for id_range in parse_id_ranges(current):
        numbers = [n for n in range(id_range.first, id_range.last + 1) if not any(n in d for d in drop)]
        kept.extend(_compact(numbers))
    return ",".join(kept)


def _compact(numbers: list[int]) -> list[str]:
    pieces: list[str] = []
    for number in numbers:
        if pieces and int(pieces[-1].split("-")[-1]) == number - 1:
            pieces[-1] = f"{pieces[-1].split('-')[0]}-{number}"
        else:
            pieces.append(f"{number}-{number}")
    return pieces


"""Guest isolation ids (VLANs, VNIs): taken through the isolation method, made unique by the database.

The isolation method picks the lowest id of the physical network's ranges whose URI is not taken;
the core then inserts a `GuestVnetAllocation` row (unique per zone and URI) in a savepoint. When a
concurrent request inserted the same URI first, the insert fails, the URI joins the taken set and
the method is asked again, so parallel createNetwork calls end up with distinct ids.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import GuestVnetAllocation, Network, PhysicalNetwork
from cirrostack.errors import InvalidParameter, ResourceAllocationFailed
from cirrostack.hookspecs.isolation import GuestNetworkSpec, PhysicalNetworkSpec, parse_id_ranges
from cirrostack.plugins.registry import PluginRegistry

MAX_ATTEMPTS = 200


def physical_network_spec(session: Session, physical_network: PhysicalNetwork) -> PhysicalNetworkSpec:
    """The physical network as the isolation contract describes it."""
    zone = session.get(Zone, physical_network.zone_id)
    return PhysicalNetworkSpec(uuid=physical_network.uuid, name=physical_network.name,
                               zone_uuid=zone.uuid if zone is not None else "",
                               zone_type=zone.network_type if zone is not None else "Advanced",
                               id_ranges=parse_id_ranges(physical_network.vlan or ""))


def guest_network_spec(network: Network) -> GuestNetworkSpec:
    return GuestNetworkSpec(uuid=network.uuid, name=network.name, guest_type=network.guest_type,
                            broadcast_uri=network.broadcast_uri or "", cidr=network.cidr or "")


def primary_method(physical_network: PhysicalNetwork) -> str:
    return (physical_network.isolation_methods or "VLAN").split(",")[0].strip() or "VLAN"


def allocate(session: Session, registry: PluginRegistry, physical_network: PhysicalNetwork,
             network: Network) -> str:
    """Take the next free isolation id of `physical_network` for `network` and record it.

    Returns the broadcast URI ("vlan://101"). Raises InsufficientCapacity when every id is taken,
    ResourceAllocationFailed when concurrent requests kept winning for MAX_ATTEMPTS tries.
    """
    method = registry.isolation_method(primary_method(physical_network))
    spec = physical_network_spec(session, physical_network)
    taken = set(session.scalars(select(GuestVnetAllocation.broadcast_uri)
                                .where(GuestVnetAllocation.zone_id == physical_network.zone_id)))
    for _attempt in range(MAX_ATTEMPTS):
        uri = method.allocate_broadcast_uri(spec, guest_network_spec(network), frozenset(taken))
        if _take(session, physical_network, network, uri):
            return uri
        taken.add(uri)
    raise ResourceAllocationFailed(f"physical network {physical_network.name}: no guest id could be taken after "
                                   f"{MAX_ATTEMPTS} attempts; concurrent requests took each one first")


def reserve_given(session: Session, registry: PluginRegistry, physical_network: PhysicalNetwork,
                  network: Network, value: str, param: str = "vlan") -> str:
    """Take the id an administrator named (createNetwork's `vlan`). Raises InvalidParameter naming
    `param` when it is malformed or already used in the zone."""
    method = registry.isolation_method(primary_method(physical_network))
    uri = method.canonical_broadcast_uri(value, param)
    if not _take(session, physical_network, network, uri):
        raise InvalidParameter(param, f"{uri} is already used by another network in the zone")
    return uri


def release(session: Session, network: Network) -> None:
    """Forget the network's isolation id so that another network may take it."""
    session.execute(delete(GuestVnetAllocation).where(GuestVnetAllocation.network_id == network.id))


def _take(session: Session, physical_network: PhysicalNetwork, network: Network, uri: str) -> bool:
    try:
        with session.begin_nested():
            session.add(GuestVnetAllocation(zone_id=physical_network.zone_id, physical_network_id=physical_network.id,
                                            broadcast_uri=uri, network_id=network.id))
    except IntegrityError:
        return False
    return True

"""Guest network isolation methods: how guest networks are kept apart on a physical network.

An isolation method ("VLAN", "VXLAN", "L3VPN", ...) is named in createPhysicalNetwork's
`isolationmethods`. It says which ids a physical network may hand out (`vlan` ranges: VLAN
0..4095, VXLAN VNIs 0..16777214), turns an id into the guest network's broadcast URI
(`vlan://100`, `vxlan://5001`) and plumbs that network on each hypervisor host a guest NIC of it
lands on (bridges, VLAN and VXLAN devices), through the hypervisor's own host-side mechanism.

The core's database owns which ids are in use (they are unique per zone): it passes the taken
URIs to `allocate_broadcast_uri` and frees an id by forgetting the network. A method keeps no
database state of its own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cirrostack.errors import InsufficientCapacity, InvalidParameter
from cirrostack.hookspecs._capability import requires
from cirrostack.hookspecs._markers import hookspec
from cirrostack.hookspecs.hypervisor import HostRef


@dataclass(frozen=True, order=True)
class IdRange:
    """Inclusive range of isolation ids, written "first-last" as the API shows it."""

    first: int
    last: int

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.first <= value <= self.last

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


def parse_id_ranges(text: str, param: str = "vlan") -> tuple[IdRange, ...]:
    """Read "100-199,300" (createPhysicalNetwork's `vlan`) into sorted ranges.

    Checks the syntax only; the method's `validate_physical_network` checks its own bounds.
    Raises InvalidParameter naming `param` and the piece that could not be read.
    """
    ranges: list[IdRange] = []
    for piece in (part.strip() for part in text.split(",")):
        if not piece:
            continue
        first_text, _, last_text = piece.partition("-")
        try:
            first = int(first_text)
            last = int(last_text) if last_text else first
        except ValueError:
            raise InvalidParameter(param, f"{piece!r} is not an id or a range like 100-199") from None
        if first > last:
            raise InvalidParameter(param, f"{piece!r} starts after it ends")
        ranges.append(IdRange(first, last))
    return tuple(sorted(ranges))


@dataclass(frozen=True)
class IsolationCapabilities:
    """What an isolation method can do. The core refuses what is not declared before calling."""

    id_range: IdRange | None = IdRange(0, 4095)
    """Ids a physical network may use (VLAN 0-4095, VXLAN 0-16777214); None when the method's
    controller names networks itself (L3VPN) and `vlan` ranges do not apply."""

    broadcast_scheme: str = "vlan"
    """Scheme of the broadcast URIs the method hands out: "vlan", "vxlan", ..."""

    broadcast_type: str = "Vlan"
    """The network's `broadcastdomaintype` as the API shows it: "Vlan", "Vxlan", "Lswitch"."""

    zone_types: frozenset[str] = frozenset({"Advanced"})
    """Zone network types the method works in: "Advanced", "Basic"."""

    guest_types: frozenset[str] = frozenset({"Isolated", "Shared"})
    """Guest network types it isolates: "Isolated", "Shared"."""

    hypervisor_types: frozenset[str] = frozenset()
    """Hypervisor types whose hosts it can plumb ("KVM" for VXLAN in CloudStack 4.3)."""


@dataclass(frozen=True)
class PhysicalNetworkSpec:
    """A physical network as createPhysicalNetwork/updatePhysicalNetwork describe it."""

    uuid: str
    name: str
    zone_uuid: str
    zone_type: str = "Advanced"
    id_ranges: tuple[IdRange, ...] = ()
    traffic_label: str = ""  # the host device guest traffic leaves by, e.g. "eth1" or "cloudbr1"
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GuestNetworkSpec:
    """The guest network being isolated; `broadcast_uri` is empty until one is allocated."""

    uuid: str
    name: str
    guest_type: str = "Isolated"
    broadcast_uri: str = ""
    cidr: str = ""
    mtu: int = 0  # 0: the physical network's default


@dataclass(frozen=True)
class GuestHost:
    """A hypervisor host that will run a NIC of the network, and its hypervisor type."""

    host: HostRef
    hypervisor_type: str


@dataclass(frozen=True)
class HostNetwork:
    """A guest network as plumbed on one host: the bridge VM NICs attach to, and its device."""

    broadcast_uri: str
    bridge: str
    device: str = ""  # e.g. "eth1.100" or "vxlan5001"


def _host_type(arguments: dict[str, Any]) -> str:
    return arguments["host"].hypervisor_type


def _zone_type(arguments: dict[str, Any]) -> str:
    return arguments["physical_network"].zone_type


def _guest_type(arguments: dict[str, Any]) -> str:
    return arguments["network"].guest_type


class GuestIsolationMethod(ABC):
    """An isolation method. Implement the abstract host-side methods; the id handling below
    works for every id-based method (VLAN, VXLAN, GRE) and is overridden by controller-based ones.

    Methods are listed in the order the core calls them: when a physical network is created,
    when a guest network is implemented, for each host a NIC of it lands on, and on shutdown.
    """

    isolation_method: ClassVar[str]
    """The name claimed in `isolationmethods`: "VLAN", "VXLAN", "GRE", "L3VPN", ..."""

    capabilities: ClassVar[IsolationCapabilities] = IsolationCapabilities()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        """`settings` holds the current values of the settings the plugin registered."""
        self.settings: Mapping[str, Any] = dict(settings or {})

    # -- physical network ----------------------------------------------------------------------

    @requires("zone_types", member=_zone_type)
    def validate_physical_network(self, physical_network: PhysicalNetworkSpec) -> None:
        """Check a physical network before createPhysicalNetwork/updatePhysicalNetwork store it.

        Every range must lie within `capabilities.id_range` and ranges must not overlap; a
        method without ids refuses any range. Changes nothing. Gated by `zone_types`.
        Raises InvalidParameter("vlan", ...) naming the range and the accepted bounds.
        """
        bounds = self.capabilities.id_range
        ranges = sorted(physical_network.id_ranges)
        if bounds is None and ranges:
            raise InvalidParameter("vlan", f"isolation method {self.isolation_method} uses no ids, "
                                           f"so the range {ranges[0]} cannot be given")
        for number, id_range in enumerate(ranges):
            if bounds is not None and (id_range.first not in bounds or id_range.last not in bounds):
                raise InvalidParameter("vlan", f"range {id_range} is outside {bounds}, the ids "
                                               f"{self.isolation_method} accepts")
            if number and id_range.first <= ranges[number - 1].last:
                raise InvalidParameter("vlan", f"range {id_range} overlaps {ranges[number - 1]}")

    # -- guest network ---------------------------------------------------------------------------

    @requires("guest_types", member=_guest_type)
    @requires("zone_types", member=_zone_type)
    def allocate_broadcast_uri(self, physical_network: PhysicalNetworkSpec, network: GuestNetworkSpec,
                               taken: Set[str]) -> str:
        """Choose the broadcast URI of `network`: the lowest id of the physical network's ranges
        whose URI is not in `taken` (the URIs in use in the zone, which the core records).

        Changes nothing; the same arguments give the same URI. Gated by `zone_types` and
        `guest_types`. Raises InsufficientCapacity naming the physical network when every id
        is taken.
        """
        for id_range in sorted(physical_network.id_ranges):
            for candidate in range(id_range.first, id_range.last + 1):
                uri = self._uri(candidate)
                if uri not in taken:
                    return uri
        raise InsufficientCapacity(
            f"physical network {physical_network.name}: every {self.isolation_method} id of "
            f"{','.join(map(str, physical_network.id_ranges)) or 'its (empty) ranges'} is in use")

    @requires("id_range")
    def canonical_broadcast_uri(self, value: str, param: str = "vlan") -> str:
        """The URI for an id an administrator gave (createNetwork's `vlan`: "100" or
        "vlan://100"), after checking its scheme and that it lies within `capabilities.id_range`.

        Changes nothing. Gated by `id_range` (methods without ids take no id from the API).
        Raises InvalidParameter naming `param`, the value and the accepted form.
        """
        scheme = self.capabilities.broadcast_scheme
        text = value.strip()
        if "://" in text:
            given_scheme, _, text = text.partition("://")
            if given_scheme.lower() != scheme:
                raise InvalidParameter(param, f"{value!r} is not a {scheme}:// URI of isolation method "
                                              f"{self.isolation_method}")
        bounds = self.capabilities.id_range
        if not text.isdigit() or bounds is None or int(text) not in bounds:
            raise InvalidParameter(param, f"{value!r} is not an id within {bounds} for {self.isolation_method}")
        return self._uri(int(text))

    def _uri(self, number: int) -> str:
        return f"{self.capabilities.broadcast_scheme}://{number}"

    # -- hosts ------------------------------------------------------------------------------------

    @abstractmethod
    @requires("hypervisor_types", member=_host_type)
    def implement_on_host(self, host: GuestHost, physical_network: PhysicalNetworkSpec,
                          network: GuestNetworkSpec) -> HostNetwork:
        """Plumb `network` on `host` (e.g. a VLAN or VXLAN device on the physical network's
        `traffic_label` device, enslaved to a bridge), using the hypervisor's host-side mechanism.

        Afterwards `list_host_networks` reports it; VM NICs of the network attach to the returned
        bridge. Idempotent: if it is plumbed already, nothing changes and the same HostNetwork is
        returned. On failure, removes whatever this call created. Gated by `hypervisor_types`.
        Raises InvalidParameter("broadcast_uri", ...) for a URI of another method or out of
        range, HostUnreachable when the host does not answer.
        """

    @abstractmethod
    @requires("hypervisor_types", member=_host_type)
    def list_host_networks(self, host: GuestHost, physical_network: PhysicalNetworkSpec) -> dict[str, HostNetwork]:
        """The guest networks of this method plumbed on `host`, keyed by broadcast URI, so the
        core can reconcile a host after it reconnects. Changes nothing. Gated by
        `hypervisor_types`. Raises HostUnreachable.
        """

    @abstractmethod
    @requires("hypervisor_types", member=_host_type)
    def release_on_host(self, host: GuestHost, physical_network: PhysicalNetworkSpec,
                        network: GuestNetworkSpec) -> None:
        """Remove `network`'s plumbing from `host` once no NIC of it is left there.

        Afterwards `list_host_networks` no longer reports it. Idempotent: releasing a network
        that is not plumbed succeeds. Removes only what `implement_on_host` created (never the
        traffic device itself). Gated by `hypervisor_types`. Raises HostUnreachable.
        """


@hookspec
def register_isolation_methods(register: Callable[[type[GuestIsolationMethod]], None]) -> None:
    """Call `register(cls)` once for each GuestIsolationMethod subclass the plugin ships.

    Registering is cheap: no vendor SDK may be imported here. Two plugins claiming the same
    `isolation_method` is a conflict: the later one is left out and reported.
    """

"""Reference isolation methods: VLAN and VXLAN plumbing kept per host in a `Fabric`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.isolation import (
    GuestHost,
    GuestIsolationMethod,
    GuestNetworkSpec,
    HostNetwork,
    IdRange,
    IsolationCapabilities,
    PhysicalNetworkSpec,
)
from tests.contract_drivers.fabric import Fabric


class InMemoryVlanIsolation(GuestIsolationMethod):
    isolation_method = "VLAN"
    capabilities = IsolationCapabilities(id_range=IdRange(0, 4095), hypervisor_types=frozenset({"KVM", "Simulator"}))
    device_prefix = ""

    def __init__(self, settings: Mapping[str, Any] | None = None, fabric: Fabric | None = None) -> None:
        super().__init__(settings)
        self.fabric = fabric if fabric is not None else Fabric()

    def _networks(self, host: GuestHost) -> dict[str, HostNetwork]:
        return self.fabric.state(host.host.uuid).setdefault(self.isolation_method, {})

    def _id_of(self, uri: str) -> int:
        scheme, _, number = uri.partition("://")
        bounds = self.capabilities.id_range
        if scheme != self.capabilities.broadcast_scheme or not number.isdigit() or bounds is None \
                or int(number) not in bounds:
            raise InvalidParameter("broadcast_uri", f"{uri!r} is not a {self.isolation_method} URI within {bounds}")
        return int(number)

    def implement_on_host(self, host: GuestHost, physical_network: PhysicalNetworkSpec,
                          network: GuestNetworkSpec) -> HostNetwork:
        number = self._id_of(network.broadcast_uri)
        networks = self._networks(host)
        if network.broadcast_uri not in networks:
            label = physical_network.traffic_label or "eth0"
            networks[network.broadcast_uri] = HostNetwork(
                broadcast_uri=network.broadcast_uri,
                bridge=f"br{label}-{number}",
                device=f"{self.device_prefix}{number}" if self.device_prefix else f"{label}.{number}",
            )
        return networks[network.broadcast_uri]

    def list_host_networks(self, host: GuestHost, physical_network: PhysicalNetworkSpec) -> dict[str, HostNetwork]:
        return dict(self._networks(host))

    def release_on_host(self, host: GuestHost, physical_network: PhysicalNetworkSpec,
                        network: GuestNetworkSpec) -> None:
        self._networks(host).pop(network.broadcast_uri, None)


class InMemoryVxlanIsolation(InMemoryVlanIsolation):
    isolation_method = "VXLAN"
    capabilities = IsolationCapabilities(id_range=IdRange(0, 16777214), broadcast_scheme="vxlan",
                                         broadcast_type="Vxlan", hypervisor_types=frozenset({"KVM"}))
    device_prefix = "vxlan"

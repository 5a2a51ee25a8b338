"""VLAN isolation: guest networks get 802.1Q ids from the physical network's `vlan` ranges.

The id handling (ranges, lowest free id, URIs "vlan://<id>") is the contract's own. Host plumbing is
implemented for Simulator hosts: a guest network's bridge is the network host's bridge for its
broadcast URI (`cirrostack.router.bridges.bridge_name`), which the virtual router attaches to as well;
with namespace-backed simulator guests (`simulator.guest.namespaces`) the bridge is created in the
network host namespace (`network.host.namespace`) when missing. On Hyperv hosts nothing is made on
the host: the VM's network adapter is connected to the virtual switch the guest traffic label
(`hypervnetworklabel`) names, or the host's default External switch, and tagged with the network's
VLAN by the Hyper-V driver (Set-VMNetworkAdapterVlan); the switch is returned as the NIC's bridge.
Hypervisors whose hosts need a VLAN device on their traffic label (KVM, XenServer, ...) are not
declared yet, so the core refuses to plumb on them with a 432 instead of pretending.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, ClassVar

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

GUEST_NAMESPACES_SETTING = "simulator.guest.namespaces"
NETWORK_HOST_NAMESPACE_SETTING = "network.host.namespace"
HYPERV = "Hyperv"


class VlanIsolation(GuestIsolationMethod):
    """802.1Q VLANs on a physical network (CloudStack's default isolation method)."""

    isolation_method: ClassVar[str] = "VLAN"
    capabilities: ClassVar[IsolationCapabilities] = IsolationCapabilities(
        id_range=IdRange(0, 4095), broadcast_scheme="vlan", broadcast_type="Vlan",
        zone_types=frozenset({"Advanced"}), guest_types=frozenset({"Isolated", "Shared"}),
        hypervisor_types=frozenset({"Simulator", HYPERV}))

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._plumbed: dict[str, dict[str, HostNetwork]] = {}
        self._lock = threading.Lock()

    def implement_on_host(self, host: GuestHost, physical_network: PhysicalNetworkSpec,
                          network: GuestNetworkSpec) -> HostNetwork:
        """The network host's guest bridge of `network`, created when simulator guests are namespaces; on
        a Hyperv host, the virtual switch of the guest traffic label ("": the driver's default switch)."""
        from cirrostack.router.bridges import bridge_name, ensure_bridge

        uri = self._checked_uri(network.broadcast_uri)
        if host.hypervisor_type == HYPERV:
            plumbed = HostNetwork(broadcast_uri=uri, bridge=physical_network.traffic_label)
        else:
            plumbed = HostNetwork(broadcast_uri=uri, bridge=bridge_name(uri))
        if self.settings.get(GUEST_NAMESPACES_SETTING) and host.hypervisor_type != HYPERV:
            ensure_bridge(plumbed.bridge, str(self.settings.get(NETWORK_HOST_NAMESPACE_SETTING) or ""))
        with self._lock:
            self._plumbed.setdefault(host.host.uuid, {})[uri] = plumbed
        return plumbed

    def list_host_networks(self, host: GuestHost, physical_network: PhysicalNetworkSpec) -> dict[str, HostNetwork]:
        with self._lock:
            return dict(self._plumbed.get(host.host.uuid, {}))

    def release_on_host(self, host: GuestHost, physical_network: PhysicalNetworkSpec,
                        network: GuestNetworkSpec) -> None:
        """Forget the network on `host` and, with namespace guests, remove its guest bridge once nothing
        (no guest, no router) is plugged into it any more."""
        from cirrostack.router.bridges import bridge_name, bridge_ports, remove_bridge

        with self._lock:
            self._plumbed.get(host.host.uuid, {}).pop(network.broadcast_uri, None)
        if self.settings.get(GUEST_NAMESPACES_SETTING) and network.broadcast_uri and host.hypervisor_type != HYPERV:
            namespace = str(self.settings.get(NETWORK_HOST_NAMESPACE_SETTING) or "")
            bridge = bridge_name(self._checked_uri(network.broadcast_uri))
            if not bridge_ports(bridge, namespace):
                remove_bridge(bridge, namespace)

    def _checked_uri(self, uri: str) -> str:
        if not uri:
            raise InvalidParameter("broadcast_uri", "the network has no VLAN yet; implement it first")
        return self.canonical_broadcast_uri(uri, "broadcast_uri")

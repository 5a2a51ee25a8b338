"""The settings of the virtual router."""

from __future__ import annotations

from cirrostack.hookspecs.settings import Setting

NETWORK_HOST_NAMESPACE = "network.host.namespace"
ROUTER_STATE_DIR = "router.state.dir"
ROUTER_DHCP_LEASE = "router.dhcp.lease.seconds"
DEFAULT_STATE_DIR = "/var/lib/cirrostack/routers"

SETTINGS: tuple[Setting, ...] = (
    Setting(NETWORK_HOST_NAMESPACE, "", str,
            "network namespace of the network host where guest and public bridges and the routers' namespaces "
            "are plumbed; empty means the root namespace", category="Network"),
    Setting(ROUTER_STATE_DIR, DEFAULT_STATE_DIR, str,
            "directory where the virtual router keeps each router's desired configuration, dnsmasq, haproxy "
            "and user data files (one subdirectory per network)", category="Network"),
    Setting(ROUTER_DHCP_LEASE, 3600, int, "lease time in seconds the virtual router's DHCP server hands out",
            category="Network", minimum=120),
)

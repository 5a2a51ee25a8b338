"""The namespace router backend: each network's router is a Linux network namespace on the
network host, as Neutron's L3 agent runs routers.

    network host namespace (setting network.host.namespace)
      cbr-v100  (guest bridge) ── vrg<id> ═ veth ═ eth0  gateway IP  ┐ router namespace
      cpub-vu   (public bridge) ── vrp<id> ═ veth ═ eth1  public IPs ┘ cirro-vr-<network uuid>

The router's default route leaves through eth1 to the public gateway; ip_forward is on.
Everything else inside the namespace is the RouterAgent's.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cirrostack.errors import HostUnreachable
from cirrostack.hookspecs.network_rules import AppliedConfig, ServiceNetwork
from cirrostack.router import bridges
from cirrostack.router._run import link_exists, namespace_exists, require_namespace, run
from cirrostack.router._settings import DEFAULT_STATE_DIR, ROUTER_STATE_DIR
from cirrostack.router.agent.iptables import GUEST_DEVICE, PUBLIC_DEVICE
from cirrostack.router.agent.router_agent import RouterAgent
from cirrostack.router.backend import RouterBackend
from cirrostack.router.config import RouterConfig

NAMESPACE_PREFIX = "cirro-vr-"


def router_namespace(network_uuid: str) -> str:
    """The name of the namespace holding the router of network `network_uuid`."""
    return NAMESPACE_PREFIX + network_uuid


def _host_device(kind: str, network_uuid: str) -> str:
    return f"vr{kind}{hashlib.sha1(network_uuid.encode()).hexdigest()[:11]}"  # 14 characters


class NamespaceRouterBackend(RouterBackend):
    """Routers as network namespaces on the network host named by `network.host.namespace`."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.host_namespace = bridges.host_namespace(settings)
        self.state_dir = Path(str(settings.get(ROUTER_STATE_DIR) or DEFAULT_STATE_DIR))

    def directory(self, network: ServiceNetwork) -> Path:
        """The router's own directory (dnsmasq, haproxy, user data files)."""
        return self.state_dir / network.uuid

    def agent(self, network: ServiceNetwork) -> RouterAgent:
        return RouterAgent(router_namespace(network.uuid), self.directory(network))

    def is_implemented(self, network: ServiceNetwork) -> bool:
        return namespace_exists(router_namespace(network.uuid))

    # -- plumbing ------------------------------------------------------------------------------

    def _veth(self, host_side: str, router_side: str, bridge: str, namespace: str) -> None:
        plug_veth(self.host_namespace, host_side, router_side, bridge, namespace)

    def implement(self, network: ServiceNetwork) -> None:
        require_namespace(self.host_namespace, f"router of network {network.name}: network host")
        namespace = router_namespace(network.uuid)
        created = not namespace_exists(namespace)
        try:
            if created:
                run(["ip", "netns", "add", namespace])
            run(["ip", "link", "set", "lo", "up"], namespace)
            self._veth(_host_device("g", network.uuid), GUEST_DEVICE, bridges.bridge_name(network.broadcast_uri),
                       namespace)
            self._veth(_host_device("p", network.uuid), PUBLIC_DEVICE,
                       bridges.public_bridge_name(network.public_broadcast_uri), namespace)
            prefix = ipaddress.ip_network(network.cidr, strict=False).prefixlen
            run(["ip", "addr", "replace", f"{network.gateway}/{prefix}", "dev", GUEST_DEVICE], namespace)
            run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], namespace)
            self._sync_public_addresses(RouterConfig(network))
            self.directory(network).mkdir(parents=True, exist_ok=True)
        except Exception:
            if created:
                self.shutdown(network)
            raise

    def _sync_public_addresses(self, config: RouterConfig) -> None:
        sync_public_side(router_namespace(config.network.uuid), config.network, config.public_addresses())

    # -- configuration -------------------------------------------------------------------------

    def apply(self, config: RouterConfig) -> list[str]:
        network = config.network
        done = []
        if not self.is_implemented(network):
            self.implement(network)
            done.append("router created")
        self._sync_public_addresses(config)
        return done + self.agent(network).apply(config)

    def read(self, config: RouterConfig) -> AppliedConfig:
        if not self.is_implemented(config.network):
            return AppliedConfig(implemented=False)
        return self.agent(config.network).read(config)

    def shutdown(self, network: ServiceNetwork) -> None:
        namespace = router_namespace(network.uuid)
        agent = self.agent(network)
        agent.stop()
        if namespace_exists(namespace):
            leftover = run(["ip", "netns", "pids", namespace], check=False).stdout.split()
            for pid in leftover:  # processes started in the router's namespace by hand or lost pid files
                run(["kill", "-9", pid], check=False)
            for device in (GUEST_DEVICE, PUBLIC_DEVICE):  # takes the bridge ends now, not when the kernel
                run(["ip", "link", "del", device], namespace, check=False)  # gets round to the namespace
            run(["ip", "netns", "del", namespace])
        if namespace_exists(self.host_namespace):
            for kind in ("g", "p"):
                device = _host_device(kind, network.uuid)
                if link_exists(device, self.host_namespace):
                    run(["ip", "link", "del", device], self.host_namespace, check=False)
        agent.haproxy.stats_socket.unlink(missing_ok=True)  # when it lives outside the directory (long paths)
        shutil.rmtree(self.directory(network), ignore_errors=True)
        if namespace_exists(namespace):
            raise HostUnreachable(f"router of network {network.name}: namespace {namespace} could not be removed")


def sync_public_side(namespace: str, public: ServiceNetwork, addresses: Iterable[str]) -> None:
    """Give the router's public device exactly `addresses` (with the public netmask's prefix) and a default
    route through the public gateway, changing only what differs."""
    prefix = ipaddress.ip_network(f"0.0.0.0/{public.public_netmask}").prefixlen if public.public_netmask else 32
    wanted = {f"{address}/{prefix}" for address in addresses}
    shown = run(["ip", "-o", "-4", "addr", "show", "dev", PUBLIC_DEVICE], namespace).stdout
    present = {line.split()[3] for line in shown.splitlines() if len(line.split()) > 3}
    for address in sorted(present - wanted):
        run(["ip", "addr", "del", address, "dev", PUBLIC_DEVICE], namespace)
    for address in sorted(wanted - present):
        run(["ip", "addr", "add", address, "dev", PUBLIC_DEVICE], namespace)
    if public.public_gateway:
        route = run(["ip", "-4", "route", "show", "default"], namespace).stdout
        if f"via {public.public_gateway} " not in route + " ":
            run(["ip", "route", "replace", "default", "via", public.public_gateway, "dev", PUBLIC_DEVICE, "onlink"],
                namespace)


def plug_veth(host_namespace: str, host_side: str, router_side: str, bridge: str, namespace: str) -> None:
    """Connect device `router_side` of router namespace `namespace` to `bridge` of the network host through a
    veth pair whose other end is `host_side`; both ends up. Idempotent; a half pair left behind is replaced."""
    if not link_exists(router_side, namespace):
        if link_exists(host_side, host_namespace):  # half of a pair left by a cut-short call
            run(["ip", "link", "del", host_side], host_namespace)
        run(["ip", "link", "add", host_side, "type", "veth", "peer", "name", router_side, "netns", namespace],
            host_namespace)
    bridges.ensure_bridge(bridge, host_namespace)
    run(["ip", "link", "set", host_side, "master", bridge, "up"], host_namespace)
    # A rebuilt router answers with the MAC its predecessor had, so guests and the public gateway keep
    # reaching it through their ARP caches (a restartNetwork with cleanup would otherwise go dark until
    # every neighbour's cache entry expires).
    run(["ip", "link", "set", router_side, "address", _router_mac(router_side, namespace)], namespace)
    run(["ip", "link", "set", router_side, "up"], namespace)


def _router_mac(device: str, namespace: str) -> str:
    """A locally administered unicast MAC fixed by the router's namespace (hence its network) and device."""
    digest = hashlib.sha256(f"{namespace}/{device}".encode()).digest()
    return ":".join(f"{byte:02x}" for byte in (0x02, *digest[:5]))

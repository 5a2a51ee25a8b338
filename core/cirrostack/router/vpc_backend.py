"""The VPC router's namespace backend: one Linux network namespace per VPC on the network host.

    network host namespace (setting network.host.namespace)
      cbr-v120 (tier web's bridge) ── vpt<tier> ═ veth ═ t-<tier>  10.10.1.1/24  ┐
      cbr-v121 (tier db's bridge)  ── vpt<tier> ═ veth ═ t-<tier>  10.10.2.1/24  │ router namespace
      cpub-vu  (public bridge)     ── vpp<vpc>  ═ veth ═ eth1      public IPs     ┘ cirro-vpc-<vpc uuid>

The namespace forwards between its interfaces, so tiers reach each other through their gateways; the
default route leaves through eth1 to the public gateway. The namespace and its public side come with the first
apply (the VPC's router started, or its first tier) and go with `shutdown`; a tier's interface comes with its
first apply and goes with `remove_tier`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cirrostack.errors import HostUnreachable
from cirrostack.hookspecs.network_rules import AppliedConfig, ServiceNetwork
from cirrostack.router import bridges
from cirrostack.router._run import link_exists, namespace_exists, require_namespace, run
from cirrostack.router._settings import DEFAULT_STATE_DIR, ROUTER_STATE_DIR
from cirrostack.router.agent.iptables import PUBLIC_DEVICE
from cirrostack.router.namespace_backend import plug_veth, sync_public_side
from cirrostack.router.vpc_agent import VpcRouterAgent
from cirrostack.router.vpc_config import VpcRouterConfig, tier_device, vpc_namespace


def _host_device(kind: str, uuid: str) -> str:
    return f"vp{kind}{hashlib.sha1(uuid.encode()).hexdigest()[:11]}"  # 14 characters


class VpcNamespaceBackend:
    """VPC routers as network namespaces on the network host named by `network.host.namespace`. Every
    method is idempotent."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.host_namespace = bridges.host_namespace(settings)
        self.state_dir = Path(str(settings.get(ROUTER_STATE_DIR) or DEFAULT_STATE_DIR))

    def directory(self, vpc_uuid: str) -> Path:
        """The VPC router's own directory (its tables' file, one subdirectory per tier)."""
        return self.state_dir / f"vpc-{vpc_uuid}"

    def agent(self, vpc_uuid: str) -> VpcRouterAgent:
        return VpcRouterAgent(vpc_namespace(vpc_uuid), self.directory(vpc_uuid))

    def is_implemented(self, vpc_uuid: str) -> bool:
        return namespace_exists(vpc_namespace(vpc_uuid))

    # -- plumbing ------------------------------------------------------------------------------

    def _plumb(self, config: VpcRouterConfig) -> list[str]:
        """Create the namespace, its public interface and every tier's interface that is missing."""
        require_namespace(self.host_namespace, f"router of VPC {config.vpc_uuid}: network host")
        namespace = vpc_namespace(config.vpc_uuid)
        done = []
        created = not namespace_exists(namespace)
        try:
            if created:
                run(["ip", "netns", "add", namespace])
                run(["ip", "link", "set", "lo", "up"], namespace)
                run(["sysctl", "-qw", "net.ipv4.ip_forward=1"], namespace)
                done.append("router created")
            plug_veth(self.host_namespace, _host_device("p", config.vpc_uuid), PUBLIC_DEVICE,
                      bridges.public_bridge_name(config.public.public_broadcast_uri), namespace)
            for tier in config.tiers:
                network = tier.network
                device = tier_device(network.uuid)
                if not link_exists(device, namespace):
                    done.append(f"{network.name}: interface added")
                plug_veth(self.host_namespace, _host_device("t", network.uuid), device,
                          bridges.bridge_name(network.broadcast_uri), namespace)
                prefix = ipaddress.ip_network(network.cidr, strict=False).prefixlen
                run(["ip", "addr", "replace", f"{network.gateway}/{prefix}", "dev", device], namespace)
            self._sync_public_addresses(config)
        except Exception:
            if created:
                self.shutdown(config.vpc_uuid)
            raise
        return done

    def _sync_public_addresses(self, config: VpcRouterConfig) -> None:
        sync_public_side(vpc_namespace(config.vpc_uuid), config.public, config.public_addresses())

    # -- configuration -------------------------------------------------------------------------

    def apply(self, config: VpcRouterConfig) -> list[str]:
        """Make the VPC's router enforce `config` as a whole, creating the router and the interfaces of new
        tiers first. Returns what changed. Raises HostUnreachable, ResourceAllocationFailed."""
        done = self._plumb(config)
        return done + self.agent(config.vpc_uuid).apply(config)

    def read(self, config: VpcRouterConfig, tier_uuid: str) -> AppliedConfig:
        """What the VPC's router enforces for one tier; AppliedConfig(False) when it has no interface there."""
        if not self.is_implemented(config.vpc_uuid):
            return AppliedConfig(implemented=False)
        return self.agent(config.vpc_uuid).read(config, tier_uuid)

    def router_problems(self, config: VpcRouterConfig) -> list[str]:
        """What differs on the VPC's router as a whole from `config`: its public interface, the public
        addresses it holds, its tables. [] when it matches (or the router does not exist; see is_implemented)."""
        namespace = vpc_namespace(config.vpc_uuid)
        if not self.is_implemented(config.vpc_uuid):
            return []
        if not link_exists(PUBLIC_DEVICE, namespace):
            return [f"the router has no public interface {PUBLIC_DEVICE}"]
        shown = run(["ip", "-o", "-4", "addr", "show", "dev", PUBLIC_DEVICE], namespace).stdout
        held = {line.split()[3].split("/", 1)[0] for line in shown.splitlines() if len(line.split()) > 3}
        problems = [f"public address {address} is not on {PUBLIC_DEVICE}"
                    for address in config.public_addresses() if address not in held]
        return problems + self.agent(config.vpc_uuid).rules_problems(config)

    def remove_tier(self, vpc_uuid: str, tier: ServiceNetwork) -> None:
        """Take one tier off the VPC's router: its daemons, files and interface (both ends)."""
        self.agent(vpc_uuid).stop_tier(tier.uuid)
        namespace = vpc_namespace(vpc_uuid)
        if namespace_exists(namespace):
            run(["ip", "link", "del", tier_device(tier.uuid)], namespace, check=False)
        if namespace_exists(self.host_namespace) and link_exists(_host_device("t", tier.uuid), self.host_namespace):
            run(["ip", "link", "del", _host_device("t", tier.uuid)], self.host_namespace, check=False)

    def shutdown(self, vpc_uuid: str) -> None:
        """Remove the VPC's router with every process, interface and file of it. A router that does not exist
        is nothing to remove. Raises HostUnreachable when the namespace cannot be removed."""
        namespace = vpc_namespace(vpc_uuid)
        self.agent(vpc_uuid).stop()
        if namespace_exists(namespace):
            for pid in run(["ip", "netns", "pids", namespace], check=False).stdout.split():
                run(["kill", "-9", pid], check=False)  # processes started in it by hand or with lost pid files
            shown = run(["ip", "-o", "link", "show"], namespace, check=False).stdout
            for line in shown.splitlines():
                device = line.split(":", 2)[1].strip().split("@", 1)[0] if ":" in line else ""
                if device and device != "lo":  # takes the host ends now, not when the kernel gets round to it
                    run(["ip", "link", "del", device], namespace, check=False)
            run(["ip", "netns", "del", namespace])
        if namespace_exists(self.host_namespace) and link_exists(_host_device("p", vpc_uuid), self.host_namespace):
            run(["ip", "link", "del", _host_device("p", vpc_uuid)], self.host_namespace, check=False)
        shutil.rmtree(self.directory(vpc_uuid), ignore_errors=True)
        if namespace_exists(namespace):
            raise HostUnreachable(f"router of VPC {vpc_uuid}: namespace {namespace} could not be removed")

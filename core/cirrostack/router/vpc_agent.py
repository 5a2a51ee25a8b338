"""The VPC router agent: applies a whole VpcRouterConfig to one VPC's router namespace, and reads a tier back.

It reuses the per-network router's parts, one set per tier, all in the VPC's namespace: a dnsmasq bound to the
tier's interface (DHCP and DNS for the tier), a user data server on the tier's gateway, and haproxy for the
tier's load balancer rules (at most one tier of a VPC has them). The nat and filter tables are the VPC's
(vpc_iptables). Like the per-network agent, `apply` changes nothing when nothing changed.
"""

from __future__ import annotations

import ipaddress
import shutil
from pathlib import Path

from cirrostack.hookspecs.network_rules import AppliedConfig
from cirrostack.router._run import link_exists, run
from cirrostack.router.agent import _files, iptables
from cirrostack.router.agent.dnsmasq import Dnsmasq
from cirrostack.router.agent.haproxy import Haproxy
from cirrostack.router.agent.vm_data import VmDataServer
from cirrostack.router.vpc_config import VpcRouterConfig, tier_device
from cirrostack.router.vpc_iptables import render


class VpcRouterAgent:
    """Applies configs to the VPC router in `namespace` whose files are in `directory` (one subdirectory per
    tier, named by the tier's uuid)."""

    def __init__(self, namespace: str, directory: Path) -> None:
        self.namespace = namespace
        self.directory = directory
        self.rules_file = directory / "iptables.rules"

    def tier_directory(self, tier_uuid: str) -> Path:
        return self.directory / tier_uuid

    def dnsmasq(self, tier_uuid: str) -> Dnsmasq:
        return Dnsmasq(self.namespace, self.tier_directory(tier_uuid) / "dnsmasq", interface=tier_device(tier_uuid))

    def haproxy(self, tier_uuid: str) -> Haproxy:
        return Haproxy(self.namespace, self.tier_directory(tier_uuid) / "haproxy")

    def vm_data(self, tier_uuid: str) -> VmDataServer:
        return VmDataServer(self.namespace, self.tier_directory(tier_uuid))

    def apply_rules(self, config: VpcRouterConfig) -> list[str]:
        """Load the VPC's complete nat and filter tables unless the kernel already holds exactly them."""
        text = render(config)
        if _files.read_text(self.rules_file) == text and not self.rules_problems(config):
            return []
        run(["iptables-restore"], self.namespace, stdin=text)
        _files.write_if_changed(self.rules_file, text, 0o600)
        return ["iptables rules loaded"]

    def rules_problems(self, config: VpcRouterConfig) -> list[str]:
        """How the kernel's tables differ from what `config` renders: the rules the router tags (NAT, load
        balancer, ACL items) and the default-deny policies of INPUT and FORWARD."""
        saved = run(["iptables-save"], self.namespace).stdout
        problems = []
        if iptables.parse(saved) != iptables.parse(render(config)):
            problems.append("the router's iptables rules differ from its configuration")
        policies, table = {}, ""
        for line in saved.splitlines():
            table = line[1:].strip() if line.startswith("*") else table
            if table == "filter" and line.startswith(":"):
                chain, policy = line[1:].split()[:2]
                policies[chain] = policy
        problems += [f"the router's {chain} policy is {policies.get(chain, 'missing')}, not DROP"
                     for chain in ("INPUT", "FORWARD") if policies.get(chain) != "DROP"]
        return problems

    def apply(self, config: VpcRouterConfig) -> list[str]:
        """Make the router enforce `config`: the VPC's tables, then each tier's DHCP/DNS, load balancer and
        user data. Returns what was done; [] when nothing changed. Raises ResourceAllocationFailed naming the
        command that failed, InvalidParameter for an LB rule haproxy cannot serve."""
        for tier in config.tiers:
            self.haproxy(tier.network.uuid).render(tier)  # refuses an unservable LB rule before anything changes
        self.directory.mkdir(parents=True, exist_ok=True)
        done = self.apply_rules(config)
        for tier in config.tiers:
            uuid = tier.network.uuid
            self.tier_directory(uuid).mkdir(parents=True, exist_ok=True)
            done += [f"{tier.network.name}: {step}" for step in (*self.dnsmasq(uuid).apply(tier),
                                                                  *self.haproxy(uuid).apply(tier),
                                                                  *self.vm_data(uuid).apply(tier))]
        return done

    def read(self, config: VpcRouterConfig, tier_uuid: str) -> AppliedConfig:
        """What the router enforces now for one tier: its leases, user data, load balancer and the NAT rules
        towards its addresses, read from the kernel, the daemons and the files."""
        tier = config.tier(tier_uuid)
        if tier is None or not link_exists(tier_device(tier_uuid), self.namespace):
            return AppliedConfig(implemented=False)
        kernel = iptables.parse(run(["iptables-save"], self.namespace).stdout)
        subnet = ipaddress.ip_network(tier.network.cidr, strict=False)
        problems = []
        if self.dnsmasq(tier_uuid).pid() is None:
            problems.append("dnsmasq is not running")
        if tier.lb_rules and self.haproxy(tier_uuid).pid() is None:
            problems.append("haproxy is not running")
        if tier.vm_data and self.vm_data(tier_uuid).pid() is None:
            problems.append("the user data server is not running")
        if kernel != iptables.parse(render(config)):
            problems.append("the router's iptables rules differ from its configuration")
        return AppliedConfig(
            implemented=True,
            port_forwarding_rules=frozenset(rule for rule in kernel.port_forwarding_rules
                                            if ipaddress.ip_address(rule.private_ip) in subnet),
            static_nat_rules=frozenset(rule for rule in kernel.static_nat_rules
                                       if ipaddress.ip_address(rule.private_ip) in subnet),
            lb_rules=self.haproxy(tier_uuid).frontends(),
            dhcp_entries=self.dnsmasq(tier_uuid).read_entries(),
            vm_data_ips=self.vm_data(tier_uuid).guest_addresses(),
            problems=tuple(problems),
        )

    def stop_tier(self, tier_uuid: str) -> None:
        """Stop the tier's daemons and remove its files."""
        self.vm_data(tier_uuid).stop()
        self.haproxy(tier_uuid).stop()
        self.dnsmasq(tier_uuid).stop()
        shutil.rmtree(self.tier_directory(tier_uuid), ignore_errors=True)

    def stop(self) -> None:
        """Stop the daemons of every tier that still has a directory."""
        if self.directory.exists():
            for entry in self.directory.iterdir():
                if entry.is_dir():
                    self.stop_tier(entry.name)

"""Applying 1,000 port-forwarding + 1,000 firewall rules and 2,000 DHCP entries to a real namespace router.

It builds a private network host namespace and one VirtualRouter network on it (the same provider
and namespace backend the server uses), then times, as the provider's own calls:

- rules: 1,000 port-forwarding rules and 1,000 ingress firewall rules, pushed with the router's
  other services already in place (one iptables-restore batch);
- DHCP: 2,000 static leases with their names (one hosts file, one addn-hosts file, one SIGHUP);
- a re-apply of the whole config with nothing changed.

The baselines are measured in the same run, the way routers applied rules before batching: one
`iptables` process per rule for a sample of the same rules, and, for DHCP, one hosts-file rewrite
plus one SIGHUP per lease for a sample, both extrapolated to the full count. It reads the state
back (every rule and lease must be there), prints seconds and ratios, and exits 1 when a target is
missed (rules <= 2 s, DHCP <= 10 s). Needs root, iproute2, iptables, dnsmasq and haproxy.

    python bench/router_apply.py
    python bench/router_apply.py --rules 1000 --leases 2000 --sample 100
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import os
import shlex
import subprocess
import sys
import tempfile
import time
import uuid

from cirrostack.hookspecs.network_rules import DhcpEntry, FirewallRule, PortForwardingRule, ServiceNetwork
from cirrostack.router.agent import iptables
from cirrostack.router.namespace_backend import router_namespace
from cirrostack.router.provider import VirtualRouter

TARGET_RULES_SECONDS = 2.0
TARGET_DHCP_SECONDS = 10.0
PUBLIC_IP = "10.22.0.10"


def _network() -> ServiceNetwork:
    return ServiceNetwork(str(uuid.uuid4()), "bench", "10.24.0.0/20", "10.24.0.1", "vlan://300",
                          source_nat_ip=PUBLIC_IP, network_domain="bench.test", public_netmask="255.255.255.0",
                          public_gateway="10.22.0.1", public_broadcast_uri="vlan://untagged", public_ips=(PUBLIC_IP,))


def _guests(count: int) -> list[str]:
    hosts = ipaddress.ip_network("10.24.0.0/20").hosts()
    next(hosts)  # the gateway
    return [str(next(hosts)) for _ in range(count)]


def _rules(count: int) -> tuple[list[PortForwardingRule], list[FirewallRule]]:
    guests = _guests(count)
    forwarding = [PortForwardingRule(f"pf-{i}", "tcp", PUBLIC_IP, 10000 + i, 10000 + i, guests[i], 22, 22)
                  for i in range(count)]
    firewall = [FirewallRule(f"fw-{i}", "tcp", ("0.0.0.0/0",), 10000 + i, 10000 + i, public_ip=PUBLIC_IP)
                for i in range(count)]
    return forwarding, firewall


def _leases(count: int) -> list[DhcpEntry]:
    return [DhcpEntry(f"02:00:{i >> 16 & 255:02x}:{i >> 8 & 255:02x}:{i & 255:02x}:01", address, f"vm-{i}")
            for i, address in enumerate(_guests(count))]


def _timed(action) -> float:  # noqa: ANN001 - any callable
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _one_call_per_rule(namespace: str, config_text: str, sample: int) -> tuple[float, int]:
    """Seconds for `sample` rule lines applied one `iptables` process each, and the number of lines."""
    lines, table = [], ""
    for line in config_text.splitlines():
        if line.startswith("*"):
            table = line[1:]
        elif line.startswith("-A ") and "cirro:" in line:
            lines.append((table, line))
    start = time.perf_counter()
    for table, line in lines[:sample]:
        subprocess.run(["ip", "netns", "exec", namespace, "iptables", "-t", table, *shlex.split(line)], check=True)
    return time.perf_counter() - start, len(lines)


def _one_reload_per_lease(router: VirtualRouter, network: ServiceNetwork, leases: list[DhcpEntry],
                          sample: int) -> float:
    """Seconds for `sample` leases added one at a time, each a hosts-file rewrite and a SIGHUP."""
    start = time.perf_counter()
    for count in range(1, sample + 1):
        router.apply_dhcp_entries(network, leases[:count])
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rules", type=int, default=1000, help="port-forwarding rules (and as many firewall rules)")
    parser.add_argument("--leases", type=int, default=2000, help="DHCP entries")
    parser.add_argument("--sample", type=int, default=100, help="rules/leases applied one by one for the baseline")
    options = parser.parse_args()
    if os.geteuid() != 0:
        print("router_apply.py needs root (network namespaces)", file=sys.stderr)
        return 2
    host = f"cirro-nh-bench-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", host], check=True)
    state = tempfile.mkdtemp(prefix="cirro-bench-router-")
    router = VirtualRouter({"network.host.namespace": host, "router.state.dir": state})
    network = _network()
    baseline_network = dataclasses.replace(_network(), broadcast_uri="vlan://301")
    try:
        router.implement_network(network)
        router.implement_network(baseline_network)
        forwarding, firewall = _rules(options.rules)
        leases = _leases(options.leases)

        def push_rules() -> None:
            router.apply_port_forwarding_rules(network, forwarding)
            router.apply_firewall_rules(network, firewall)

        rules_seconds = _timed(lambda: router.apply_config(dataclasses.replace(
            router.desired_config(network), port_forwarding_rules=tuple(forwarding), firewall_rules=tuple(firewall))))
        dhcp_seconds = _timed(lambda: router.apply_dhcp_entries(network, leases))
        per_service_seconds = _timed(push_rules)  # the same rules again, through the two per-service calls
        unchanged_seconds = _timed(lambda: router.apply_config(router.desired_config(network)))
        applied = router.applied_config(network)
        missing = []
        if len(applied.port_forwarding_rules) != options.rules:
            missing.append(f"{len(applied.port_forwarding_rules)} of {options.rules} port-forwarding rules")
        if len(applied.firewall_rules) != options.rules:
            missing.append(f"{len(applied.firewall_rules)} of {options.rules} firewall rules")
        if len(applied.dhcp_entries) != options.leases:
            missing.append(f"{len(applied.dhcp_entries)} of {options.leases} DHCP entries")
        if applied.problems:
            missing.append(f"problems: {', '.join(applied.problems)}")

        text = iptables.render(router.desired_config(network))
        sample_seconds, rule_lines = _one_call_per_rule(router_namespace(baseline_network.uuid), text, options.sample)
        sample_rules = min(options.sample, rule_lines)
        baseline_rules = sample_seconds / sample_rules * rule_lines
        lease_sample = min(options.sample, options.leases)
        baseline_dhcp = _one_reload_per_lease(router, baseline_network, leases, lease_sample) / lease_sample \
            * options.leases
    finally:
        router.shutdown_network(network)
        router.shutdown_network(baseline_network)
        subprocess.run(["ip", "netns", "del", host], check=False)
        subprocess.run(["rm", "-rf", state], check=False)

    print(f"rules: {options.rules} port forwarding + {options.rules} firewall ({rule_lines} iptables rules), "
          f"one batch: {rules_seconds:.3f} s; one iptables call per rule ({sample_rules} timed, extrapolated): "
          f"{baseline_rules:.1f} s; ratio {baseline_rules / rules_seconds:.0f}x faster")
    print(f"dhcp: {options.leases} leases, one hosts file + SIGHUP: {dhcp_seconds:.3f} s; one rewrite + SIGHUP per "
          f"lease ({lease_sample} timed, extrapolated): {baseline_dhcp:.1f} s; ratio "
          f"{baseline_dhcp / dhcp_seconds:.0f}x faster")
    print(f"the same rules again through the two per-service calls: {per_service_seconds:.3f} s; "
          f"re-apply with nothing changed: {unchanged_seconds:.3f} s")
    failed = list(missing)
    if rules_seconds > TARGET_RULES_SECONDS:
        failed.append(f"rules took {rules_seconds:.2f} s (target {TARGET_RULES_SECONDS} s)")
    if dhcp_seconds > TARGET_DHCP_SECONDS:
        failed.append(f"DHCP took {dhcp_seconds:.2f} s (target {TARGET_DHCP_SECONDS} s)")
    for failure in failed:
        print(f"MISSED: {failure}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

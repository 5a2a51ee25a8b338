"""The router converges and cleans up: re-applies change nothing, killed daemons and rules deleted
by hand show in applied_config, shutdown removes the router and nothing else."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_rules import (
    AppliedConfig,
    FirewallRule,
    LoadBalancerMember,
    LoadBalancerRule,
    PortForwardingRule,
    ServiceNetwork,
    VmDataEntry,
)
from cirrostack.router import bridges
from cirrostack.router.namespace_backend import router_namespace
from cirrostack.router.provider import VirtualRouter
from tests.router.conftest import SOURCE_NAT_IP, dhcp_entry, service_network, sh, wait_for

IP_1 = "10.21.0.11"


def _configure(router: VirtualRouter, network: ServiceNetwork) -> None:
    router.apply_dhcp_entries(network, [dhcp_entry("02:00:0a:15:00:0b", IP_1, "web-one")])
    router.apply_firewall_rules(network, [FirewallRule("fw-web", "tcp", ("0.0.0.0/0",), 80, 80,
                                                       public_ip=SOURCE_NAT_IP)])
    router.apply_port_forwarding_rules(network, [PortForwardingRule("pf-ssh", "tcp", SOURCE_NAT_IP, 2222, 2222,
                                                                    IP_1, 22, 22)])
    router.apply_lb_rules(network, [LoadBalancerRule("lb-web", "web", SOURCE_NAT_IP, 80, 80,
                                                     members=(LoadBalancerMember(IP_1, 80),))])
    router.apply_vm_data(network, [VmDataEntry(IP_1, "02:00:0a:15:00:0b", b"data", {"instance-id": "i-1"})])


def _daemon_pids(router: VirtualRouter, network: ServiceNetwork) -> dict[str, int | None]:
    agent = router.backend.agent(network)  # type: ignore[attr-defined]
    return {"dnsmasq": agent.dnsmasq.pid(), "haproxy": agent.haproxy.pid(), "vmdata": agent.vm_data.pid()}


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting for its parent to reap it does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _files_state(directory: Path) -> dict[str, tuple[int, int]]:
    return {str(path): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in directory.rglob("*") if path.is_file() and not path.name.endswith(".log")}


def test_a_reapply_with_nothing_changed_restarts_nothing_and_rewrites_nothing(
        router: VirtualRouter, router_network: ServiceNetwork) -> None:
    _configure(router, router_network)
    pids = _daemon_pids(router, router_network)
    assert all(pids.values()), f"every daemon runs: {pids}"
    directory = router.backend.directory(router_network)  # type: ignore[attr-defined]
    files = _files_state(directory)
    config = router.desired_config(router_network)
    assert router.apply_config(config) == [], "a re-apply of the same config did something"
    _configure(router, router_network)
    router.implement_network(router_network)
    assert _daemon_pids(router, router_network) == pids
    assert _files_state(directory) == files


def test_a_changed_lease_set_reloads_dnsmasq_without_restarting_it(
        router: VirtualRouter, router_network: ServiceNetwork) -> None:
    _configure(router, router_network)
    before = _daemon_pids(router, router_network)
    entries = [dhcp_entry("02:00:0a:15:00:0b", IP_1, "web-one"), dhcp_entry("02:00:0a:15:00:0c", "10.21.0.12", "b")]
    router.apply_dhcp_entries(router_network, entries)
    assert _daemon_pids(router, router_network) == before
    assert router.applied_config(router_network).dhcp_entries == frozenset(entries)
    answer = sh("dig", "+short", f"@{router_network.gateway}", "b.cs1.test",
                namespace=router_namespace(router_network.uuid)).stdout.split()
    assert answer == ["10.21.0.12"], "the new name resolves after the reload"


def test_a_killed_dnsmasq_shows_in_problems_and_the_next_apply_restarts_it(
        router: VirtualRouter, router_network: ServiceNetwork) -> None:
    _configure(router, router_network)
    assert router.applied_config(router_network).problems == ()
    os.kill(_daemon_pids(router, router_network)["dnsmasq"], signal.SIGKILL)  # type: ignore[arg-type]
    wait_for(lambda: "dnsmasq is not running" in router.applied_config(router_network).problems,
             "applied_config to report dnsmasq down")
    router.apply_config(router.desired_config(router_network))
    assert router.applied_config(router_network).problems == ()


def test_a_rule_deleted_by_hand_shows_as_drift_and_a_reapply_restores_it(
        router: VirtualRouter, router_network: ServiceNetwork) -> None:
    _configure(router, router_network)
    namespace = router_namespace(router_network.uuid)
    saved = sh("iptables-save", "-t", "nat", namespace=namespace).stdout
    forwarding = next(line for line in saved.splitlines() if "cirro:pf:pf-ssh" in line)
    sh("iptables", "-t", "nat", *shlex.split(forwarding.replace("-A ", "-D ", 1)), namespace=namespace)
    drifted = router.applied_config(router_network)
    assert drifted.port_forwarding_rules == frozenset()
    assert any("iptables" in problem for problem in drifted.problems), drifted.problems
    assert router.apply_config(router.desired_config(router_network)) == ["iptables rules loaded"]
    assert {rule.uuid for rule in router.applied_config(router_network).port_forwarding_rules} == {"pf-ssh"}


def test_shutdown_removes_the_router_its_processes_and_rules_and_nothing_else(
        router: VirtualRouter, host_namespace: str) -> None:
    doomed, neighbour = service_network(), service_network(broadcast_uri="vlan://102")
    for network in (doomed, neighbour):
        router.implement_network(network)
        _configure(router, network)
    pids = [pid for pid in _daemon_pids(router, doomed).values() if pid]
    directory = router.backend.directory(doomed)  # type: ignore[attr-defined]
    try:
        router.shutdown_network(doomed)
        assert router.applied_config(doomed) == AppliedConfig(implemented=False)
        assert router_namespace(doomed.uuid) not in sh("ip", "netns", "list").stdout
        assert not [pid for pid in pids if _alive(pid)], "a daemon of the router survived"
        assert not directory.exists()
        host_links = sh("ip", "-o", "link", "show", namespace=host_namespace).stdout
        assert bridges.bridge_name(doomed.broadcast_uri) in host_links, "the guest bridge is the isolation's"
        assert bridges.bridge_ports(bridges.bridge_name(doomed.broadcast_uri), host_namespace) == []
        survivor = router.applied_config(neighbour)
        assert survivor.problems == () and {r.uuid for r in survivor.port_forwarding_rules} == {"pf-ssh"}
        router.shutdown_network(doomed)  # idempotent
    finally:
        router.shutdown_network(neighbour)


def test_a_rebuilt_router_converges_to_the_same_state(router: VirtualRouter, router_network: ServiceNetwork) -> None:
    _configure(router, router_network)
    before = router.applied_config(router_network)
    config = router.desired_config(router_network)
    router.shutdown_network(router_network)
    router.implement_network(router_network)
    router.apply_config(config)
    wait_for(lambda: router.applied_config(router_network) == before, "the rebuilt router to converge")


def test_an_absent_network_host_is_unreachable(router: VirtualRouter, host_namespace: str) -> None:
    sh("ip", "netns", "del", host_namespace)
    network = service_network()
    try:
        router.implement_network(network)
    except Exception as exc:  # noqa: BLE001 - the type is what is checked
        assert type(exc).__name__ == "HostUnreachable" and host_namespace in str(exc), exc
    else:
        raise AssertionError("implement_network succeeded without a network host")
    assert router.applied_config(network) == AppliedConfig(implemented=False)


def test_the_agent_command_applies_and_reads_a_whole_config(router: VirtualRouter,
                                                             router_network: ServiceNetwork) -> None:
    config = dataclasses.replace(router.desired_config(router_network),
                                 dhcp_entries=(dhcp_entry("02:00:0a:15:00:0b", IP_1, "web-one"),))
    directory = str(router.backend.directory(router_network))  # type: ignore[attr-defined]
    command = [sys.executable, "-m", "cirrostack.router.agent", "apply", "--namespace",
               router_namespace(router_network.uuid), "--directory", directory]
    applied = subprocess.run(command, input=config.to_json(), capture_output=True, text=True, check=True)
    assert applied.stdout.splitlines() == ["dnsmasq reloaded"]
    again = subprocess.run(command, input=config.to_json(), capture_output=True, text=True, check=True)
    assert again.stdout == "", "the same config again did something"
    read = subprocess.run([*command[:3], "read", *command[4:]], input=config.to_json(), capture_output=True,
                          text=True, check=True)
    state = json.loads(read.stdout)
    assert state["implemented"] is True and state["problems"] == []
    assert state["dhcp_entries"] == [{"mac_address": "02:00:0a:15:00:0b", "ip_address": IP_1, "hostname": "web-one",
                                      "default_gateway": True}]
    broken = subprocess.run(command, input="{}", capture_output=True, text=True)
    assert broken.returncode == 1 and "router config format None" in broken.stderr


def test_an_lb_rule_haproxy_cannot_serve_is_refused_before_anything_changes(
        router: VirtualRouter, router_network: ServiceNetwork) -> None:
    _configure(router, router_network)
    before = router.applied_config(router_network)
    udp = LoadBalancerRule("lb-dns", "dns", SOURCE_NAT_IP, 53, 53, protocol="udp",
                           members=(LoadBalancerMember(IP_1, 53),))
    with pytest.raises(InvalidParameter, match="protocol: LB rule dns"):
        router.apply_lb_rules(router_network, [udp])
    assert router.applied_config(router_network) == before
    assert {rule.uuid for rule in router.desired_config(router_network).lb_rules} == {"lb-web"}

"""What the router agent writes, checked without a data plane: bridge names, the iptables batch and
how it reads back, haproxy and dnsmasq configuration, and the RouterConfig round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_rules import (
    DhcpEntry,
    FirewallRule,
    HealthCheckPolicy,
    LoadBalancerMember,
    LoadBalancerRule,
    PortForwardingRule,
    StaticNatRule,
    StickinessPolicy,
    VmDataEntry,
)
from cirrostack.router import bridges
from cirrostack.router.agent import iptables
from cirrostack.router.agent.dnsmasq import Dnsmasq
from cirrostack.router.agent.haproxy import Haproxy
from cirrostack.router.config import RouterConfig
from tests.router.conftest import service_network


@pytest.mark.parametrize(("uri", "name"), [("vlan://100", "cbr-v100"), ("vxlan://16777214", "cbr-x16777214"),
                                           ("VLAN://7", "cbr-v7")])
def test_guest_bridge_names_follow_the_broadcast_uri(uri: str, name: str) -> None:
    assert bridges.bridge_name(uri) == name


def test_public_bridge_names_and_overlong_uris_fit_a_device_name() -> None:
    assert bridges.public_bridge_name("vlan://untagged") == "cpub-vu"
    assert bridges.public_bridge_name("") == "cpub-vu"
    assert bridges.public_bridge_name("vlan://50") == "cpub-v50"
    odd = bridges.bridge_name("lswitch://0f8e6c3a-uuid-of-a-switch")
    assert odd.startswith("cbr-h") and len(odd) <= 15


def test_a_malformed_broadcast_uri_is_refused_naming_it() -> None:
    with pytest.raises(InvalidParameter, match="broadcasturi: 'nothing' is not a broadcast URI"):
        bridges.bridge_name("nothing")


def _config(**services: object) -> RouterConfig:
    return RouterConfig(service_network(uuid="net-1"), **services)  # type: ignore[arg-type]


def test_the_iptables_batch_reads_back_as_the_rules_it_was_made_from() -> None:
    firewall = (FirewallRule("fw-1", "tcp", ("198.51.100.0/24", "192.0.2.7"), 22, 23, public_ip="10.22.0.10"),
                FirewallRule("fw-2", "icmp", ("0.0.0.0/0",), icmp_type=8, icmp_code=0, public_ip="10.22.0.10"),
                FirewallRule("eg-1", "udp", ("0.0.0.0/0",), 53, 53, direction="egress"),
                FirewallRule("eg-2", "all", ("192.0.2.0/24",), direction="egress"))
    forwarding = (PortForwardingRule("pf-1", "tcp", "10.22.0.11", 8080, 8090, "10.21.0.5", 80, 90),
                  PortForwardingRule("pf-2", "udp", "10.22.0.11", 53, 53, "10.21.0.6", 53, 53))
    config = _config(firewall_rules=firewall, port_forwarding_rules=forwarding,
                     static_nat_rules=(StaticNatRule("10.22.0.20", "10.21.0.7"),))
    text = iptables.render(config)
    assert "--to-destination 10.21.0.5:80-90/8080" in text, "a shifted range maps one to one"
    rules = iptables.parse(text)
    assert rules.port_forwarding_rules == frozenset(forwarding)
    assert rules.static_nat_rules == frozenset({StaticNatRule("10.22.0.20", "10.21.0.7")})
    assert rules.source_nat_ip == "10.22.0.10"
    assert rules.firewall_rules == frozenset(iptables.canonical_firewall_rule(rule) for rule in firewall)
    assert iptables.canonical_firewall_rule(firewall[0]).cidrs == ("198.51.100.0/24", "192.0.2.7/32")


def test_egress_rules_deny_under_default_allow_and_allow_under_default_deny() -> None:
    rule = FirewallRule("eg-1", "tcp", ("0.0.0.0/0",), 443, 443, direction="egress")
    allowing = iptables.render(_config(firewall_rules=(rule,)))
    assert "cirro:eg:eg-1 -j DROP" in allowing and "egress-default:net-1 -j ACCEPT" in allowing
    closed = RouterConfig(service_network(uuid="net-1", egress_default_allow=False), firewall_rules=(rule,))
    denying = iptables.render(closed)
    assert "cirro:eg:eg-1 -j ACCEPT" in denying and "egress-default:net-1 -j DROP" in denying


def test_haproxy_sections_carry_algorithm_stickiness_health_check_and_source_cidrs(tmp_path: Path) -> None:
    members = (LoadBalancerMember("10.21.0.5", 80), LoadBalancerMember("10.21.0.6", 8080))
    rules = (LoadBalancerRule("lb-1", "web", "10.22.0.10", 80, 80, algorithm="leastconn", members=members,
                              stickiness=StickinessPolicy("LbCookie", {"cookie-name": "WEBSRV"}),
                              health_check=HealthCheckPolicy("/health", 4, 1, 2, 3), source_cidrs=("192.0.2.0/24",)),
             LoadBalancerRule("lb-2", "app", "10.22.0.10", 81, 80, members=members,
                              stickiness=StickinessPolicy("AppCookie", {"cookie-name": "JSESSIONID"})),
             LoadBalancerRule("lb-3", "src", "10.22.0.10", 82, 80, algorithm="source", members=members,
                              stickiness=StickinessPolicy("SourceBased")))
    text = Haproxy("ns", tmp_path).render(_config(lb_rules=rules))
    for expected in ("frontend lb-lb-1", "bind 10.22.0.10:80", "balance leastconn", "cookie WEBSRV insert",
                     "option httpchk GET /health", "server m1 10.21.0.6:8080 check inter 4s rise 2 fall 3 cookie m1",
                     "tcp-request connection reject unless { src 192.0.2.0/24 }", "stick on req.cook(JSESSIONID)",
                     "balance source", "stick on src"):
        assert expected in text, f"{expected!r} missing from:\n{text}"


def test_haproxy_refuses_what_it_cannot_balance_naming_the_rule(tmp_path: Path) -> None:
    udp = LoadBalancerRule("lb-u", "dns", "10.22.0.10", 53, 53, protocol="udp")
    with pytest.raises(InvalidParameter, match="protocol: LB rule dns: the virtual router balances http, tcp"):
        Haproxy("ns", tmp_path).render(_config(lb_rules=(udp,)))


def test_dnsmasq_serves_static_leases_names_in_the_network_domain_and_leases_without_gateway(
        tmp_path: Path) -> None:
    entries = (DhcpEntry("02:00:00:00:00:01", "10.21.0.5", "one"),
               DhcpEntry("02:00:00:00:00:02", "10.21.0.6", "two", default_gateway=False))
    config = _config(dhcp_entries=entries)
    dnsmasq = Dnsmasq("ns", tmp_path)
    conf = dnsmasq.render_conf(config)
    assert "domain=cs1.test" in conf and "dhcp-range=set:guest,10.21.0.0,static,255.255.255.0,3600" in conf
    hosts = dnsmasq.render_dhcp_hosts(entries)
    assert hosts == "02:00:00:00:00:01,10.21.0.5,one\n02:00:00:00:00:02,set:nogw,10.21.0.6,two\n"
    assert dnsmasq.render_dns_hosts(config) == "10.21.0.5 one.cs1.test one\n10.21.0.6 two.cs1.test two\n"
    dnsmasq.dhcp_hosts.write_text(hosts)
    assert dnsmasq.read_entries() == frozenset(entries)


def test_a_router_config_round_trips_through_json_with_its_user_data_bytes() -> None:
    config = _config(vm_data=(VmDataEntry("10.21.0.5", "02:00:00:00:00:01", b"\x00\xffbinary", {"a": "b"}, "pw"),),
                     lb_rules=(LoadBalancerRule("lb-1", "web", "10.22.0.10", 80, 80,
                                                stickiness=StickinessPolicy("SourceBased", {"expire": "5m"})),))
    assert RouterConfig.from_json(config.to_json()) == config
    assert config.public_addresses() == ("10.22.0.10",)

"""The VPC router's tables as rendered (no root needed): per-tier SNAT to the VPC's address, DNAT before it,
ACL chains in rule number order with CloudStack 4.3's defaults, and the provider's refusal of a network that
is not a VPC tier. tests/test_vpc_e2e.py checks the same tables with real packets."""

from __future__ import annotations

import pytest

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_rules import NetworkAclRule, ServiceNetwork, StaticNatRule
from cirrostack.router.config import RouterConfig
from cirrostack.router.vpc_config import VpcRouterConfig, tier_device
from cirrostack.router.vpc_iptables import render
from cirrostack.router.vpc_provider import VpcVirtualRouter


def _tier(uuid: str, cidr: str, gateway: str, vlan: int) -> ServiceNetwork:
    return ServiceNetwork(uuid=uuid, name=uuid, cidr=cidr, gateway=gateway, broadcast_uri=f"vlan://{vlan}",
                          source_nat_ip="192.0.2.10", vpc_uuid="vpc-1", public_netmask="255.255.255.0",
                          public_gateway="192.0.2.1", public_broadcast_uri="vlan://untagged",
                          public_ips=("192.0.2.10", "192.0.2.11"))


WEB = _tier("web", "10.30.1.0/24", "10.30.1.1", 400)
DB = _tier("db", "10.30.2.0/24", "10.30.2.1", 401)


def _lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def test_every_tier_leaves_as_the_vpc_source_nat_address_after_static_nat() -> None:
    db = RouterConfig(DB, static_nat_rules=(StaticNatRule("192.0.2.11", "10.30.2.5"),))
    text = render(VpcRouterConfig("vpc-1", WEB, (RouterConfig(WEB), db)))
    postrouting = _lines(text, "-A POSTROUTING")
    assert [line.split()[3] for line in postrouting] == ["10.30.2.5/32", "10.30.1.0/24", "10.30.2.0/24"]
    assert postrouting[0].endswith("SNAT --to-source 192.0.2.11")
    assert all(line.endswith("SNAT --to-source 192.0.2.10") for line in postrouting[1:])
    assert _lines(text, "-A PREROUTING") == [
        "-A PREROUTING -d 192.0.2.11/32 -m comment --comment cirro:sn:192.0.2.11 -j DNAT --to-destination 10.30.2.5"]


def test_acl_rules_match_in_number_order_and_unmatched_ingress_is_dropped() -> None:
    rules = (NetworkAclRule("allow-http", 10, "tcp", ("10.30.1.0/24",), 8000, 8000),
             NetworkAclRule("deny-http", 5, "tcp", ("10.30.1.0/24",), 8000, 8000, action="deny"))
    text = render(VpcRouterConfig("vpc-1", DB, (RouterConfig(DB, acl_rules=rules),)))
    chain = _lines(text, "-A acl-in-")
    assert [line.rsplit(" ", 1)[1] for line in chain] == ["DROP", "ACCEPT", "DROP"]
    assert "cirro:acl:deny-http" in chain[0] and "cirro:acl:allow-http" in chain[1]
    assert "-s 10.30.1.0/24 -p tcp -m tcp --dport 8000" in chain[1]
    assert _lines(text, "-A acl-out-") == [f"-A {chain[0].split()[1].replace('in', 'out')} -j RETURN"], \
        "a list without egress rules lets egress through"


def test_an_egress_rule_makes_unmatched_egress_dropped_and_allowed_egress_returns() -> None:
    rules = (NetworkAclRule("out-dns", 1, "udp", ("8.8.8.8/32",), 53, 53, traffic_type="egress"),)
    text = render(VpcRouterConfig("vpc-1", WEB, (RouterConfig(WEB, acl_rules=rules),)))
    chain = _lines(text, "-A acl-out-")
    assert "-d 8.8.8.8/32 -p udp -m udp --dport 53" in chain[0] and chain[0].endswith("-j RETURN")
    assert chain[1].endswith("-j DROP")


def test_forwarding_checks_the_source_tier_egress_then_the_destination_tier_ingress() -> None:
    text = render(VpcRouterConfig("vpc-1", WEB, (RouterConfig(WEB), RouterConfig(DB))))
    forward = _lines(text, "-A FORWARD")
    assert forward[:2] == ["-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                           "-A FORWARD -i eth1 -m conntrack ! --ctstate DNAT -j DROP"]
    assert [line.split()[2:4] for line in forward[2:6]] == [["-i", tier_device("web")], ["-i", tier_device("db")],
                                                            ["-o", tier_device("web")], ["-o", tier_device("db")]]
    assert forward[-1] == "-A FORWARD -o eth1 -j ACCEPT"


def test_the_vpc_router_serves_vpc_tiers_only(tmp_path) -> None:
    router = VpcVirtualRouter({"router.state.dir": str(tmp_path), "network.host.namespace": "cirro-nonexistent"})
    plain = ServiceNetwork(uuid="n1", name="plain", cidr="10.1.1.0/24", gateway="10.1.1.1",
                           broadcast_uri="vlan://100")
    with pytest.raises(InvalidParameter, match="network plain is not a VPC tier"):
        router.implement_network(plain)
    assert list(tmp_path.iterdir()) == []

"""A VPC router's NAT and packet filter as one iptables-restore batch.

    nat     port forwarding and static NAT of every tier (the per-network router's lines), then one SNAT
            rule per tier: its CIDR leaves through the public interface as the VPC's source NAT address
    filter  INPUT: the tiers may reach the router (DHCP, DNS, user data); from outside only ICMP (the VPC's
            public address answers ping, as CloudStack's VPC router does) and load balancer ports.
            FORWARD: replies pass; from outside only what port forwarding or static NAT translated;
            traffic leaving a tier passes the tier's egress ACL chain, traffic entering a tier its ingress
            ACL chain, and traffic that passed its egress chain may leave to the outside.

A tier's ACL chains (`acl-in-<tier>`, `acl-out-<tier>`) hold its network ACL items in number order: Allow
accepts (ingress) or returns to FORWARD for the next check (egress), Deny drops. Unmatched ingress is
dropped; unmatched egress is dropped once the list has an egress item, and returns while it has none.
"""

from __future__ import annotations

import hashlib
import ipaddress

from cirrostack.hookspecs.network_rules import NetworkAclRule
from cirrostack.router.agent.iptables import PUBLIC_DEVICE, destination_nat_lines, tagged_rule
from cirrostack.router.config import RouterConfig
from cirrostack.router.vpc_config import VpcRouterConfig, tier_device

_ANY = "0.0.0.0/0"


def _chain(direction: str, tier_uuid: str) -> str:
    return f"acl-{direction}-{hashlib.sha1(tier_uuid.encode()).hexdigest()[:10]}"


def _acl_match(rule: NetworkAclRule) -> list[str]:
    protocol = rule.protocol.lower()
    if protocol in ("", "all"):
        return []
    if protocol == "icmp":
        if rule.icmp_type is None or rule.icmp_type < 0:
            return ["-p", "icmp"]
        code = "" if rule.icmp_code is None or rule.icmp_code < 0 else f"/{rule.icmp_code}"
        return ["-p", "icmp", "-m", "icmp", "--icmp-type", f"{rule.icmp_type}{code}"]
    if rule.start_port is None:
        return ["-p", protocol]
    end = rule.start_port if rule.end_port is None else rule.end_port
    ports = str(rule.start_port) if end == rule.start_port else f"{rule.start_port}:{end}"
    return ["-p", protocol, "-m", protocol, "--dport", ports]


def _acl_lines(tier: RouterConfig) -> list[str]:
    uuid = tier.network.uuid
    lines = []
    egress_items = False
    for rule in sorted(tier.acl_rules, key=lambda item: item.number):
        ingress = rule.traffic_type.lower() != "egress"
        egress_items |= not ingress
        chain = _chain("in" if ingress else "out", uuid)
        verdict = "DROP" if rule.action.lower() == "deny" else "ACCEPT" if ingress else "RETURN"
        for cidr in rule.cidrs or (_ANY,):
            peer = str(ipaddress.ip_network(cidr.strip(), strict=False))
            where = [] if peer == _ANY else ["-s" if ingress else "-d", peer]
            lines.append(tagged_rule(["-A", chain, *where, *_acl_match(rule)], "acl", rule.uuid, ["-j", verdict]))
    lines.append(f"-A {_chain('in', uuid)} -j DROP")
    lines.append(f"-A {_chain('out', uuid)} -j {'DROP' if egress_items else 'RETURN'}")
    return lines


def render(config: VpcRouterConfig) -> str:
    """The iptables-restore input holding the complete nat and filter tables of the VPC's router."""
    nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]"]
    for tier in config.tiers:
        nat += destination_nat_lines(tier)
    if config.source_nat_ip:
        for tier in config.tiers:
            cidr = str(ipaddress.ip_network(tier.network.cidr, strict=False))
            nat.append(tagged_rule(["-A", "POSTROUTING", "-s", cidr, "-o", PUBLIC_DEVICE], "snat", tier.network.uuid,
                                   ["-j", "SNAT", "--to-source", config.source_nat_ip]))
    nat.append("COMMIT")
    filter_ = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"]
    filter_ += [f":{_chain(direction, tier.network.uuid)} - [0:0]" for tier in config.tiers
                for direction in ("in", "out")]
    filter_ += ["-A INPUT -i lo -j ACCEPT", "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                "-A INPUT -p icmp -j ACCEPT"]
    filter_ += [f"-A INPUT -i {tier_device(tier.network.uuid)} -j ACCEPT" for tier in config.tiers]
    for tier in config.tiers:
        for rule in tier.lb_rules:
            protocol = "udp" if rule.protocol == "udp" else "tcp"
            filter_.append(tagged_rule(["-A", "INPUT", "-i", PUBLIC_DEVICE, "-d", f"{rule.public_ip}/32", "-p",
                                        protocol, "-m", protocol, "--dport", str(rule.public_port)], "lb", rule.uuid,
                                       ["-j", "ACCEPT"]))
    filter_ += ["-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                f"-A FORWARD -i {PUBLIC_DEVICE} -m conntrack ! --ctstate DNAT -j DROP"]
    filter_ += [f"-A FORWARD -i {tier_device(tier.network.uuid)} -j {_chain('out', tier.network.uuid)}"
                for tier in config.tiers]
    filter_ += [f"-A FORWARD -o {tier_device(tier.network.uuid)} -j {_chain('in', tier.network.uuid)}"
                for tier in config.tiers]
    filter_.append(f"-A FORWARD -o {PUBLIC_DEVICE} -j ACCEPT")
    for tier in config.tiers:
        filter_ += _acl_lines(tier)
    filter_.append("COMMIT")
    return "\n".join(nat + filter_) + "\n"

"""A VPC router's NAT and packet filter as one iptables-restore batch.

    nat     port forwarding and static NAT of every tier (the per-network router's lines), then one SNAT
            rule per tier: its CIDR leaves through the public interface as the VPC's source NAT address
    filter  INPUT: the tiers may reach the router (DHCP, DNS, user data); from outside only load balancer
            ports. FORWARD: a tier reaches every other tier and the outside; from outside only what port
            forwarding or static NAT translated (conntrack state DNAT) and replies.

Network ACL lists are not enforced yet: every tier may reach every other and the outside.
"""

from __future__ import annotations

import ipaddress

from cirrostack.router.agent.iptables import PUBLIC_DEVICE, destination_nat_lines, tagged_rule
from cirrostack.router.vpc_config import VpcRouterConfig, tier_device


def render(config: VpcRouterConfig) -> str:
    """The iptables-restore input holding the complete nat and filter tables of the VPC's router."""
    nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]"]
    for tier in config.tiers:
        nat += destination_nat_lines(tier)
    if config.source_nat_ip:
        for tier in config.tiers:
            cidr = str(ipaddress.ip_network(tier.network.cidr, strict=False))
            nat.append(tagged_rule(["-A", "POSTROUTING", "-s", cidr, "-o", PUBLIC_DEVICE, "-j", "SNAT",
                                    "--to-source", config.source_nat_ip], "snat", tier.network.uuid))
    nat.append("COMMIT")
    filter_ = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
               "-A INPUT -i lo -j ACCEPT", "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"]
    filter_ += [f"-A INPUT -i {tier_device(tier.network.uuid)} -j ACCEPT" for tier in config.tiers]
    for tier in config.tiers:
        for rule in tier.lb_rules:
            protocol = "udp" if rule.protocol == "udp" else "tcp"
            filter_.append(tagged_rule(["-A", "INPUT", "-i", PUBLIC_DEVICE, "-d", f"{rule.public_ip}/32", "-p",
                                        protocol, "-m", protocol, "--dport", str(rule.public_port), "-j", "ACCEPT"],
                                       "lb", rule.uuid))
    filter_.append("-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
    filter_ += [f"-A FORWARD -i {tier_device(tier.network.uuid)} -j ACCEPT" for tier in config.tiers]
    filter_ += [f"-A FORWARD -i {PUBLIC_DEVICE} -m conntrack --ctstate DNAT -j ACCEPT", "COMMIT"]
    return "\n".join(nat + filter_) + "\n"

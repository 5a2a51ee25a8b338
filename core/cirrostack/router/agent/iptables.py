"""The router's packet filter and NAT as one iptables-restore batch, and reading it back.

`render` turns a RouterConfig into the complete nat and filter tables of the router's namespace;
`iptables-restore` replaces both tables atomically. Every rule that stands for a rule of the
config carries a comment `cirro:<kind>:<uuid>`, so `parse` can rebuild the rules from what
`iptables-save` shows, and drift (a rule deleted by hand) shows up in the router's AppliedConfig.

Ingress firewall rules match the *original* destination (`--ctorigdst`, the public IP and port
before DNAT), so one rule guards port forwarding, static NAT and the load balancer alike.
"""

from __future__ import annotations

import ipaddress
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, replace

from cirrostack.hookspecs.network_rules import FirewallRule, PortForwardingRule, StaticNatRule
from cirrostack.router.config import RouterConfig

GUEST_DEVICE = "eth0"
PUBLIC_DEVICE = "eth1"
INGRESS_CHAIN = "cirro-ingress"
EGRESS_CHAIN = "cirro-egress"
_ANY = "0.0.0.0/0"


def _cidr(text: str) -> str:
    return str(ipaddress.ip_network(text.strip(), strict=False))


def _ports(start: int | None, end: int | None) -> str:
    if start is None:
        return ""
    end = start if end is None else end
    return str(start) if end == start else f"{start}:{end}"


def _protocol_match(rule: FirewallRule) -> tuple[list[str], str]:
    """The protocol (and ICMP type) match of `rule`, and its port range ("" when it has none)."""
    protocol = rule.protocol.lower()
    if protocol in ("", "all"):
        return [], ""
    if protocol == "icmp":
        if rule.icmp_type is None or rule.icmp_type < 0:
            return ["-p", "icmp"], ""
        code = "" if rule.icmp_code is None or rule.icmp_code < 0 else f"/{rule.icmp_code}"
        return ["-p", "icmp", "-m", "icmp", "--icmp-type", f"{rule.icmp_type}{code}"], ""
    return ["-p", protocol], _ports(rule.start_port, rule.end_port)


def _comment(kind: str, uuid: str) -> list[str]:
    return ["-m", "comment", "--comment", f"cirro:{kind}:{uuid}"]


def _line(parts: Iterable[str]) -> str:
    return " ".join(shlex.quote(part) for part in parts)


def _ingress_lines(rule: FirewallRule) -> list[str]:
    lines = []
    for cidr in rule.cidrs or (_ANY,):
        source = [] if _cidr(cidr) == _ANY else ["-s", _cidr(cidr)]
        match, ports = _protocol_match(rule)
        origin = ["-m", "conntrack", "--ctorigdst", rule.public_ip, *(["--ctorigdstport", ports] if ports else [])]
        lines.append(_line(["-A", INGRESS_CHAIN, *source, *match, *origin, *_comment("fw", rule.uuid),
                            "-j", "ACCEPT"]))
    return lines


def _egress_lines(rule: FirewallRule, guest_cidr: str, default_allow: bool) -> list[str]:
    verdict = "DROP" if default_allow else "ACCEPT"
    match, ports = _protocol_match(rule)
    if ports:
        match += ["-m", rule.protocol.lower(), "--dport", ports]
    return [_line(["-A", EGRESS_CHAIN, "-s", guest_cidr, *([] if _cidr(cidr) == _ANY else ["-d", _cidr(cidr)]),
                   *match, *_comment("eg", rule.uuid), "-j", verdict])
            for cidr in rule.cidrs or (_ANY,)]


def _port_forwarding_line(rule: PortForwardingRule) -> str:
    public = _ports(rule.public_start_port, rule.public_end_port)
    target = f"{rule.private_ip}:{rule.private_start_port}"
    if rule.private_end_port != rule.private_start_port:
        target += f"-{rule.private_end_port}"
        if rule.private_start_port != rule.public_start_port:
            target += f"/{rule.public_start_port}"  # shift the range one to one
    return _line(["-A", "PREROUTING", "-d", f"{rule.public_ip}/32", "-p", rule.protocol, "-m", rule.protocol,
                  "--dport", public, *_comment("pf", rule.uuid), "-j", "DNAT", "--to-destination", target])


def destination_nat_lines(config: RouterConfig) -> list[str]:
    """The nat table lines of `config`'s port forwarding and static NAT rules (a VPC router has them per tier)."""
    lines = [_port_forwarding_line(rule) for rule in config.port_forwarding_rules]
    for rule in config.static_nat_rules:
        lines.append(_line(["-A", "PREROUTING", "-d", f"{rule.public_ip}/32", *_comment("sn", rule.public_ip),
                            "-j", "DNAT", "--to-destination", rule.private_ip]))
        lines.append(_line(["-A", "POSTROUTING", "-s", f"{rule.private_ip}/32", "-o", PUBLIC_DEVICE,
                            *_comment("sn-out", rule.public_ip), "-j", "SNAT", "--to-source", rule.public_ip]))
    return lines


def tagged_rule(match: Iterable[str], kind: str, uuid: str, target: Iterable[str]) -> str:
    """One iptables-restore line: `match` ("-A", chain, matches), the tag `cirro:<kind>:<uuid>` that `parse`
    reads, then `target` ("-j", "ACCEPT")."""
    return _line([*match, *_comment(kind, uuid), *target])


def render(config: RouterConfig) -> str:
    """The iptables-restore input holding the complete nat and filter tables of the router."""
    network = config.network
    guest_cidr = _cidr(network.cidr)
    nat = ["*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]",
           ":POSTROUTING ACCEPT [0:0]"]
    nat += destination_nat_lines(config)
    if network.source_nat_ip:
        nat.append(_line(["-A", "POSTROUTING", "-s", guest_cidr, "-o", PUBLIC_DEVICE,
                          *_comment("snat", network.uuid), "-j", "SNAT", "--to-source", network.source_nat_ip]))
    nat.append("COMMIT")
    filter_ = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]",
               f":{INGRESS_CHAIN} - [0:0]", f":{EGRESS_CHAIN} - [0:0]",
               "-A INPUT -i lo -j ACCEPT",
               "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
               f"-A INPUT -i {GUEST_DEVICE} -j ACCEPT",
               f"-A INPUT -i {PUBLIC_DEVICE} -j {INGRESS_CHAIN}",
               "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
               f"-A FORWARD -i {PUBLIC_DEVICE} -o {GUEST_DEVICE} -j {INGRESS_CHAIN}",
               f"-A FORWARD -i {GUEST_DEVICE} -o {PUBLIC_DEVICE} -j {EGRESS_CHAIN}"]
    for rule in config.firewall_rules:
        if rule.direction == "egress":
            filter_ += _egress_lines(rule, guest_cidr, network.egress_default_allow)
        else:
            filter_ += _ingress_lines(rule)
    filter_.append(_line(["-A", EGRESS_CHAIN, *_comment("egress-default", network.uuid),
                          "-j", "ACCEPT" if network.egress_default_allow else "DROP"]))
    filter_.append("COMMIT")
    return "\n".join(nat + filter_) + "\n"


@dataclass(frozen=True)
class KernelRules:
    """The config's rules as read back from the kernel."""

    firewall_rules: frozenset[FirewallRule] = frozenset()
    port_forwarding_rules: frozenset[PortForwardingRule] = frozenset()
    static_nat_rules: frozenset[StaticNatRule] = frozenset()
    source_nat_ip: str = ""


def _options(line: str) -> tuple[str, dict[str, str]]:
    tokens = shlex.split(line)
    chain = tokens[1] if len(tokens) > 1 else ""
    options: dict[str, str] = {}
    for index, token in enumerate(tokens):
        if token.startswith("-") and index + 1 < len(tokens) and not tokens[index + 1].startswith("-"):
            options.setdefault(token, tokens[index + 1])
    return chain, options


def _port_range(text: str | None) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    first, _, last = text.partition(":")
    return int(first), int(last or first)


def _host(text: str) -> str:
    return text[:-3] if text.endswith("/32") else text


def _firewall_rule(uuid: str, chain: str, options: dict[str, str]) -> FirewallRule:
    protocol = options.get("-p", "all")
    icmp_type = icmp_code = None
    if "--icmp-type" in options:
        type_text, _, code_text = options["--icmp-type"].partition("/")
        icmp_type, icmp_code = int(type_text), (int(code_text) if code_text else None)
    start, end = _port_range(options.get("--ctorigdstport") or options.get("--dport"))
    if chain == EGRESS_CHAIN:
        return FirewallRule(uuid, protocol, (options.get("-d", _ANY),), start, end, icmp_type, icmp_code, "egress")
    return FirewallRule(uuid, protocol, (options.get("-s", _ANY),), start, end, icmp_type, icmp_code,
                        public_ip=options.get("--ctorigdst", ""))


def _port_forwarding_rule(uuid: str, options: dict[str, str]) -> PortForwardingRule:
    public_start, public_end = _port_range(options.get("--dport"))
    address, _, ports = options.get("--to-destination", "").partition(":")
    ports = ports.split("/", 1)[0]
    first, _, last = ports.partition("-")
    private_start = int(first) if first else public_start or 0
    private_end = int(last) if last else private_start
    return PortForwardingRule(uuid, options.get("-p", "tcp"), _host(options.get("-d", "")),
                              public_start or 0, public_end or 0, address, private_start, private_end)


def parse(saved: str) -> KernelRules:
    """Rebuild the config's rules from `iptables-save` output of the router's namespace."""
    firewall: dict[str, FirewallRule] = {}
    forwarding: list[PortForwardingRule] = []
    inbound_nat: dict[str, str] = {}
    outbound_nat: dict[str, str] = {}
    source_nat_ip = ""
    for line in saved.splitlines():
        if not line.startswith("-A ") or "cirro:" not in line:
            continue
        chain, options = _options(line)
        kind, _, uuid = options.get("--comment", "").removeprefix("cirro:").partition(":")
        if kind in ("fw", "eg"):
            rule = _firewall_rule(uuid, chain, options)
            known = firewall.get(uuid)
            firewall[uuid] = rule if known is None else replace(known, cidrs=known.cidrs + rule.cidrs)
        elif kind == "pf":
            forwarding.append(_port_forwarding_rule(uuid, options))
        elif kind == "sn":
            inbound_nat[uuid] = options.get("--to-destination", "")
        elif kind == "sn-out":
            outbound_nat[uuid] = _host(options.get("-s", ""))
        elif kind == "snat":
            source_nat_ip = options.get("--to-source", "")
    static = frozenset(StaticNatRule(public, private) for public, private in inbound_nat.items()
                       if outbound_nat.get(public) == private)
    return KernelRules(frozenset(firewall.values()), frozenset(forwarding), static, source_nat_ip)


def canonical_firewall_rule(rule: FirewallRule) -> FirewallRule:
    """`rule` as `parse` reads it back: CIDRs normalised, fields the kernel does not keep dropped."""
    protocol = rule.protocol.lower() or "all"
    ports = protocol in ("tcp", "udp") and rule.start_port is not None
    icmp = protocol == "icmp" and rule.icmp_type is not None and rule.icmp_type >= 0
    return FirewallRule(rule.uuid, protocol, tuple(_cidr(cidr) for cidr in rule.cidrs or (_ANY,)),
                        rule.start_port if ports else None,
                        (rule.end_port if rule.end_port is not None else rule.start_port) if ports else None,
                        rule.icmp_type if icmp else None,
                        rule.icmp_code if icmp and rule.icmp_code is not None and rule.icmp_code >= 0 else None,
                        rule.direction, rule.public_ip if rule.direction != "egress" else "")

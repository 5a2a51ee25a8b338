"""The simulator's security groups: the rule set in force for each simulated VM, and, for a
namespace-backed guest (setting `simulator.guest.namespaces`, see `guest_netns`), the same rules
enforced for real with iptables inside the guest's namespace.

The namespace's filter table is replaced as a whole by one `iptables-restore` per rule set, so an
apply is atomic and idempotent. Ingress is dropped unless a rule accepts it; egress is accepted
unless the set has egress rules, then only what they accept leaves. Loopback, replies to the
guest's own connections and DHCP always pass, so a guest keeps its lease.
"""

from __future__ import annotations

import ipaddress
import threading

from cirrostack.hookspecs.hypervisor_security_groups import RuleProtocol, SecurityRule, SecurityRuleSet
from cirrostack.router._run import namespace_exists, run
from cirrostack.simulator.guest_netns import GuestNamespaces, namespace_for


class SecurityRuleBook:
    """Rule sets by instance name, each with the simulated host that enforces it; the newest `seq` wins."""

    def __init__(self, guests: GuestNamespaces) -> None:
        self._guests = guests
        self._lock = threading.Lock()
        self._applied: dict[str, tuple[str, SecurityRuleSet]] = {}

    def apply(self, host_key: str, rules: SecurityRuleSet) -> bool:
        """Put `rules` in force on `host_key` (in the guest's namespace too, when it has one) unless a
        newer set is in force already; returns whether it is now. Raises ResourceAllocationFailed when
        iptables refuses the rules (the previous set stays)."""
        with self._lock:
            current = self._applied.get(rules.instance_name)
            if current is not None and current[1].seq > rules.seq:
                return False
            namespace = namespace_for(rules.vm_uuid)
            if self._guests.enabled and namespace_exists(namespace):
                run(["iptables-restore"], namespace, stdin=iptables_rules(rules))
            self._applied[rules.instance_name] = (host_key, rules)
            return True

    def forget(self, instance_name: str, host_key: str | None = None) -> None:
        """Drop the VM's rule set; with `host_key`, only when that host enforces it (after a migration the
        source host forgets nothing the target now holds). A guest namespace goes with its VM."""
        with self._lock:
            current = self._applied.get(instance_name)
            if current is not None and (host_key is None or current[0] == host_key):
                del self._applied[instance_name]

    def current(self, instance_name: str) -> SecurityRuleSet | None:
        """The rule set in force for `instance_name`, None when there is none."""
        with self._lock:
            current = self._applied.get(instance_name)
            return current[1] if current is not None else None


def iptables_rules(rules: SecurityRuleSet) -> str:
    """The guest's whole filter table for `rules`, in iptables-restore's format."""
    lines = ["*filter", ":INPUT DROP [0:0]", ":FORWARD DROP [0:0]",
             f":OUTPUT {'DROP' if rules.egress else 'ACCEPT'} [0:0]",
             "-A INPUT -i lo -j ACCEPT",
             "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
             "-A INPUT -p udp --sport 67 --dport 68 -j ACCEPT"]
    for rule in rules.ingress:
        lines += _accepts("INPUT", "-s", rule)
    if rules.egress:
        lines += ["-A OUTPUT -o lo -j ACCEPT",
                  "-A OUTPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                  "-A OUTPUT -p udp --sport 68 --dport 67 -j ACCEPT"]
        for rule in rules.egress:
            lines += _accepts("OUTPUT", "-d", rule)
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def _accepts(chain: str, address_flag: str, rule: SecurityRule) -> list[str]:
    match = _match(rule)
    return [f"-A {chain} {address_flag} {cidr} {match}-j ACCEPT".replace("  ", " ")
            for cidr in rule.cidrs if ipaddress.ip_network(cidr, strict=False).version == 4]


def _match(rule: SecurityRule) -> str:
    if rule.protocol is RuleProtocol.ALL:
        return ""
    if rule.protocol is RuleProtocol.ICMP:
        if rule.icmp_type is None or rule.icmp_type == -1:
            return "-p icmp "
        code = "" if rule.icmp_code is None or rule.icmp_code == -1 else f"/{rule.icmp_code}"
        return f"-p icmp -m icmp --icmp-type {rule.icmp_type}{code} "
    ports = "" if rule.start_port is None else f"--dport {rule.start_port}:{rule.end_port or rule.start_port} "
    return f"-p {rule.protocol.value} -m {rule.protocol.value} {ports}"

"""Security groups: the per-VM ingress and egress rules a hypervisor host enforces.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by a
capability in `HypervisorCapabilities`, so a driver that does not declare it is refused with a
432 before it is called.

The core computes a VM's complete rule set (`SecurityRuleSet`) from every group the VM belongs to;
rules that name another group arrive already resolved to the guest addresses of that group's member
VMs, so a driver never needs to know about groups. A driver enforces what it is given, as
CloudStack does: ingress is denied unless a rule allows it; egress is allowed unless the set holds
egress rules, then only what they allow leaves the VM. Address assignment (DHCP from the network's
router) and the VM's own loopback always pass.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires

if TYPE_CHECKING:
    from cirrostack.hookspecs.hypervisor import HostRef


class RuleProtocol(enum.StrEnum):
    TCP = "tcp"
    UDP = "udp"
    ICMP = "icmp"
    ALL = "all"


@dataclass(frozen=True)
class SecurityRule:
    """One allowed flow. Ports are for tcp/udp (`start_port`..`end_port`, both inclusive); icmp uses
    `icmp_type`/`icmp_code`, where -1 means any; "all" matches every protocol and port.

    `cidrs` are the remote addresses: the source for ingress, the destination for egress. A rule
    naming a group carries that group's members as /32 (or /128) entries; a group without members
    resolves to no addresses, and such a rule allows nothing."""

    protocol: RuleProtocol
    cidrs: tuple[str, ...]
    start_port: int | None = None
    end_port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None


@dataclass(frozen=True)
class SecurityRuleSet:
    """Everything one VM's host enforces for it.

    `seq` grows by one with every rule set the core computes for this VM; a driver that already
    applied a higher `seq` ignores a lower one, so a stale apply that arrives late never overwrites a
    newer one. `guest_ips` and `mac_addresses` identify the VM's guest NICs (in NIC order)."""

    vm_uuid: str
    instance_name: str
    seq: int
    guest_ips: tuple[str, ...] = ()
    mac_addresses: tuple[str, ...] = ()
    ingress: tuple[SecurityRule, ...] = ()
    egress: tuple[SecurityRule, ...] = ()


class SecurityGroupOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

    @requires("security_groups")
    def apply_security_rules(self, host: HostRef, rules: SecurityRuleSet) -> bool:
        """Make `host` enforce exactly `rules` for the VM `rules.instance_name`, replacing what was
        enforced for it before. Needs `security_groups`.

        Idempotent: applying the same set again changes nothing. Returns True when the set is now in
        force, False when it was ignored because a set with a higher `seq` was applied already. The
        core calls it after the VM started on `host` and whenever a rule of one of its groups, or the
        membership of a group its rules name, changes. On failure the previous set stays in force.
        Raises HostUnreachable, VMNotFound (the host does not know the VM).
        """
        raise UnsupportedOperation(f"hypervisor {getattr(self, 'hypervisor_type', '?')}", "security_groups")

    @requires("security_groups")
    def remove_security_rules(self, host: HostRef, instance_name: str) -> None:
        """Stop enforcing anything for `instance_name` on `host`. The core calls it after the VM stopped
        there and on the source host after a migration (the VM then runs elsewhere: remove only what
        `host` holds). Needs `security_groups`. Idempotent: a VM without rules there is fine.
        Raises HostUnreachable.
        """
        raise UnsupportedOperation(f"hypervisor {getattr(self, 'hypervisor_type', '?')}", "security_groups")

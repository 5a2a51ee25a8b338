"""What a VM's host enforces: the union of the rules of every group the VM belongs to, with rules that
name a group resolved to the guest addresses of that group's members.

A member counts while its VM exists and is not Destroyed (its NICs keep their addresses until it is
expunged). Rules with the same protocol and ports are merged into one `SecurityRule` with all their
addresses. Each computed set takes the VM's next `seq` (security_rule_set_versions).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    Nic,
    SecurityGroupRule,
    SecurityGroupVmMap,
    SecurityRuleSetVersion,
    TrafficDirection,
    VirtualMachine,
    VMState,
)
from cirrostack.hookspecs.hypervisor_security_groups import RuleProtocol, SecurityRule, SecurityRuleSet


def group_ids_of(session: Session, vm_id: int) -> list[int]:
    """The groups VM `vm_id` belongs to, in the order they were assigned."""
    return list(session.scalars(select(SecurityGroupVmMap.security_group_id).where(
        SecurityGroupVmMap.vm_id == vm_id).order_by(SecurityGroupVmMap.id)))


def member_ips(session: Session, group_ids: Iterable[int]) -> dict[int, list[str]]:
    """Guest addresses of the member VMs of each group (members that exist and are not Destroyed)."""
    rows = session.execute(select(SecurityGroupVmMap.security_group_id, Nic.ip_address).join(
        VirtualMachine, VirtualMachine.id == SecurityGroupVmMap.vm_id).join(Nic, Nic.vm_id == VirtualMachine.id).where(
        SecurityGroupVmMap.security_group_id.in_(list(group_ids)), VirtualMachine.removed.is_(None),
        VirtualMachine.state != VMState.DESTROYED.value, Nic.removed.is_(None), Nic.ip_address.is_not(None))
        .order_by(Nic.id))
    found: dict[int, list[str]] = {}
    for group_id, address in rows:
        found.setdefault(group_id, []).append(address)
    return found


def compute(session: Session, vm: VirtualMachine, seq: int) -> SecurityRuleSet:
    """The rule set of `vm` as its groups' rules say now, labelled `seq` (see `next_seq`)."""
    group_ids = group_ids_of(session, vm.id)
    rules = list(session.scalars(select(SecurityGroupRule).where(
        SecurityGroupRule.security_group_id.in_(group_ids)).order_by(SecurityGroupRule.id))) if group_ids else []
    members = member_ips(session, {rule.allowed_group_id for rule in rules if rule.allowed_group_id is not None})
    nics = list(session.scalars(select(Nic).where(Nic.vm_id == vm.id, Nic.removed.is_(None)).order_by(Nic.device_id)))
    return SecurityRuleSet(
        vm_uuid=vm.uuid, instance_name=vm.instance_name or "", seq=seq,
        guest_ips=tuple(nic.ip_address for nic in nics if nic.ip_address),
        mac_addresses=tuple(nic.mac_address for nic in nics),
        ingress=_merged([rule for rule in rules if rule.direction == TrafficDirection.INGRESS.value], members),
        egress=_merged([rule for rule in rules if rule.direction == TrafficDirection.EGRESS.value], members))


def next_seq(session: Session, vm_id: int) -> int:
    """Take VM `vm_id`'s next rule-set number. The UPDATE holds the VM's version row until the caller
    commits, so two jobs computing at once get different numbers in the order they read the rules."""
    bumped = session.execute(update(SecurityRuleSetVersion).where(SecurityRuleSetVersion.vm_id == vm_id)
                             .values(seq=SecurityRuleSetVersion.seq + 1).execution_options(synchronize_session=False))
    if not bumped.rowcount:
        try:
            with session.begin_nested():
                session.add(SecurityRuleSetVersion(vm_id=vm_id, seq=1))
            return 1
        except IntegrityError:  # another job made the row first
            return next_seq(session, vm_id)
    return int(session.scalar(select(SecurityRuleSetVersion.seq).where(SecurityRuleSetVersion.vm_id == vm_id)))


def _merged(rules: list[SecurityGroupRule], members: dict[int, list[str]]) -> tuple[SecurityRule, ...]:
    by_flow: dict[tuple[object, ...], list[str]] = {}
    for rule in rules:
        flow = (rule.protocol, rule.start_port, rule.end_port, rule.icmp_type, rule.icmp_code)
        cidrs = by_flow.setdefault(flow, [])
        addresses = [rule.cidr] if rule.cidr else [_host_cidr(ip) for ip in members.get(rule.allowed_group_id, [])]
        cidrs.extend(address for address in addresses if address not in cidrs)
    return tuple(SecurityRule(protocol=RuleProtocol(protocol), cidrs=tuple(cidrs), start_port=start, end_port=end,
                              icmp_type=icmp_type, icmp_code=icmp_code)
                 for (protocol, start, end, icmp_type, icmp_code), cidrs in by_flow.items())


def _host_cidr(address: str) -> str:
    parsed = ipaddress.ip_address(address)
    return f"{parsed}/{parsed.max_prefixlen}"

"""The complete rule sets of one network, built from the database as the providers receive them.

Each builder returns every rule that should be in force (state Add or Active); rules being revoked
are left out, so applying the set removes them.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    FirewallRuleRow,
    HealthCheckPolicyRow,
    LoadBalancerMemberRow,
    LoadBalancerRuleRow,
    Network,
    PortForwardingRuleRow,
    PublicIpAddress,
    RuleState,
    StickinessPolicyRow,
    TrafficDirection,
)
from cirrostack.hookspecs.network_rules import (
    FirewallRule,
    HealthCheckPolicy,
    LoadBalancerMember,
    LoadBalancerRule,
    PortForwardingRule,
    StaticNatRule,
    StickinessPolicy,
)

IN_FORCE = (RuleState.ADD.value, RuleState.ACTIVE.value)


def split_cidrs(text: str | None) -> tuple[str, ...]:
    """The stored comma-separated CIDR list as a tuple."""
    return tuple(part for part in (text or "").split(",") if part)


def public_addresses(session: Session, network: Network) -> dict[int, str]:
    """The public IPs associated with `network`, by id."""
    rows = session.execute(select(PublicIpAddress.id, PublicIpAddress.address)
                           .where(PublicIpAddress.network_id == network.id))
    return {row.id: row.address for row in rows}


def firewall_rules(session: Session, network: Network) -> list[FirewallRule]:
    """Ingress rules of the network's public IPs and the network's egress rules."""
    addresses = public_addresses(session, network)
    rows = session.scalars(select(FirewallRuleRow).where(FirewallRuleRow.network_id == network.id,
                                                         FirewallRuleRow.state.in_(IN_FORCE))
                           .order_by(FirewallRuleRow.id))
    rules = []
    for row in rows:
        egress = row.direction == TrafficDirection.EGRESS
        if not egress and row.public_ip_id not in addresses:
            continue  # the IP left the network; its rules go with it
        rules.append(FirewallRule(uuid=row.uuid, protocol=row.protocol, cidrs=split_cidrs(row.source_cidrs),
                                  start_port=row.start_port, end_port=row.end_port, icmp_type=row.icmp_type,
                                  icmp_code=row.icmp_code, direction="egress" if egress else "ingress",
                                  public_ip="" if egress else addresses[row.public_ip_id]))
    return rules


def port_forwarding_rules(session: Session, network: Network) -> list[PortForwardingRule]:
    addresses = public_addresses(session, network)
    rows = session.scalars(select(PortForwardingRuleRow).where(PortForwardingRuleRow.network_id == network.id,
                                                               PortForwardingRuleRow.state.in_(IN_FORCE))
                           .order_by(PortForwardingRuleRow.id))
    return [PortForwardingRule(uuid=row.uuid, protocol=row.protocol, public_ip=addresses[row.public_ip_id],
                               public_start_port=row.public_start_port, public_end_port=row.public_end_port,
                               private_ip=row.private_ip, private_start_port=row.private_start_port,
                               private_end_port=row.private_end_port)
            for row in rows if row.public_ip_id in addresses]


def static_nat_rules(session: Session, network: Network) -> list[StaticNatRule]:
    rows = session.scalars(select(PublicIpAddress).where(PublicIpAddress.network_id == network.id,
                                                         PublicIpAddress.static_nat_vm_id.is_not(None))
                           .order_by(PublicIpAddress.id))
    return [StaticNatRule(public_ip=row.address, private_ip=row.static_nat_ip or "") for row in rows]


def lb_rules(session: Session, network: Network) -> list[LoadBalancerRule]:
    """Rules with at least one member in force; a rule without members balances nothing yet."""
    addresses = public_addresses(session, network)
    rows = list(session.scalars(select(LoadBalancerRuleRow).where(LoadBalancerRuleRow.network_id == network.id,
                                                                  LoadBalancerRuleRow.state.in_(IN_FORCE))
                                .order_by(LoadBalancerRuleRow.id)))
    ids = [row.id for row in rows]
    members: dict[int, list[LoadBalancerMemberRow]] = {}
    for member in session.scalars(select(LoadBalancerMemberRow).where(LoadBalancerMemberRow.lb_rule_id.in_(ids),
                                                                      LoadBalancerMemberRow.state.in_(IN_FORCE))
                                  .order_by(LoadBalancerMemberRow.id)):
        members.setdefault(member.lb_rule_id, []).append(member)
    stickiness = {policy.lb_rule_id: policy for policy in session.scalars(
        select(StickinessPolicyRow).where(StickinessPolicyRow.lb_rule_id.in_(ids),
                                          StickinessPolicyRow.state.in_(IN_FORCE)))}
    health = {policy.lb_rule_id: policy for policy in session.scalars(
        select(HealthCheckPolicyRow).where(HealthCheckPolicyRow.lb_rule_id.in_(ids),
                                           HealthCheckPolicyRow.state.in_(IN_FORCE)))}
    rules = []
    for row in rows:
        if row.public_ip_id not in addresses or not members.get(row.id):
            continue
        sticky = stickiness.get(row.id)
        check = health.get(row.id)
        rules.append(LoadBalancerRule(
            uuid=row.uuid, name=row.name, public_ip=addresses[row.public_ip_id], public_port=row.public_port,
            private_port=row.private_port, protocol=row.protocol, algorithm=row.algorithm,
            members=tuple(LoadBalancerMember(member.ip_address, row.private_port) for member in members[row.id]),
            stickiness=None if sticky is None else StickinessPolicy(sticky.method, json.loads(sticky.params)),
            health_check=None if check is None else HealthCheckPolicy(
                ping_path=check.ping_path, interval_seconds=check.interval_seconds,
                timeout_seconds=check.timeout_seconds, healthy_threshold=check.healthy_threshold,
                unhealthy_threshold=check.unhealthy_threshold),
            source_cidrs=split_cidrs(row.source_cidrs)))
    return rules

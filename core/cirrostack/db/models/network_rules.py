"""The rules tenants put on their networks: firewall (ingress per public IP, egress per network),
port forwarding, load balancing with its VM members and policies. Static NAT lives on the public
IP itself (public_ip_addresses.static_nat_vm_id).

A rule row is the desired state; `state` says where it is on its way to the providers: Add while
the change that creates it is being pushed, Active once the providers applied it, Revoke while its
removal is being pushed. A push that fails rolls the transaction back, so neither an Add nor a
Revoke row outlives a failed request.

CIDR lists are stored comma-separated ("10.0.0.0/8,192.168.1.0/24"), in the order given.
"""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin


class RuleState(enum.StrEnum):
    ADD = "Add"
    ACTIVE = "Active"
    REVOKE = "Revoke"


class TrafficDirection(enum.StrEnum):
    INGRESS = "Ingress"
    EGRESS = "Egress"


class FirewallRuleRow(ResourceMixin, Base):
    """createFirewallRule (ingress to `public_ip_id`) or createEgressFirewallRule (egress from the network).

    `opened_for` holds the uuid of the port forwarding or load balancer rule whose `openfirewall`
    created this rule; deleting that rule deletes this one too.
    """

    __tablename__ = "firewall_rules"
    __table_args__ = (
        Index("ix_firewall_rules_network_id_direction", "network_id", "direction"),
        Index("ix_firewall_rules_public_ip_id", "public_ip_id"),
        Index("ix_firewall_rules_account_id", "account_id"),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    public_ip_id: Mapped[int | None] = mapped_column(ForeignKey("public_ip_addresses.id"), default=None)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    direction: Mapped[str] = mapped_column(String(8), default=TrafficDirection.INGRESS.value)
    protocol: Mapped[str] = mapped_column(String(8))
    start_port: Mapped[int | None] = mapped_column(Integer, default=None)
    end_port: Mapped[int | None] = mapped_column(Integer, default=None)
    icmp_type: Mapped[int | None] = mapped_column(Integer, default=None)
    icmp_code: Mapped[int | None] = mapped_column(Integer, default=None)
    source_cidrs: Mapped[str] = mapped_column(Text, default="0.0.0.0/0")
    state: Mapped[str] = mapped_column(String(8), default=RuleState.ADD.value)
    opened_for: Mapped[str | None] = mapped_column(String(40), default=None)


class PortForwardingRuleRow(ResourceMixin, Base):
    """createPortForwardingRule: `public_ip_id`:public ports -> the VM's `private_ip`:private ports."""

    __tablename__ = "port_forwarding_rules"
    __table_args__ = (
        Index("ix_port_forwarding_rules_public_ip_id", "public_ip_id"),
        Index("ix_port_forwarding_rules_network_id", "network_id"),
        Index("ix_port_forwarding_rules_vm_id", "vm_id"),
        Index("ix_port_forwarding_rules_account_id", "account_id"),
    )

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    public_ip_id: Mapped[int] = mapped_column(ForeignKey("public_ip_addresses.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"))
    private_ip: Mapped[str] = mapped_column(String(64))
    protocol: Mapped[str] = mapped_column(String(8))
    public_start_port: Mapped[int] = mapped_column(Integer)
    public_end_port: Mapped[int] = mapped_column(Integer)
    private_start_port: Mapped[int] = mapped_column(Integer)
    private_end_port: Mapped[int] = mapped_column(Integer)
    source_cidrs: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(8), default=RuleState.ADD.value)


class LoadBalancerRuleRow(ResourceMixin, Base):
    """createLoadBalancerRule: `public_ip_id`:`public_port` balanced over the members' `private_port`."""

    __tablename__ = "load_balancer_rules"
    __table_args__ = (
        Index("ix_load_balancer_rules_public_ip_id", "public_ip_id"),
        Index("ix_load_balancer_rules_network_id", "network_id"),
        Index("ix_load_balancer_rules_account_id", "account_id"),
    )

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(4096), default=None)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    public_ip_id: Mapped[int] = mapped_column(ForeignKey("public_ip_addresses.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    public_port: Mapped[int] = mapped_column(Integer)
    private_port: Mapped[int] = mapped_column(Integer)
    algorithm: Mapped[str] = mapped_column(String(32))
    protocol: Mapped[str] = mapped_column(String(16), default="tcp")
    source_cidrs: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(8), default=RuleState.ADD.value)


class LoadBalancerMemberRow(Base):
    """One VM balanced by a rule (assignToLoadBalancerRule); `ip_address` is its NIC on the rule's network.
    `state` Revoke marks a member whose removal is being pushed."""

    __tablename__ = "load_balancer_vm_members"
    __table_args__ = (UniqueConstraint("lb_rule_id", "vm_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lb_rule_id: Mapped[int] = mapped_column(ForeignKey("load_balancer_rules.id", ondelete="CASCADE"))
    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"))
    ip_address: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default=RuleState.ADD.value)


class StickinessPolicyRow(ResourceMixin, Base):
    """createLBStickinessPolicy: at most one per rule. `params` is JSON ({"name": "value"})."""

    __tablename__ = "lb_stickiness_policies"
    __table_args__ = (UniqueConstraint("lb_rule_id"),)

    lb_rule_id: Mapped[int] = mapped_column(ForeignKey("load_balancer_rules.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(4096), default=None)
    method: Mapped[str] = mapped_column(String(32))
    params: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(8), default=RuleState.ADD.value)


class HealthCheckPolicyRow(ResourceMixin, Base):
    """createLBHealthCheckPolicy: at most one per rule. An empty `ping_path` means a TCP connect check."""

    __tablename__ = "lb_health_check_policies"
    __table_args__ = (UniqueConstraint("lb_rule_id"),)

    lb_rule_id: Mapped[int] = mapped_column(ForeignKey("load_balancer_rules.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    description: Mapped[str | None] = mapped_column(String(4096), default=None)
    ping_path: Mapped[str] = mapped_column(String(1024), default="")
    interval_seconds: Mapped[int] = mapped_column(Integer, default=5)
    timeout_seconds: Mapped[int] = mapped_column(Integer, default=2)
    healthy_threshold: Mapped[int] = mapped_column(Integer, default=2)
    unhealthy_threshold: Mapped[int] = mapped_column(Integer, default=10)
    state: Mapped[str] = mapped_column(String(8), default=RuleState.ADD.value)

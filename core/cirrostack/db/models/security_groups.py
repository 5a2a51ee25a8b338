"""Security groups (createSecurityGroup), their ingress and egress rules, and which VMs belong to them.

A rule row allows one flow from (ingress) or to (egress) either one CIDR or the members of another
group (`allowed_group_id`, which CloudStack's API names by account and group name). A request with
several CIDRs and groups records one row per CIDR and per group, as CloudStack does, each with its
own id for revokeSecurityGroupIngress/Egress.

`security_group_vm_map` is the membership a deploy sets; `security_rule_set_versions` holds, per VM,
the `seq` of the last rule set the core computed for it, so a stale apply never wins on the host.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin

DEFAULT_GROUP_NAME = "default"


class SecurityGroup(ResourceMixin, Base):
    """A named set of rules of one account; its name is unique within the account (any case is kept)."""

    __tablename__ = "security_groups"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(4096), default=None)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))


class SecurityGroupRule(ResourceMixin, Base):
    """One allowed flow of a group; `direction` is "Ingress" or "Egress", `protocol` tcp/udp/icmp/all."""

    __tablename__ = "security_group_rules"
    __table_args__ = (
        Index("ix_security_group_rules_security_group_id_direction", "security_group_id", "direction"),
        Index("ix_security_group_rules_allowed_group_id", "allowed_group_id"),
    )

    security_group_id: Mapped[int] = mapped_column(ForeignKey("security_groups.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    direction: Mapped[str] = mapped_column(String(8))
    protocol: Mapped[str] = mapped_column(String(8))
    start_port: Mapped[int | None] = mapped_column(Integer, default=None)
    end_port: Mapped[int | None] = mapped_column(Integer, default=None)
    icmp_type: Mapped[int | None] = mapped_column(Integer, default=None)
    icmp_code: Mapped[int | None] = mapped_column(Integer, default=None)
    cidr: Mapped[str | None] = mapped_column(String(64), default=None)
    allowed_group_id: Mapped[int | None] = mapped_column(ForeignKey("security_groups.id"), default=None)


class SecurityGroupVmMap(Base):
    """VM `vm_id` belongs to group `security_group_id` (set at deploy)."""

    __tablename__ = "security_group_vm_map"
    __table_args__ = (UniqueConstraint("security_group_id", "vm_id"), Index("ix_security_group_vm_map_vm_id", "vm_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    security_group_id: Mapped[int] = mapped_column(ForeignKey("security_groups.id"))
    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"))


class SecurityRuleSetVersion(Base):
    """The `seq` of the newest rule set computed for VM `vm_id`, and the newest its host took
    (`applied_seq`); a VM whose `applied_seq` is behind has a set still to push."""

    __tablename__ = "security_rule_set_versions"

    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    applied_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

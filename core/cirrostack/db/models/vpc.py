"""Virtual Private Clouds: VPC offerings with their services, and VPCs.

A VPC is an account's private address space (`cidr`) in one zone; its tiers are guest networks whose
`vpc_id` names it, each a subnet of that space, all routed by the VPC's one router. The VPC's public
addresses carry `vpc_id` on `public_ip_addresses`; its source NAT address is the one with `is_source_nat`.
Network ACL lists (with their items) say what traffic may enter and leave each tier.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin


class VpcState(enum.StrEnum):
    ENABLED = "Enabled"
    INACTIVE = "Inactive"


class VpcOfferingState(enum.StrEnum):
    DISABLED = "Disabled"
    ENABLED = "Enabled"


class VpcOffering(ResourceMixin, SoftDeleteMixin, Base):
    """What a VPC is made of: the services its router offers and their providers."""

    __tablename__ = "vpc_offerings"
    __table_args__ = (UniqueConstraint("name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default=VpcOfferingState.DISABLED.value)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    service_offering_id: Mapped[int | None] = mapped_column(ForeignKey("service_offerings.id"), default=None)


class VpcOfferingService(Base):
    """A service of a VPC offering and the provider that delivers it."""

    __tablename__ = "vpc_offering_services"
    __table_args__ = (UniqueConstraint("vpc_offering_id", "service", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vpc_offering_id: Mapped[int] = mapped_column(ForeignKey("vpc_offerings.id"), index=True)
    service: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(255))


class Vpc(ResourceMixin, SoftDeleteMixin, Base):
    """An account's VPC in a zone. `restart_required` is set when a change waits for restartVPC."""

    __tablename__ = "vpcs"
    __table_args__ = (Index("ix_vpcs_account_id_removed", "account_id", "removed"),
                      Index("ix_vpcs_zone_id", "zone_id"))

    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(255))
    cidr: Mapped[str] = mapped_column(String(64))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    vpc_offering_id: Mapped[int] = mapped_column(ForeignKey("vpc_offerings.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    network_domain: Mapped[str | None] = mapped_column(String(255), default=None)
    state: Mapped[str] = mapped_column(String(16), default=VpcState.ENABLED.value)
    restart_required: Mapped[bool] = mapped_column(Boolean, default=False)


class NetworkAclList(ResourceMixin, Base):
    """A network ACL list: a VPC's own (`vpc_id`), or one of the two defaults every VPC may use
    (default_allow, default_deny; `vpc_id` NULL). A tier uses one list (`networks.acl_id`)."""

    __tablename__ = "network_acl_lists"

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(255), default="")
    vpc_id: Mapped[int | None] = mapped_column(ForeignKey("vpcs.id"), default=None, index=True)


class NetworkAclItem(ResourceMixin, Base):
    """One rule of a network ACL list. `cidrs` is comma-separated; `traffic_type` Ingress or Egress,
    `action` Allow or Deny; rules match in ascending `number`, unique within their list."""

    __tablename__ = "network_acl_items"
    __table_args__ = (UniqueConstraint("acl_id", "number"),)

    acl_id: Mapped[int] = mapped_column(ForeignKey("network_acl_lists.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    protocol: Mapped[str] = mapped_column(String(16), default="all")
    start_port: Mapped[int | None] = mapped_column(Integer, default=None)
    end_port: Mapped[int | None] = mapped_column(Integer, default=None)
    icmp_type: Mapped[int | None] = mapped_column(Integer, default=None)
    icmp_code: Mapped[int | None] = mapped_column(Integer, default=None)
    cidrs: Mapped[str] = mapped_column(Text, default="0.0.0.0/0")
    traffic_type: Mapped[str] = mapped_column(String(16), default="Ingress")
    action: Mapped[str] = mapped_column(String(16), default="Allow")
    state: Mapped[str] = mapped_column(String(16), default="Active")

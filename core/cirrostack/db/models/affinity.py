"""Affinity groups: named sets of an account's VMs that the planner places by a rule of the group's type
("host anti-affinity": no two members on the same host)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin


class AffinityGroup(ResourceMixin, SoftDeleteMixin, Base):
    """One affinity group of an account. The name is unique among the account's live groups; `type` is
    the name of a registered affinity type (services.affinity.types)."""

    __tablename__ = "affinity_groups"
    __table_args__ = (UniqueConstraint("account_id", "name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(4096), default=None)
    type: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))


class AffinityGroupVMMap(Base):
    """A VM's membership of an affinity group (a VM may be in several groups). While the VM is being
    live-migrated, `migration_host_id` is the target, whose room is already reserved for it."""

    __tablename__ = "affinity_group_vm_map"
    __table_args__ = (UniqueConstraint("group_id", "vm_id"), Index("ix_affinity_group_vm_map_vm_id", "vm_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("affinity_groups.id"))
    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"))
    migration_host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id"), default=None)


__all__ = ["AffinityGroup", "AffinityGroupVMMap"]

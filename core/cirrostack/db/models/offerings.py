"""Compute (service) offerings and disk offerings: the sizes accounts choose from.

Fields follow CloudStack 4.3. A compute offering whose `cpu_number`, `cpu_speed_mhz` and
`memory_mb` are all NULL is a custom offering (the VM's deploy gives the values). `domain_id`
NULL makes an offering public; set, it is offered to that domain and the domains below it.
System offerings (`is_system`) size system VMs such as virtual routers (`system_vm_type`).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin
from cirrostack.db.models.accounts import Domain

STORAGE_TYPES = ("shared", "local")
SYSTEM_VM_TYPES = ("domainrouter", "consoleproxy", "secondarystoragevm", "elasticloadbalancervm",
                   "internalloadbalancervm")


class _IoLimits:
    """Disk I/O throttling CloudStack applies to volumes created from an offering (NULL = none)."""

    bytes_read_rate: Mapped[int | None] = mapped_column(BigInteger, default=None)
    bytes_write_rate: Mapped[int | None] = mapped_column(BigInteger, default=None)
    iops_read_rate: Mapped[int | None] = mapped_column(BigInteger, default=None)
    iops_write_rate: Mapped[int | None] = mapped_column(BigInteger, default=None)


class ServiceOffering(_IoLimits, ResourceMixin, SoftDeleteMixin, Base):
    """A compute offering: CPUs, speed, memory, and where and how its VMs may run.

    `tags` are storage tags (comma-separated) the root disk's pool must have; `host_tags` a tag
    the host must have. `network_rate` is Mb/s (NULL: the zone's default)."""

    __tablename__ = "service_offerings"

    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(4096))
    cpu_number: Mapped[int | None] = mapped_column(Integer, default=None)
    cpu_speed_mhz: Mapped[int | None] = mapped_column(Integer, default=None)
    memory_mb: Mapped[int | None] = mapped_column(Integer, default=None)
    storage_type: Mapped[str] = mapped_column(String(16), default="shared")
    tags: Mapped[str | None] = mapped_column(String(4096), default=None)
    host_tags: Mapped[str | None] = mapped_column(String(255), default=None)
    limit_cpu_use: Mapped[bool] = mapped_column(Boolean, default=False)
    offer_ha: Mapped[bool] = mapped_column(Boolean, default=False)
    is_volatile: Mapped[bool] = mapped_column(Boolean, default=False)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    system_vm_type: Mapped[str | None] = mapped_column(String(64), default=None)
    default_use: Mapped[bool] = mapped_column(Boolean, default=False)
    network_rate: Mapped[int | None] = mapped_column(Integer, default=None)
    multicast_rate: Mapped[int | None] = mapped_column(Integer, default=None)
    deployment_planner: Mapped[str | None] = mapped_column(String(255), default=None)
    unique_name: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    sort_key: Mapped[int] = mapped_column(Integer, default=0)

    domain: Mapped[Domain | None] = relationship(lazy="joined")
    details: Mapped[list[ServiceOfferingDetail]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                                order_by="ServiceOfferingDetail.name")

    @property
    def is_customized(self) -> bool:
        return self.cpu_number is None and self.cpu_speed_mhz is None and self.memory_mb is None


class ServiceOfferingDetail(Base):
    """A name/value given with createServiceOffering's `serviceofferingdetails` (e.g. for a planner)."""

    __tablename__ = "service_offering_details"
    __table_args__ = (UniqueConstraint("offering_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(ForeignKey("service_offerings.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(Text)


class DiskOffering(_IoLimits, ResourceMixin, SoftDeleteMixin, Base):
    """A data disk size (`disk_size_gb`), or any size the user asks for when `is_customized`.

    `customized_iops` lets the user pick IOPS between `min_iops` and `max_iops` (managed storage)."""

    __tablename__ = "disk_offerings"

    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(4096))
    disk_size_gb: Mapped[int] = mapped_column(BigInteger, default=0)
    is_customized: Mapped[bool] = mapped_column(Boolean, default=False)
    customized_iops: Mapped[bool | None] = mapped_column(Boolean, default=None)
    min_iops: Mapped[int | None] = mapped_column(BigInteger, default=None)
    max_iops: Mapped[int | None] = mapped_column(BigInteger, default=None)
    storage_type: Mapped[str] = mapped_column(String(16), default="shared")
    tags: Mapped[str | None] = mapped_column(String(4096), default=None)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)
    display_offering: Mapped[bool] = mapped_column(Boolean, default=True)
    hypervisor_snapshot_reserve: Mapped[int | None] = mapped_column(Integer, default=None)
    unique_name: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    sort_key: Mapped[int] = mapped_column(Integer, default=0)

    domain: Mapped[Domain | None] = relationship(lazy="joined")


__all__ = ["STORAGE_TYPES", "SYSTEM_VM_TYPES", "DiskOffering", "ServiceOffering", "ServiceOfferingDetail"]

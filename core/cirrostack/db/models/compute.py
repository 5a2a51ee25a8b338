"""Virtual machines, their volumes, and the host capacity reservations the planner keeps.

A VM row records the EFFECTIVE size it was given (custom offerings included), so a VM keeps its size
when its offering changes. `host_id` is where it runs (or is starting); `last_host_id` where it last ran,
which a later start prefers. Destroyed VMs keep their row until expunged; expunged ones are soft-deleted.

`HostReservation` holds, per host, the CPU (MHz) and memory (bytes) reserved by VMs placed on it. The
planner changes it only with conditional UPDATEs (`... WHERE reserved + need <= total`), so concurrent
deploys never overcommit a host on SQLite or MariaDB.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin


class VMState(enum.StrEnum):
    STOPPED = "Stopped"
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    MIGRATING = "Migrating"
    DESTROYED = "Destroyed"
    EXPUNGING = "Expunging"
    EXPUNGED = "Expunged"
    ERROR = "Error"


class VolumeType(enum.StrEnum):
    ROOT = "ROOT"
    DATADISK = "DATADISK"


class VolumeState(enum.StrEnum):
    ALLOCATED = "Allocated"
    READY = "Ready"
    DESTROY = "Destroy"
    EXPUNGED = "Expunged"


class VirtualMachine(ResourceMixin, SoftDeleteMixin, Base):
    """A user VM. `name` is its host name, `instance_name` the name the hypervisor knows it by
    ("i-<account id>-<vm id>-VM"); `password_encrypted` holds a generated password sealed by SecretBox."""

    __tablename__ = "vm_instances"
    __table_args__ = (
        Index("ix_vm_instances_account_id_removed", "account_id", "removed"),
        Index("ix_vm_instances_state", "state"),
        Index("ix_vm_instances_host_id", "host_id"),
        Index("ix_vm_instances_zone_id", "zone_id"),
        Index("ix_vm_instances_domain_id", "domain_id"),
    )

    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    instance_name: Mapped[str | None] = mapped_column(String(255), default=None)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    pod_id: Mapped[int | None] = mapped_column(ForeignKey("pods.id"), default=None)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), default=None)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id"), default=None)
    last_host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id"), default=None)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id"), default=None)
    iso_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id"), default=None)
    service_offering_id: Mapped[int] = mapped_column(ForeignKey("service_offerings.id"))
    cpus: Mapped[int] = mapped_column(Integer)
    cpu_speed_mhz: Mapped[int] = mapped_column(Integer)
    memory_mb: Mapped[int] = mapped_column(Integer)
    hypervisor_type: Mapped[str | None] = mapped_column(String(32), default=None)
    state: Mapped[str] = mapped_column(String(16), default=VMState.STOPPED.value)
    ha_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    keypair_name: Mapped[str | None] = mapped_column(String(255), default=None)
    userdata: Mapped[str | None] = mapped_column(Text, default=None)
    password_encrypted: Mapped[str | None] = mapped_column(Text, default=None)
    group_name: Mapped[str | None] = mapped_column(String(255), default=None)
    display_vm: Mapped[bool] = mapped_column(Boolean, default=True)
    guest_os_id: Mapped[int | None] = mapped_column(ForeignKey("guest_os.id"), default=None)  # None: the template's
    dynamically_scalable: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def cpu_mhz_total(self) -> int:
        return self.cpus * self.cpu_speed_mhz

    @property
    def memory_bytes(self) -> int:
        return self.memory_mb * 1024 * 1024


class VMDetail(Base):
    """A name/value recorded for a VM (e.g. the custom cpuNumber/cpuSpeed/memory it was deployed with)."""

    __tablename__ = "vm_details"
    __table_args__ = (UniqueConstraint("vm_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(Text)


class Volume(ResourceMixin, SoftDeleteMixin, Base):
    """A disk: a VM's ROOT volume or a DATADISK, attached (`vm_id`, `device_id`) or not."""

    __tablename__ = "volumes"
    __table_args__ = (
        Index("ix_volumes_account_id_removed", "account_id", "removed"),
        Index("ix_volumes_vm_id", "vm_id"),
        Index("ix_volumes_pool_id", "pool_id"),
    )

    name: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    vm_id: Mapped[int | None] = mapped_column(ForeignKey("vm_instances.id"), default=None)
    device_id: Mapped[int | None] = mapped_column(Integer, default=None)
    volume_type: Mapped[str] = mapped_column(String(16), default=VolumeType.DATADISK.value)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    disk_offering_id: Mapped[int | None] = mapped_column(ForeignKey("disk_offerings.id"), default=None)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("storage_pools.id"), default=None)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id"), default=None)
    state: Mapped[str] = mapped_column(String(16), default=VolumeState.ALLOCATED.value)
    path: Mapped[str | None] = mapped_column(String(1024), default=None)
    attached: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class HostReservation(Base):
    """CPU (MHz) and memory (bytes) reserved on a host by the VMs placed on it."""

    __tablename__ = "host_reservations"

    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id"), primary_key=True)
    cpu_mhz: Mapped[int] = mapped_column(BigInteger, default=0)
    memory_bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class VMCount(Base):
    """Per account, how many VM rows are live (not expunged) and how many of those are Destroyed.

    Kept exact by database triggers on `vm_instances` (see `cirrostack.db.vm_counts`), whatever
    statement changes a VM row, so listVirtualMachines' total `count` costs one row per account
    instead of a scan of every VM."""

    __tablename__ = "vm_counts"

    account_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    live: Mapped[int] = mapped_column(BigInteger, default=0)
    destroyed: Mapped[int] = mapped_column(BigInteger, default=0)

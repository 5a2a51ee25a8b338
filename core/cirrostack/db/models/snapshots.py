"""Volume snapshots and snapshot policies (createSnapshot, createSnapshotPolicy).

A snapshot row is written before the hypervisor is asked (state Creating), so a failed copy leaves a
visible Error row. `pool_id` and `path` say where the hypervisor keeps the copy (on the pool of the volume
it was taken from); the row outlives its volume, as in CloudStack. A policy takes a snapshot of its volume
every interval at `schedule` in `timezone`; `next_run` (naive UTC) is when the scheduler takes the next one.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin


class SnapshotState(enum.StrEnum):
    CREATING = "Creating"
    BACKED_UP = "BackedUp"
    ERROR = "Error"
    DESTROYED = "Destroyed"


class SnapshotType(enum.StrEnum):
    """How the snapshot came about: by hand, or by a policy of that interval."""

    MANUAL = "MANUAL"
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


class IntervalType(enum.StrEnum):
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"

    @property
    def number(self) -> int:
        """CloudStack's number of the interval (listSnapshotPolicies' `intervaltype`): 0 hourly .. 3 monthly."""
        return list(IntervalType).index(self)


class Snapshot(ResourceMixin, SoftDeleteMixin, Base):
    """One volume snapshot. `size_bytes` is the volume's size when taken, `physical_size_bytes` the copy's."""

    __tablename__ = "snapshots"
    __table_args__ = (
        Index("ix_snapshots_volume_id_removed", "volume_id", "removed"),
        Index("ix_snapshots_account_id_removed", "account_id", "removed"),
        Index("ix_snapshots_policy_id", "policy_id"),
    )

    name: Mapped[str] = mapped_column(String(255))
    volume_id: Mapped[int] = mapped_column(ForeignKey("volumes.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    state: Mapped[str] = mapped_column(String(16), default=SnapshotState.CREATING.value)
    snapshot_type: Mapped[str] = mapped_column(String(16), default=SnapshotType.MANUAL.value)
    interval_type: Mapped[str | None] = mapped_column(String(16), default=None)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("snapshot_policies.id"), default=None)
    hypervisor_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    physical_size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("storage_pools.id"), default=None)
    path: Mapped[str | None] = mapped_column(String(1024), default=None)


class SnapshotPolicy(ResourceMixin, SoftDeleteMixin, Base):
    """A recurring snapshot of one volume; one per volume and interval type."""

    __tablename__ = "snapshot_policies"
    __table_args__ = (
        Index("ix_snapshot_policies_volume_id_removed", "volume_id", "removed"),
        Index("ix_snapshot_policies_next_run", "next_run"),
    )

    volume_id: Mapped[int] = mapped_column(ForeignKey("volumes.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    interval_type: Mapped[str] = mapped_column(String(16))
    schedule: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    max_snaps: Mapped[int] = mapped_column(Integer)
    next_run: Mapped[datetime] = mapped_column(DateTime)

"""VM snapshots: a VM's disks (and memory, for DiskAndMemory) at a point in time.

The row is written before the strategy is called (state Allocated, then Creating) so a failed call
leaves a visible Error row instead of nothing. `current` marks the snapshot the VM was last taken
from or reverted to; `parent_id` is the snapshot that was current when this one was taken.
`strategy_name` is the strategy that took it, so revert and delete go to the same one.
"""

from __future__ import annotations

import enum

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin


class VMSnapshotState(enum.StrEnum):
    ALLOCATED = "Allocated"
    CREATING = "Creating"
    READY = "Ready"
    REVERTING = "Reverting"
    EXPUNGING = "Expunging"
    REMOVED = "Removed"
    ERROR = "Error"


class VMSnapshotType(enum.StrEnum):
    DISK = "Disk"
    DISK_AND_MEMORY = "DiskAndMemory"


class VMSnapshot(ResourceMixin, SoftDeleteMixin, Base):
    """One VM snapshot. `name` is generated (`<instancename>_VS_<yyyyMMddHHmmss>`), `display_name` the user's."""

    __tablename__ = "vm_snapshots"
    __table_args__ = (
        Index("ix_vm_snapshots_vm_id_removed", "vm_id", "removed"),
        Index("ix_vm_snapshots_account_id_removed", "account_id", "removed"),
    )

    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str | None] = mapped_column(String(255), default=None)
    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    state: Mapped[str] = mapped_column(String(16), default=VMSnapshotState.ALLOCATED.value)
    snapshot_type: Mapped[str] = mapped_column(String(16), default=VMSnapshotType.DISK.value)
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("vm_snapshots.id"), default=None)
    strategy_name: Mapped[str | None] = mapped_column(String(255), default=None)

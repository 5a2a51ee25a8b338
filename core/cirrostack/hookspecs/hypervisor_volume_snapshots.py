"""Volume (disk) snapshots: taking, reverting and deleting snapshots of one volume, and volumes made from them.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by the
`volume_snapshots` capability in `HypervisorCapabilities`, so a driver that does not declare it is
refused with a 432 before it is called.

A volume snapshot is a point-in-time copy of one disk (a ROOT or DATADISK volume, of a running or a
stopped VM, or detached) kept as its own file or image on the disk's primary storage pool. It does not
depend on the disk afterwards: deleting the volume (`delete_disk`) leaves its snapshots usable, so a new
volume can still be made from them. The core keeps the database; drivers only touch the pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires

if TYPE_CHECKING:  # hypervisor.py imports this module: its types are for annotations only
    from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef, StoragePoolRef, VMRef


@dataclass(frozen=True)
class VolumeSnapshotRequest:
    """What to snapshot. `name` is unique in the cloud (the core passes the snapshot's uuid);
    `vm` is the VM the disk is attached to (None for a detached volume); `quiesce` asks the guest
    to flush its file systems first (the core refuses it before calling; drivers may ignore it)."""

    name: str
    vm: VMRef | None = None
    quiesce: bool = False


@dataclass(frozen=True)
class VolumeSnapshotRef:
    """A snapshot a driver took, as the core hands it back: `path` is what `take_volume_snapshot`
    reported, on `pool` (the pool of the volume it was taken from)."""

    name: str
    path: str
    pool: StoragePoolRef
    size_bytes: int = 0


@dataclass(frozen=True)
class VolumeSnapshotInfo:
    """What a driver reports about a snapshot it took: where it is on the pool (`path`), the disk's
    virtual size at that time (`size_bytes`) and the space the copy takes (`physical_size_bytes`)."""

    path: str
    size_bytes: int
    physical_size_bytes: int


class VolumeSnapshotOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

    hypervisor_type: str

    @requires("volume_snapshots")
    def take_volume_snapshot(self, host: HostRef, disk: DiskSpec, request: VolumeSnapshotRequest
                             ) -> VolumeSnapshotInfo:
        """Copy `disk` (its file on `disk.pool`) as it is now into a new snapshot on the same pool.
        Needs `volume_snapshots`.

        `host` reaches the pool; when `request.vm` runs there the copy is taken from the running
        disk (crash-consistent). The disk and the VM are unchanged afterwards. On failure nothing
        stays on the pool. A snapshot that already exists under `request.name` for this disk raises
        InvalidParameter("name", ...). Raises InvalidState when the disk's file does not exist yet,
        HostUnreachable.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "volume_snapshots")

    @requires("volume_snapshots")
    def revert_volume_snapshot(self, host: HostRef, disk: DiskSpec, snapshot: VolumeSnapshotRef) -> None:
        """Replace `disk`'s content with `snapshot`'s (taken from this disk). Needs `volume_snapshots`.

        The disk's VM must not be running (InvalidState otherwise); the snapshot is kept. Raises
        InvalidParameter("id", ...) when the snapshot is not on the pool, HostUnreachable.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "volume_snapshots")

    @requires("volume_snapshots")
    def create_volume_from_snapshot(self, host: HostRef, snapshot: VolumeSnapshotRef, disk: DiskSpec) -> int:
        """Make the file of the new volume `disk` (on `disk.pool`, at `disk.path`) from `snapshot`.
        Needs `volume_snapshots`.

        Returns the new disk's virtual size in bytes (the snapshot's, or `disk.size_bytes` when
        larger). Idempotent for a disk made from this snapshot before. On failure nothing stays on
        the pool. Raises InvalidParameter("snapshotid", ...) when the snapshot is not on its pool,
        HostUnreachable.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "volume_snapshots")

    @requires("volume_snapshots")
    def delete_volume_snapshot(self, host: HostRef, snapshot: VolumeSnapshotRef) -> None:
        """Remove `snapshot` from its pool. Needs `volume_snapshots`. Volumes made from it are not
        touched. Idempotent: a snapshot that is not there is fine. Raises HostUnreachable.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "volume_snapshots")

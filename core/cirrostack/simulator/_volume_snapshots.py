"""Volume snapshots on the simulator: copies of disk files kept in its state, next to the disks.

A snapshot is recorded under (pool uuid, "snapshots/<disk path>/<name>") with the disk's size at the time;
reverting needs the disk's VM to be stopped; deleting the disk leaves its snapshots, as on a real pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass

from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef, PowerState
from cirrostack.hookspecs.hypervisor_volume_snapshots import (
    VolumeSnapshotInfo,
    VolumeSnapshotRef,
    VolumeSnapshotRequest,
)
from cirrostack.simulator._state import SimulatorState


@dataclass(frozen=True)
class SimDiskSnapshot:
    """One volume snapshot: the disk it copies (pool uuid, path), its virtual size and the bytes the copy takes."""

    pool_uuid: str
    source_path: str
    size_bytes: int
    physical_size_bytes: int


class SimulatorVolumeSnapshots:
    """The volume snapshot methods of SimulatorHypervisor (capability `volume_snapshots`)."""

    _state: SimulatorState
    _operation: Callable[[str], AbstractContextManager[SimulatorState]]  # SimulatorHypervisor's

    def take_volume_snapshot(self, host: HostRef, disk: DiskSpec, request: VolumeSnapshotRequest
                             ) -> VolumeSnapshotInfo:
        with self._operation("take_volume_snapshot") as state:
            state.reachable_host(host)
            pool_uuid, source = _disk_file(state, disk)
            path = f"snapshots/{source}/{request.name}"
            if (pool_uuid, path) in state.volume_snapshots:
                raise InvalidParameter("name", f"disk {disk.uuid} already has a snapshot named {request.name!r}")
            size = state.disk_sizes.get((pool_uuid, source), disk.size_bytes)
            taken = SimDiskSnapshot(pool_uuid, source, size, physical_size_bytes=size)  # a full copy
            state.volume_snapshots[(pool_uuid, path)] = taken
            return VolumeSnapshotInfo(path, taken.size_bytes, taken.physical_size_bytes)

    def revert_volume_snapshot(self, host: HostRef, disk: DiskSpec, snapshot: VolumeSnapshotRef) -> None:
        with self._operation("revert_volume_snapshot") as state:
            state.reachable_host(host)
            pool_uuid, source = _disk_file(state, disk)
            taken = _snapshot(state, snapshot, "id")
            if (taken.pool_uuid, taken.source_path) != (pool_uuid, source):
                raise InvalidParameter("id", f"snapshot {snapshot.name} was taken of {taken.source_path}, not of "
                                             f"disk {source}")
            for vm in _vms_using(state, disk.uuid):
                if vm.power is PowerState.RUNNING:
                    raise InvalidState(f"VM {vm.name} runs with disk {disk.uuid}; stop it before reverting the disk "
                                       f"to snapshot {snapshot.name}")
            state.disk_sizes[(pool_uuid, source)] = taken.size_bytes

    def create_volume_from_snapshot(self, host: HostRef, snapshot: VolumeSnapshotRef, disk: DiskSpec) -> int:
        with self._operation("create_volume_from_snapshot") as state:
            state.reachable_host(host)
            taken = _snapshot(state, snapshot, "snapshotid")
            if disk.pool is None:
                raise InvalidParameter("snapshotid", f"the volume {disk.uuid} made from snapshot {snapshot.name} "
                                                     "has no pool")
            size = max(taken.size_bytes, disk.size_bytes)
            state.make_disk_files((disk,))
            state.disk_sizes[(disk.pool.uuid, disk.path or disk.uuid)] = size
            return size

    def delete_volume_snapshot(self, host: HostRef, snapshot: VolumeSnapshotRef) -> None:
        with self._operation("delete_volume_snapshot") as state:
            state.reachable_host(host)
            state.volume_snapshots.pop((snapshot.pool.uuid, snapshot.path), None)

    # -- introspection for tests ---------------------------------------------------------------

    def volume_snapshot_files(self) -> dict[tuple[str, str], SimDiskSnapshot]:
        """(pool uuid, path) -> snapshot, for every volume snapshot the simulator holds."""
        with self._state.lock:
            return dict(self._state.volume_snapshots)


def _disk_file(state: SimulatorState, disk: DiskSpec) -> tuple[str, str]:
    if disk.pool is None:
        raise InvalidState(f"disk {disk.uuid} is on no pool; it has no file to snapshot or revert")
    key = (disk.pool.uuid, disk.path or disk.uuid)
    if key not in state.disk_files:
        raise InvalidState(f"disk {disk.uuid} has no file on pool {disk.pool.name} yet (it is made when its VM "
                           "starts or it is hot-plugged)")
    return key


def _snapshot(state: SimulatorState, snapshot: VolumeSnapshotRef, param: str) -> SimDiskSnapshot:
    taken = state.volume_snapshots.get((snapshot.pool.uuid, snapshot.path))
    if taken is None:
        raise InvalidParameter(param, f"snapshot {snapshot.name} is not on pool {snapshot.pool.name} "
                                      f"(path {snapshot.path})")
    return taken


def _vms_using(state: SimulatorState, disk_uuid: str) -> Iterator:
    return (vm for vm in state.vms.values() if disk_uuid in vm.disks)

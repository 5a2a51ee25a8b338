"""Volume snapshots on KVM: a point-in-time copy of a disk's whole qcow2 chain into its own volume of
the same libvirt pool, named `snapshot-<snapshot uuid>.qcow2`. The copy has no backing file, so it
outlives the disk and its template. A disk no running domain uses is copied with libvirt's volume clone
(`qemu-img convert`); the disk of a running domain, which QEMU holds locked, with a block copy job
that is ended without a pivot once the copy is in sync, leaving the copy as of that moment.

Reverting replaces the disk's volume with a copy of the snapshot (refused while a running domain uses
the disk); a volume made from a snapshot is a copy of it under the new disk's volume name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef
from cirrostack.hookspecs.hypervisor_volume_snapshots import (
    VolumeSnapshotInfo,
    VolumeSnapshotRef,
    VolumeSnapshotRequest,
)
from cirrostack_hv_kvm._storage import PoolStorage, _volume, refresh, volume_name

SNAPSHOT_PREFIX = "snapshot-"
_COPY_TIMEOUT_SECONDS = 600
_BLOCK_COPY_TRANSIENT_JOB = 4  # VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB: allowed on a persistent domain


class KvmVolumeSnapshots:
    """The volume snapshot methods of KvmHypervisor (capability `volume_snapshots`)."""

    settings: Any
    _conn: Callable[[HostRef], Any]
    _errors: Callable[..., Any]

    def take_volume_snapshot(self, host: HostRef, disk: DiskSpec, request: VolumeSnapshotRequest
                             ) -> VolumeSnapshotInfo:
        """Clone the disk's volume (flattening its backing chain) into `snapshot-<name>.qcow2`."""
        if disk.pool is None:
            raise InvalidState(f"volume {disk.uuid} is on no pool; there is nothing to snapshot")
        name = f"{SNAPSHOT_PREFIX}{request.name}.qcow2"
        with self._errors(host, f"snapshot volume {disk.uuid}"):
            pool = PoolStorage(self._conn(host), dict(self.settings)).pool(disk.pool)
            source = _volume(pool, volume_name(disk))
            if source is None:
                raise InvalidState(f"volume {disk.uuid} has no file on pool {disk.pool.name} yet (it is made when "
                                   "its VM starts or it is hot-plugged)")
            if _volume(pool, name) is not None:
                raise InvalidParameter("name", f"pool {disk.pool.name} already holds snapshot {name}")
            capacity = source.info()[1]
            running = _running_domain_using(self._conn(host), source.path())
            if running is None:
                copy = pool.createXMLFrom(_qcow2_xml(name, capacity), source, 0)
            else:
                copy = _live_copy(pool, running, source.path(), name)
            return VolumeSnapshotInfo(name, capacity, copy.info()[2])

    def revert_volume_snapshot(self, host: HostRef, disk: DiskSpec, snapshot: VolumeSnapshotRef) -> None:
        """Replace the disk's volume with a copy of the snapshot, unless a running domain uses the disk."""
        if disk.pool is None:
            raise InvalidState(f"volume {disk.uuid} is on no pool; there is nothing to revert")
        conn = self._conn(host)
        with self._errors(host, f"revert volume {disk.uuid}"):
            storage = PoolStorage(conn, dict(self.settings))
            saved = _snapshot_volume(storage, snapshot, "id")
            pool = storage.pool(disk.pool)
            current = _volume(pool, volume_name(disk))
            if current is not None:
                running = _running_domain_using(conn, current.path())
                if running is not None:
                    raise InvalidState(f"domain {running.name()} runs with volume {disk.uuid}; stop it before "
                                       f"reverting the volume to snapshot {snapshot.name}")
                current.delete(0)
            pool.createXMLFrom(_qcow2_xml(volume_name(disk), saved.info()[1]), saved, 0)

    def create_volume_from_snapshot(self, host: HostRef, snapshot: VolumeSnapshotRef, disk: DiskSpec) -> int:
        """Copy the snapshot into the new disk's volume (kept when a copy is there already)."""
        if disk.pool is None:
            raise InvalidParameter("snapshotid", f"volume {disk.uuid} made from snapshot {snapshot.name} has no pool")
        with self._errors(host, f"make volume {disk.uuid} from snapshot {snapshot.name}"):
            storage = PoolStorage(self._conn(host), dict(self.settings))
            saved = _snapshot_volume(storage, snapshot, "snapshotid")
            pool = storage.pool(disk.pool)
            existing = _volume(pool, volume_name(disk))
            if existing is not None:
                return existing.info()[1]
            capacity = max(saved.info()[1], disk.size_bytes)
            made = pool.createXMLFrom(_qcow2_xml(volume_name(disk), capacity), saved, 0)
            if made.info()[1] < capacity:  # a clone keeps its source's size
                made.resize(capacity, 0)
            return made.info()[1]

    def delete_volume_snapshot(self, host: HostRef, snapshot: VolumeSnapshotRef) -> None:
        """Delete the snapshot's volume; one that is gone already is fine."""
        with self._errors(host, f"delete snapshot {snapshot.name}"):
            pool = PoolStorage(self._conn(host), dict(self.settings)).pool(snapshot.pool)
            saved = _volume(pool, snapshot.path)
            if saved is not None:
                saved.delete(0)
                refresh(pool)


def _running_domain_using(conn: Any, path: str) -> Any | None:
    for dom in conn.listAllDomains(1):  # VIR_CONNECT_LIST_DOMAINS_ACTIVE
        if f"'{path}'" in dom.XMLDesc(0) or f'"{path}"' in dom.XMLDesc(0):
            return dom
    return None


def _live_copy(pool: Any, dom: Any, source_path: str, name: str) -> Any:
    """Copy the running domain's disk at `source_path` into the pool volume `name` with a block copy job,
    ended without a pivot once in sync. On failure the job is ended and the partial copy removed."""
    target = f"{pool.XMLDesc(0).split('<path>', 1)[1].split('</path>', 1)[0]}/{name}"
    dest = f"<disk type='file'><source file='{escape(target)}'/><driver type='qcow2'/></disk>"
    dom.blockCopy(source_path, dest, None, _BLOCK_COPY_TRANSIENT_JOB)
    try:
        deadline = time.monotonic() + _COPY_TIMEOUT_SECONDS
        while True:
            info = dom.blockJobInfo(source_path, 0)
            if info and info.get("end", 0) > 0 and info.get("cur") == info.get("end"):
                break
            if not info or time.monotonic() > deadline:
                raise InvalidState(f"the block copy of {source_path} into {name} did not finish")
            time.sleep(0.05)
    finally:
        dom.blockJobAbort(source_path, 0)  # no pivot: the domain keeps its disk, the copy stays as of now
    refresh(pool)
    made = _volume(pool, name)
    if made is None:
        raise InvalidState(f"the block copy of {source_path} left no volume {name} on the pool")
    return made


def _snapshot_volume(storage: PoolStorage, snapshot: VolumeSnapshotRef, param: str) -> Any:
    saved = _volume(storage.pool(snapshot.pool), snapshot.path)
    if saved is None:
        raise InvalidParameter(param, f"snapshot {snapshot.name} is not on pool {snapshot.pool.name} "
                                      f"(volume {snapshot.path})")
    return saved


def _qcow2_xml(name: str, capacity: int) -> str:
    return (f"<volume><name>{escape(name)}</name><capacity unit='bytes'>{capacity}</capacity>"
            "<target><format type='qcow2'/></target></volume>")

"""Primary storage on a KVM host, through libvirt storage pools and volumes.

A cirrostack pool becomes the libvirt pool named by its uuid: a `dir` pool for "file://" and
"SharedMountPoint://" URLs (the directory is the pool), a `netfs` pool for "nfs://server/export"
(mounted under the `kvm.nfs.mount.root` directory). Templates and ISOs are fetched by the
management server and streamed into the pool once, as volumes named `<prefix><template uuid>`;
a ROOT volume is a qcow2 overlay on that copy (libvirt runs qemu-img), sized to the DiskSpec;
a data volume is a blank qcow2 made on first use. Volume names of VM disks are `<path>.qcow2`, so
`delete_disk` removes exactly what this module made and never a template copy.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any
from xml.sax.saxutils import escape

from cirrostack.errors import CirroError, InvalidParameter
from cirrostack.hookspecs.hypervisor import DiskSpec, StoragePoolRef, TemplateSpec
from cirrostack_hv_kvm._domain_xml import DiskFile
from cirrostack_hv_kvm._errors import (
    VIR_ERR_INTERNAL_ERROR,
    VIR_ERR_NO_STORAGE_POOL,
    VIR_ERR_NO_STORAGE_VOL,
    VIR_ERR_OPERATION_INVALID,
    error_code,
)
from cirrostack_hv_kvm._template_fetch import fetch

DIR_PROTOCOLS = frozenset({"filesystem", "file", "sharedmountpoint"})
NFS_PROTOCOLS = frozenset({"nfs"})
_IMAGE_FORMATS = {"QCOW2": "qcow2", "RAW": "raw", "ISO": "iso"}
_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


class PoolStorage:
    """Volumes of VM disks on the pools of one host connection."""

    def __init__(self, conn: Any, settings: dict[str, Any]) -> None:
        self.conn = conn
        self.template_prefix = str(settings.get("kvm.template.volume.prefix", "template-"))
        self.nfs_mount_root = str(settings.get("kvm.nfs.mount.root", "/var/lib/cirrostack/mnt"))
        self.download_dir = str(settings.get("kvm.template.download.dir", "") or "/tmp/cirrostack-kvm-downloads")
        self.download_timeout = float(settings.get("kvm.template.download.timeout", 600))

    # -- pools -----------------------------------------------------------------------------------

    def pool(self, ref: StoragePoolRef) -> Any:
        """The active libvirt pool of `ref`, defined, built and started on first use."""
        with _lock_for(("pool", ref.uuid)):  # two first deploys on a pool must not both define it
            try:
                pool = self.conn.storagePoolLookupByName(ref.uuid)
            except Exception as exc:
                if error_code(exc) != VIR_ERR_NO_STORAGE_POOL:
                    raise
                pool = self.conn.storagePoolDefineXML(self._pool_xml(ref), 0)
                pool.setAutostart(1)
                if ref.protocol.lower() in DIR_PROTOCOLS:
                    pool.build(0)
            if not pool.isActive():
                if ref.protocol.lower() in NFS_PROTOCOLS:
                    pool.build(0)
                pool.create(0)
            return pool

    def _pool_xml(self, ref: StoragePoolRef) -> str:
        protocol = ref.protocol.lower()
        name = f"<name>{escape(ref.uuid)}</name>"
        if protocol in DIR_PROTOCOLS:
            path = ref.path or ref.url.split("://", 1)[-1]
            return f"<pool type='dir'>{name}<target><path>{escape(path)}</path></target></pool>"
        if protocol in NFS_PROTOCOLS:
            server = ref.url.split("://", 1)[-1].split("/", 1)[0]
            target = os.path.join(self.nfs_mount_root, ref.uuid)
            return (f"<pool type='netfs'>{name}<source><host name='{escape(server)}'/><dir path='{escape(ref.path)}'/>"
                    f"<format type='nfs'/></source><target><path>{escape(target)}</path></target></pool>")
        raise InvalidParameter("storageid", f"pool {ref.name} uses {ref.protocol}; KVM hosts here mount NFS, "
                                            "SharedMountPoint and Filesystem (file://) pools")

    # -- VM disks --------------------------------------------------------------------------------

    def prepare(self, disk: DiskSpec, iso_pool: Any | None = None) -> DiskFile:
        """The file of `disk` on its pool, made now if it is not there: a ROOT overlay on the pool's
        copy of its template, a blank data volume, or the copy of an ISO on its pool (`iso_pool`, a
        libvirt pool, when the ISO names none: the pool of the VM's first volume)."""
        if disk.kind == "ISO":
            pool = self.pool(disk.pool) if disk.pool is not None else iso_pool
            if disk.template is None or pool is None:
                raise InvalidParameter("isoid", f"ISO disk {disk.uuid} names no ISO or no pool to keep it on")
            path = self.template_copy(pool, disk.template)
            return DiskFile(path, "iso", "ISO", disk.device_id)
        if disk.pool is None:
            raise InvalidParameter("storageid", f"volume {disk.uuid} ({disk.kind}) names no primary storage pool; "
                                                "a KVM VM's volumes live on a pool of its cluster or zone")
        pool = self.pool(disk.pool)
        name = volume_name(disk)
        existing = _volume(pool, name)
        if existing is not None:
            return DiskFile(existing.path(), "qcow2", disk.kind, disk.device_id, disk.uuid)
        backing = ""
        backing_format = ""
        capacity = disk.size_bytes
        if disk.kind == "ROOT" and disk.template is not None:
            backing = self.template_copy(pool, disk.template)
            backing_format = _IMAGE_FORMATS.get(disk.template.format.upper(), "qcow2")
            capacity = max(capacity, disk.template.size_bytes, self.conn.storageVolLookupByPath(backing).info()[1])
        if capacity <= 0:
            raise InvalidParameter("size", f"volume {disk.uuid} ({disk.kind}) has no size and no template")
        volume = pool.createXML(_volume_xml(name, capacity, backing, backing_format), 0)
        return DiskFile(volume.path(), "qcow2", disk.kind, disk.device_id, disk.uuid, created=True)

    def remove_file(self, disk: DiskFile) -> None:
        """Remove a volume `prepare` made in a call that then failed."""
        self.conn.storageVolLookupByPath(disk.path).delete(0)

    def delete(self, disk: DiskSpec) -> bool:
        """Remove the volume `prepare` made for `disk`; False when there was none. The pool is
        started on this host first if needed (the VM may have run on another host of the cluster)."""
        if disk.pool is None or disk.kind == "ISO":
            return False
        volume = _volume(self.pool(disk.pool), volume_name(disk))
        if volume is None:
            return False
        volume.delete(0)
        return True

    # -- templates -------------------------------------------------------------------------------

    def template_copy(self, pool: Any, template: TemplateSpec) -> str:
        """The path of the pool's copy of `template`, downloaded and uploaded on first use."""
        name = self.template_prefix + template.uuid
        with _lock_for((pool.name(), template.uuid)):
            existing = _volume(pool, name)
            if existing is not None:
                return existing.path()
            image = fetch(template, self.download_dir, self.download_timeout)
            try:
                volume = pool.createXML(_volume_xml(name, image.size_bytes, "", "raw"), 0)
                try:
                    _upload(self.conn, volume, image.path, image.size_bytes)
                except Exception:
                    volume.delete(0)
                    raise
            finally:
                os.unlink(image.path)
            refresh(pool)
            return pool.storageVolLookupByName(name).path()


def volume_name(disk: DiskSpec) -> str:
    """The volume name of a VM disk on its pool."""
    base = disk.path or disk.uuid
    if "/" in base:
        raise CirroError(f"volume {disk.uuid}: path {base!r} is not a volume name on a KVM pool")
    return base if base.endswith(".qcow2") else f"{base}.qcow2"


def _volume(pool: Any, name: str) -> Any | None:
    """The volume `name` of `pool`, refreshing the pool once when libvirt does not list it yet
    (another host of the cluster may have made it). None when it is not there."""
    for attempt in range(2):
        try:
            return pool.storageVolLookupByName(name)
        except Exception as exc:
            if error_code(exc) != VIR_ERR_NO_STORAGE_VOL:
                raise
        if attempt == 0:
            refresh(pool)
    return None


def refresh(pool: Any, wait_seconds: float = 10) -> bool:
    """Re-read the pool's directory. libvirt refuses while a volume of the pool is being built or
    uploaded ("has asynchronous jobs running"): wait for that a little, then go on with what the
    pool lists (volumes made through this host's libvirt are listed without a refresh)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            pool.refresh(0)
            return True
        except Exception as exc:
            busy = error_code(exc) in (VIR_ERR_INTERNAL_ERROR, VIR_ERR_OPERATION_INVALID)
            if not busy or "asynchronous jobs" not in str(exc) or time.monotonic() > deadline:
                if busy and "asynchronous jobs" in str(exc):
                    return False
                raise
        time.sleep(0.05)


def _volume_xml(name: str, capacity: int, backing: str, backing_format: str) -> str:
    target_format = "raw" if not backing and backing_format == "raw" else "qcow2"
    xml = (f"<volume><name>{escape(name)}</name><capacity unit='bytes'>{capacity}</capacity>"
           f"<allocation unit='bytes'>0</allocation><target><format type='{target_format}'/></target>")
    if backing:
        xml += f"<backingStore><path>{escape(backing)}</path><format type='{backing_format}'/></backingStore>"
    return xml + "</volume>"


def _upload(conn: Any, volume: Any, path: str, size: int) -> None:
    stream = conn.newStream(0)
    volume.upload(stream, 0, size, 0)
    with open(path, "rb") as source:
        stream.sendAll(lambda _stream, nbytes, handle: handle.read(nbytes), source)
    stream.finish()


def _lock_for(key: tuple[str, str]) -> threading.Lock:
    """One lock per pool (defining it) and per template copy in a pool (fetching it), process-wide."""
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())

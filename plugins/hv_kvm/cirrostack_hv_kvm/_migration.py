"""Live migration between KVM hosts: peer-to-peer, driven by the source host's libvirtd.

The source libvirtd connects to the target's libvirt URI itself (VIR_MIGRATE_PEER2PEER), QEMU
streams the memory over TCP to the target host's address, the domain becomes persistent on the
target and is undefined on the source. Disks stay where they are, so they must be on storage both
hosts see at the same path: the pools holding them are defined and started on the target first.
On failure the VM keeps running on the source, which libvirt guarantees.

libvirt recognises NFS and cluster file systems as shared, but not a directory pool (file://,
SharedMountPoint://) that the operator mounts at the same path on every host of a cluster. For disks
on such pools the migration is flagged VIR_MIGRATE_UNSAFE when `kvm.migration.trust.directory.pools`
is on (the default), since cirrostack places those pools on a whole cluster.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack_hv_kvm._domain_xml import console_address, with_console_address


def migration_uri(target: HostRef) -> str:
    """Where QEMU sends the memory: tcp://<target host> (the host part of its libvirt URI)."""
    host = urlsplit(target.url).hostname or ""
    return f"tcp://{host}" if host else ""


def _disk_pools(conn: Any, dom: Any) -> list[Any]:
    """The libvirt pools holding the domain's writable disks."""
    pools: dict[str, Any] = {}
    for disk in ET.fromstring(dom.XMLDesc(0)).findall("devices/disk"):
        source = disk.find("source")
        if disk.find("readonly") is not None or source is None or not source.get("file"):
            continue
        pool = conn.storageVolLookupByPath(source.get("file")).storagePoolLookupByVolume()
        pools[pool.name()] = pool
    return list(pools.values())


def start_pools_on_target(libvirt: ModuleType, conn: Any, dom: Any, target_conn: Any) -> None:
    """Define and start, on the target host, the pools of the domain's disks (an NFS pool is
    mounted there before QEMU on the target opens its disks)."""
    defined = set(target_conn.listStoragePools()) | set(target_conn.listDefinedStoragePools())
    for pool in _disk_pools(conn, dom):
        if pool.name() not in defined:
            target_pool = target_conn.storagePoolDefineXML(pool.XMLDesc(libvirt.VIR_STORAGE_XML_INACTIVE), 0)
            target_pool.setAutostart(1)
        else:
            target_pool = target_conn.storagePoolLookupByName(pool.name())
        if not target_pool.isActive():
            if ET.fromstring(target_pool.XMLDesc(0)).get("type") != "dir":
                target_pool.build(0)
            target_pool.create(0)


def on_directory_pools(conn: Any, dom: Any) -> bool:
    """True when a writable disk of `dom` is a volume of a libvirt `dir` pool."""
    return any(ET.fromstring(pool.XMLDesc(0)).get("type") == "dir" for pool in _disk_pools(conn, dom))


def migrate(libvirt: ModuleType, dom: Any, target: HostRef, target_conn: Any, trust_directory_pools: bool) -> None:
    """Live-migrate `dom` to `target`; raises libvirtError (mapped by the caller) on failure."""
    start_pools_on_target(libvirt, dom.connect(), dom, target_conn)
    flags = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER | libvirt.VIR_MIGRATE_PERSIST_DEST
             | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)
    if trust_directory_pools and on_directory_pools(dom.connect(), dom):
        flags |= libvirt.VIR_MIGRATE_UNSAFE
    params: dict[str, Any] = {}
    uri = migration_uri(target)
    if uri:
        params[libvirt.VIR_MIGRATE_PARAM_URI] = uri
    moved = with_console_address(dom.XMLDesc(libvirt.VIR_DOMAIN_XML_SECURE | libvirt.VIR_DOMAIN_XML_MIGRATABLE),
                                 console_address(target))
    if moved is not None:  # the VNC display listens on the target's address there
        params[libvirt.VIR_MIGRATE_PARAM_DEST_XML] = moved
    dom.migrateToURI3(target.url, params, flags)

"""Live migration between KVM hosts: peer-to-peer, driven by the source host's libvirtd.

The source libvirtd connects to the target's libvirt URI itself (VIR_MIGRATE_PEER2PEER), QEMU
streams the memory over TCP to the target host's address, the domain becomes persistent on the
target and is undefined on the source. Disks must be on storage both hosts see at the same path
(a shared pool); on failure the VM keeps running on the source, which libvirt guarantees.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from cirrostack.hookspecs.hypervisor import HostRef


def migration_uri(target: HostRef) -> str:
    """Where QEMU sends the memory: tcp://<target host> (the host part of its libvirt URI)."""
    host = urlsplit(target.url).hostname or ""
    return f"tcp://{host}" if host else ""


def migrate(libvirt: ModuleType, dom: Any, target: HostRef) -> None:
    """Live-migrate `dom` to `target`; raises libvirtError (mapped by the caller) on failure."""
    flags = (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER | libvirt.VIR_MIGRATE_PERSIST_DEST
             | libvirt.VIR_MIGRATE_UNDEFINE_SOURCE)
    params: dict[str, Any] = {}
    uri = migration_uri(target)
    if uri:
        params[libvirt.VIR_MIGRATE_PARAM_URI] = uri
    dom.migrateToURI3(target.url, params, flags)

"""VM snapshots as libvirt internal snapshots (qcow2), with or without memory.

QEMU takes an internal snapshot of a *running* VM only together with its memory, and cannot load
one taken after vCPUs were hot-plugged: such a snapshot is refused up front. A snapshot
asked for without memory of a running VM is therefore taken the same way but marked disk-only in
its description; reverting to it restores the disks and leaves the VM stopped, as the contract
says. The marker also tells `list` what each snapshot holds.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import SnapshotInfo, SnapshotSpec
from cirrostack_hv_kvm._errors import VIR_ERR_NO_DOMAIN_SNAPSHOT, error_code

MEMORY_MARK = "cirrostack: memory"
DISK_ONLY_MARK = "cirrostack: disk-only"
_WITH_MEMORY_STATES = {"running", "paused", "blocked"}


def create(libvirt: Any, dom: Any, vm_name: str, snapshot: SnapshotSpec) -> SnapshotInfo:
    """Take `snapshot` of `dom`; InvalidParameter("name") when the name is taken."""
    if snapshot.name in dom.snapshotListNames(0):
        raise InvalidParameter("name", f"VM {vm_name} already has a snapshot named {snapshot.name!r}")
    if dom.isActive() and hot_plugged_vcpus(dom):
        raise InvalidState(f"VM {vm_name} got vCPUs hot-plugged while running, and QEMU cannot load a snapshot "
                           "taken in that state (\"Unknown savevm section ... cpu_common\"); stop and start the VM "
                           "(it restarts with its current size) or snapshot it while it is stopped")
    mark = MEMORY_MARK if snapshot.with_memory and dom.isActive() else DISK_ONLY_MARK
    description = mark + (f"\n{snapshot.description}" if snapshot.description else "")
    xml = (f"<domainsnapshot><name>{escape(snapshot.name)}</name>"
           f"<description>{escape(description)}</description></domainsnapshot>")
    taken = dom.snapshotCreateXML(xml, 0)
    return info(taken)


def hot_plugged_vcpus(dom: Any) -> int:
    """How many of the running domain's vCPUs were hot-plugged after it started."""
    vcpus = ET.fromstring(dom.XMLDesc(0)).findall("vcpus/vcpu")
    return sum(1 for vcpu in vcpus if vcpu.get("enabled") == "yes" and vcpu.get("hotpluggable") == "yes")


def info(snap: Any) -> SnapshotInfo:
    root = ET.fromstring(snap.getXMLDesc(0))
    parent = root.findtext("parent/name") or ""
    return SnapshotInfo(name=root.findtext("name") or snap.getName(), with_memory=_holds_memory(root), parent=parent)


def _holds_memory(root: ET.Element) -> bool:
    description = root.findtext("description") or ""
    if description.startswith(MEMORY_MARK):
        return True
    if description.startswith(DISK_ONLY_MARK):
        return False
    return (root.findtext("state") or "") in _WITH_MEMORY_STATES  # taken outside cirrostack


def listed(dom: Any) -> list[SnapshotInfo]:
    """The snapshots of `dom`, oldest first (creation time, then depth in the snapshot tree)."""
    entries = []
    for snap in dom.listAllSnapshots(0):
        root = ET.fromstring(snap.getXMLDesc(0))
        entries.append((int(root.findtext("creationTime") or 0), root, snap))
    parents = {root.findtext("name"): root.findtext("parent/name") for _t, root, _s in entries}

    def depth(name: str | None) -> int:
        seen = 0
        while name and parents.get(name) and seen < len(parents):
            name, seen = parents[name], seen + 1
        return seen

    entries.sort(key=lambda entry: (entry[0], depth(entry[1].findtext("name"))))
    return [info(snap) for _t, _root, snap in entries]


def lookup(dom: Any, vm_name: str, name: str) -> Any | None:
    try:
        return dom.snapshotLookupByName(name, 0)
    except Exception as exc:
        if error_code(exc) == VIR_ERR_NO_DOMAIN_SNAPSHOT:
            return None
        raise


def revert(libvirt: Any, dom: Any, vm_name: str, name: str) -> None:
    """Return `dom` to snapshot `name`: running for a memory snapshot, else stopped."""
    snap = lookup(dom, vm_name, name)
    if snap is None:
        raise InvalidParameter("vmsnapshotid", f"VM {vm_name} has no snapshot named {name!r}")
    if info(snap).with_memory:
        dom.revertToSnapshot(snap, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_RUNNING)
        return
    state = ET.fromstring(snap.getXMLDesc(0)).findtext("state") or ""
    if state in _WITH_MEMORY_STATES:  # a disk-only request taken of a running VM: keep the disks only
        dom.revertToSnapshot(snap, libvirt.VIR_DOMAIN_SNAPSHOT_REVERT_PAUSED)
        if dom.isActive():
            dom.destroy()
        return
    dom.revertToSnapshot(snap, 0)
    if dom.isActive():
        dom.destroy()


def delete(dom: Any, vm_name: str, name: str) -> None:
    """Remove snapshot `name`; nothing to do when it is gone already."""
    snap = lookup(dom, vm_name, name)
    if snap is not None:
        snap.delete(0)

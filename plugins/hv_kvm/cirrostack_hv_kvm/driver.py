"""KvmHypervisor: the hypervisor contract on KVM hosts through libvirt-python.

Methods follow the contract's order. Every libvirt call runs inside `libvirt_errors`, so callers see
only cirrostack errors; libvirt itself is imported by `_connection` on the first call.
"""

from __future__ import annotations

import secrets as random_source
import time
from collections.abc import Callable
from typing import Any, ClassVar
from xml.etree import ElementTree as ET

from cirrostack.errors import (
    HostUnreachable,
    InsufficientCapacity,
    InvalidParameter,
    InvalidState,
    UnsupportedOperation,
    VMNotFound,
)
from cirrostack.hookspecs.hypervisor import (
    DiskSpec,
    HostInfo,
    HostRef,
    HostState,
    HypervisorCapabilities,
    HypervisorDriver,
    PowerState,
    SnapshotInfo,
    SnapshotSpec,
    VMRef,
    VMSpec,
    VMStatus,
)
from cirrostack.hookspecs.hypervisor_console import ConsoleAccess
from cirrostack_hv_kvm import _events, _snapshots
from cirrostack_hv_kvm._connection import connection, forget, host_label, libvirt_module
from cirrostack_hv_kvm._domain_xml import (
    DiskFile,
    VncConsole,
    console_address,
    disk_element,
    disk_target,
    domain_xml,
    vnc_console,
)
from cirrostack_hv_kvm._errors import VIR_ERR_NO_DOMAIN, error_code, libvirt_errors
from cirrostack_hv_kvm._host_facts import domain_type, host_info
from cirrostack_hv_kvm._migration import migrate
from cirrostack_hv_kvm._storage import PoolStorage, volume_name
from cirrostack_hv_kvm._volume_snapshots import KvmVolumeSnapshots

KVM_CAPABILITIES = HypervisorCapabilities(
    live_migration=True,
    scale_running_vm=True,
    vm_snapshots=True,
    vm_snapshot_memory=True,
    volume_snapshots=True,
    hot_plug_volumes=True,
    console_access=True,
    storage_protocols=frozenset({"NFS", "SharedMountPoint", "Filesystem"}),
    isolation_methods=frozenset({"VLAN", "VXLAN"}),
    max_data_volumes=6,
)

# virDomainState values
_POWER = {1: PowerState.RUNNING, 2: PowerState.RUNNING, 3: PowerState.PAUSED, 4: PowerState.RUNNING,
          5: PowerState.STOPPED, 6: PowerState.STOPPED, 7: PowerState.PAUSED}
_KIND_ORDER = {"ROOT": 0, "DATADISK": 1, "ISO": 2}
_MEDIA_CHANGE_PATIENCE_S = 20.0  # an emulated (TCG) guest on a busy host can take seconds to open the tray


class KvmHypervisor(KvmVolumeSnapshots, HypervisorDriver):
    """KVM hosts reached by their libvirt URI (qemu+tcp://, qemu+ssh://, qemu:///system, test:///)."""

    hypervisor_type: ClassVar[str] = "KVM"
    capabilities: ClassVar[HypervisorCapabilities] = KVM_CAPABILITIES

    # -- hosts -------------------------------------------------------------------------------

    def connect_host(self, host: HostRef) -> HostInfo:
        """Dial the host's libvirt URI and report its topology, memory, versions and CPU model."""
        conn = self._conn(host)
        with self._errors(host, "getInfo"):
            return host_info(conn)

    def host_state(self, host: HostRef) -> HostState:
        """UP when libvirt answers getInfo, else DOWN (the cached connection is dropped)."""
        try:
            conn = self._conn(host)
            with self._errors(host, "getInfo"):
                conn.getInfo()
        except HostUnreachable:
            return HostState.DOWN
        return HostState.UP

    def list_vms(self, host: HostRef) -> dict[str, VMStatus]:
        """Every libvirt domain of the host, running or defined, by name."""
        conn = self._conn(host)
        with self._errors(host, "listAllDomains"):
            statuses = [_status(dom, host) for dom in conn.listAllDomains(0)]
        return {status.instance_name: status for status in statuses}

    # -- VM life cycle -----------------------------------------------------------------------

    def start_vm(self, host: HostRef, vm: VMSpec) -> VMStatus:
        """Prepare the volumes, (re)define the domain from `vm` and start it; a failed start undefines a
        domain it defined and removes the volumes it made."""
        conn = self._conn(host)
        name = vm.instance_name
        with self._errors(host, "start", name):
            existing = _lookup(conn, name)
            if existing is not None and existing.isActive():
                return _status(existing, host)
            free_mib = _unclaimed_memory_mib(conn)
            if vm.memory_mb > free_mib:
                raise InsufficientCapacity(f"KVM host {host_label(host)} has {free_mib} MiB not given to running "
                                           f"VMs; VM {name} needs {vm.memory_mb} MiB")
            storage = PoolStorage(conn, dict(self.settings))
            disks = self._prepare_disks(storage, vm)
            try:
                kind = domain_type(conn, str(self.settings.get("kvm.guest.domain.type", "auto")))
                vnc = VncConsole(console_address(host), random_source.token_urlsafe(6))
                dom = conn.defineXML(domain_xml(vm, kind, disks, vnc=vnc))
                try:
                    dom.create()
                except Exception:
                    if existing is None:
                        dom.undefineFlags(self._undefine_flags())
                    raise
            except Exception:
                for disk in disks:
                    if disk.created:
                        storage.remove_file(disk)
                raise
            return _status(dom, host)

    def stop_vm(self, host: HostRef, vm: VMRef, force: bool = False) -> VMStatus:
        """ACPI shutdown, then destroy after `kvm.stop.timeout` seconds (at once with `force`)."""
        dom = self._domain(host, vm)
        with self._errors(host, "stop", vm.instance_name):
            if dom.isActive() and not force:
                dom.shutdown()
                deadline = time.monotonic() + float(self.settings.get("kvm.stop.timeout", 30))
                while dom.isActive() and time.monotonic() < deadline:
                    time.sleep(0.1)
            if dom.isActive():
                try:
                    dom.destroy()
                except Exception:
                    if dom.isActive():  # it may have stopped on its own in between
                        raise
            return _status(dom, host)

    def reboot_vm(self, host: HostRef, vm: VMRef) -> VMStatus:
        """libvirt's reboot of a running domain."""
        dom = self._domain(host, vm)
        with self._errors(host, "reboot", vm.instance_name):
            if not dom.isActive():
                raise InvalidState(f"VM {vm.instance_name} is not running on KVM host {host_label(host)}; only a "
                                   "running VM can be rebooted")
            dom.reboot(0)
            return _status(dom, host)

    def destroy_vm(self, host: HostRef, vm: VMRef) -> None:
        """Power off and undefine the domain (snapshot metadata included); volumes stay."""
        conn = self._conn(host)
        with self._errors(host, "destroy", vm.instance_name):
            dom = _lookup(conn, vm.instance_name)
            if dom is None:
                return
            if dom.isActive():
                dom.destroy()
            dom.undefineFlags(self._undefine_flags())

    def vm_status(self, host: HostRef, vm: VMRef) -> VMStatus:
        """The domain's state, current vCPUs and memory."""
        dom = self._domain(host, vm)
        with self._errors(host, "status", vm.instance_name):
            return _status(dom, host)

    # -- optional ------------------------------------------------------------------------------

    def delete_disk(self, host: HostRef, disk: DiskSpec) -> None:
        """Delete the volume start_vm/attach_disk made for `disk` (never a template copy)."""
        conn = self._conn(host)
        with self._errors(host, f"delete volume {disk.uuid}"):
            PoolStorage(conn, dict(self.settings)).delete(disk)

    def watch_events(self, host: HostRef, notify: Callable[[str], None]) -> Callable[[], None] | None:
        """Subscribe to the host's domain lifecycle events on a connection kept for it."""
        with self._errors(host, "watch events"):
            return _events.watch(host, notify)

    def attach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        """Make the volume if needed and hot-plug it on virtio-scsi; an ISO is inserted into the
        domain's CD-ROM drive (a media change: IDE drives cannot be hot-plugged)."""
        dom = self._running(host, vm, "attach a disk to")
        conn = self._conn(host)
        with self._errors(host, f"attach volume {disk.uuid}", vm.instance_name, "hot_plug_volumes"):
            prepared = PoolStorage(conn, dict(self.settings)).prepare(disk, _first_pool(conn, dom))
            if _disk_by_source(dom, prepared.path) is not None:
                return
            if disk.kind == "ISO":
                drive = ET.fromstring(dom.XMLDesc(0)).find("devices/disk[@device='cdrom']")
                target = drive.find("target").get("dev") if drive is not None else disk_target("ISO", disk.device_id)
                xml = ET.tostring(disk_element(prepared, target), encoding="unicode")
                if drive is None:
                    dom.attachDeviceFlags(xml, self._live_flags(dom))
                else:
                    self._change_media(dom, xml)
                return
            target = disk_target(disk.kind, disk.device_id)
            if ET.fromstring(dom.XMLDesc(0)).find(f"devices/disk/target[@dev='{target}']") is not None:
                raise InvalidParameter("deviceid", f"VM {vm.instance_name} already has a disk at device id "
                                                   f"{disk.device_id} ({target})")
            xml = ET.tostring(disk_element(prepared, target), encoding="unicode")
            dom.attachDeviceFlags(xml, self._live_flags(dom))

    def detach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        """Unplug the data volume `disk` (found by its serial or file), or eject the ISO from the
        CD-ROM drive, on the running domain."""
        dom = self._running(host, vm, "detach a disk from")
        with self._errors(host, f"detach volume {disk.uuid}", vm.instance_name, "hot_plug_volumes"):
            for element in ET.fromstring(dom.XMLDesc(0)).findall("devices/disk"):
                source = element.find("source")
                path = source.get("file", "") if source is not None else ""
                if disk.kind == "ISO":
                    if element.get("device") == "cdrom" and path:
                        element.remove(source)
                        self._change_media(dom, ET.tostring(element, encoding="unicode"))
                        return
                    continue
                serial = element.findtext("serial") or ""
                if serial == disk.uuid.replace("-", "")[:20] or path.endswith("/" + volume_name(disk)):
                    dom.detachDeviceFlags(ET.tostring(element, encoding="unicode"), self._live_flags(dom))
                    return

    def scale_vm(self, host: HostRef, vm: VMRef, cpus: int, cpu_speed_mhz: int, memory_mb: int) -> VMStatus:
        """Hot-plug vCPUs (up or down) and memory DIMMs (up only) within the maximums set at start."""
        dom = self._running(host, vm, "scale")
        _refuse_on_test_driver(host, dom.connect(), "scale_running_vm", "it cannot hot-plug memory")
        libvirt = libvirt_module()
        with self._errors(host, "scale", vm.instance_name, "scale_running_vm"):
            ceiling_cpus = dom.vcpusFlags(libvirt.VIR_DOMAIN_VCPU_MAXIMUM | libvirt.VIR_DOMAIN_AFFECT_LIVE)
            if cpus > ceiling_cpus or cpus < 1:
                raise InvalidParameter("cpunumber", f"VM {vm.instance_name} runs with at most {ceiling_cpus} "
                                                    f"vCPUs (set at start); {cpus} is outside 1..{ceiling_cpus}")
            xml = ET.fromstring(dom.XMLDesc(0))
            ceiling_mb = int(xml.findtext("maxMemory") or 0) // 1024 or dom.maxMemory() // 1024
            current_mb = dom.info()[1] // 1024
            if memory_mb > ceiling_mb:
                raise InvalidParameter("memory", f"VM {vm.instance_name} runs with at most {ceiling_mb} MiB (set at "
                                                 f"start); {memory_mb} MiB is more")
            if memory_mb < current_mb:
                raise InvalidParameter("memory", f"VM {vm.instance_name} has {current_mb} MiB; a running KVM VM's "
                                                 f"memory only grows ({memory_mb} MiB asked); stop it to shrink it")
            if cpus != dom.info()[3]:
                dom.setVcpusFlags(cpus, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            if memory_mb > current_mb:
                dimm = (f"<memory model='dimm'><target><size unit='MiB'>{memory_mb - current_mb}</size>"
                        "<node>0</node></target></memory>")
                dom.attachDeviceFlags(dimm, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            if cpu_speed_mhz > 0:
                dom.setSchedulerParametersFlags({"cpu_shares": max(2, cpus * cpu_speed_mhz)},
                                                libvirt.VIR_DOMAIN_AFFECT_LIVE)
            return _status(dom, host)

    def migrate_vm(self, source: HostRef, vm: VMRef, target: HostRef) -> VMStatus:
        """Peer-to-peer live migration; the disks' pools are started on the target first."""
        dom = self._running(source, vm, "migrate")
        _refuse_on_test_driver(source, dom.connect(), "live_migration", "it cannot migrate domains")
        target_conn = self._conn(target)
        with self._errors(source, f"migrate to {host_label(target)}", vm.instance_name, "live_migration"):
            snapshots = dom.snapshotListNames(0)
            if snapshots:
                raise InvalidState(f"VM {vm.instance_name} has VM snapshots ({', '.join(sorted(snapshots))}), and "
                                   "libvirt cannot live-migrate a VM with internal snapshots; delete them first")
            migrate(libvirt_module(), dom, target, target_conn,
                    bool(self.settings.get("kvm.migration.trust.directory.pools", True)))
        with self._errors(target, "status after migration", vm.instance_name):
            return _status(target_conn.lookupByName(vm.instance_name), target)

    def console_access(self, host: HostRef, vm: VMRef) -> ConsoleAccess:
        """The running domain's VNC display as its live XML (read with its password) says."""
        dom = self._running(host, vm, "open the console of")
        with self._errors(host, "console", vm.instance_name, "console_access"):
            found = vnc_console(dom.XMLDesc(libvirt_module().VIR_DOMAIN_XML_SECURE))
        if found is None:
            raise InvalidState(f"VM {vm.instance_name} on KVM host {host_label(host)} has no VNC display (its domain "
                               "was defined before consoles were added, or on libvirt's test driver); stop and start "
                               "it to get one")
        address, port, password = found
        return ConsoleAccess("vnc", address, port, password)

    def create_vm_snapshot(self, host: HostRef, vm: VMRef, snapshot: SnapshotSpec) -> SnapshotInfo:
        """A libvirt internal snapshot, with memory when asked (see _snapshots)."""
        dom = self._domain(host, vm)
        with self._errors(host, f"snapshot {snapshot.name}", vm.instance_name, "vm_snapshots"):
            return _snapshots.create(libvirt_module(), dom, vm.instance_name, snapshot)

    def revert_vm_snapshot(self, host: HostRef, vm: VMRef, name: str) -> VMStatus:
        """Revert: running after a memory snapshot, stopped after a disk-only one."""
        dom = self._domain(host, vm)
        with self._errors(host, f"revert to snapshot {name}", vm.instance_name, "vm_snapshots"):
            _snapshots.revert(libvirt_module(), dom, vm.instance_name, name)
            return _status(dom, host)

    def delete_vm_snapshot(self, host: HostRef, vm: VMRef, name: str) -> None:
        """Delete the internal snapshot; one already gone is fine."""
        dom = self._domain(host, vm)
        with self._errors(host, f"delete snapshot {name}", vm.instance_name, "vm_snapshots"):
            _snapshots.delete(dom, vm.instance_name, name)

    def list_vm_snapshots(self, host: HostRef, vm: VMRef) -> list[SnapshotInfo]:
        """The domain's snapshots, oldest first."""
        dom = self._domain(host, vm)
        with self._errors(host, "list snapshots", vm.instance_name, "vm_snapshots"):
            return _snapshots.listed(dom)

    # -- internals -----------------------------------------------------------------------------

    def _conn(self, host: HostRef) -> Any:
        return connection(host)

    def _errors(self, host: HostRef, action: str, vm: str = "", capability: str = "") -> Any:
        return _ForgetOnUnreachable(host, action, vm, capability)

    def _domain(self, host: HostRef, vm: VMRef) -> Any:
        conn = self._conn(host)
        with self._errors(host, "lookup", vm.instance_name):
            dom = _lookup(conn, vm.instance_name)
        if dom is None:
            raise VMNotFound(f"KVM host {host_label(host)} does not know VM {vm.instance_name}")
        return dom

    def _running(self, host: HostRef, vm: VMRef, action: str) -> Any:
        dom = self._domain(host, vm)
        with self._errors(host, action, vm.instance_name):
            if not dom.isActive():
                raise InvalidState(f"VM {vm.instance_name} is not running on KVM host {host_label(host)}; "
                                   f"cannot {action} it live")
        return dom

    def _prepare_disks(self, storage: PoolStorage, vm: VMSpec) -> list[DiskFile]:
        boots_from_iso = any(d.kind == "ISO" for d in vm.disks) and not any(
            d.kind == "ROOT" and d.template is not None for d in vm.disks)
        order = sorted(vm.disks, key=lambda d: (0 if boots_from_iso and d.kind == "ISO" else 1,
                                                 _KIND_ORDER.get(d.kind, 3), d.device_id))
        first_pool_ref = next((d.pool for d in order if d.pool is not None), None)
        first_pool = storage.pool(first_pool_ref) if first_pool_ref is not None else None
        prepared: list[DiskFile] = []
        try:
            for disk in order:
                prepared.append(storage.prepare(disk, first_pool))
        except Exception:
            for disk in prepared:
                if disk.created:
                    storage.remove_file(disk)
            raise
        return prepared

    def _undefine_flags(self) -> int:
        libvirt = libvirt_module()
        return libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE

    def _change_media(self, dom: Any, xml: str) -> None:
        """Insert or eject CD-ROM media. QEMU opens the tray asynchronously, so a change can find it still
        closed ("Tray of the device is not open"): that one error is retried for a while."""
        libvirt = libvirt_module()
        deadline = time.monotonic() + _MEDIA_CHANGE_PATIENCE_S
        pause = 0.2
        while True:
            try:
                dom.updateDeviceFlags(xml, self._live_flags(dom))
                return
            except libvirt.libvirtError as error:
                tray_closed = "Tray of" in str(error) and "is not open" in str(error)
                if not tray_closed or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

    def _live_flags(self, dom: Any) -> int:
        libvirt = libvirt_module()
        return libvirt.VIR_DOMAIN_AFFECT_LIVE | (libvirt.VIR_DOMAIN_AFFECT_CONFIG if dom.isPersistent() else 0)


class _ForgetOnUnreachable:
    """libvirt_errors, and a host that stopped answering loses its cached connection."""

    def __init__(self, host: HostRef, action: str, vm: str, capability: str) -> None:
        self._host = host
        self._inner = libvirt_errors(host_label(host), action, vm, capability)

    def __enter__(self) -> None:
        self._inner.__enter__()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        try:
            return bool(self._inner.__exit__(exc_type, exc, tb))
        except HostUnreachable:
            forget(self._host)
            raise


def _unclaimed_memory_mib(conn: Any) -> int:
    """The host's memory minus what its running domains were given."""
    claimed_kib = sum(dom.info()[2] for dom in conn.listAllDomains(1))  # 1: VIR_CONNECT_LIST_DOMAINS_ACTIVE
    return conn.getInfo()[1] - claimed_kib // 1024


def _refuse_on_test_driver(host: HostRef, conn: Any, capability: str, why: str) -> None:
    """libvirt's test driver lacks what live scaling and migration need: say so before trying."""
    if conn.getType().upper() == "TEST":
        raise UnsupportedOperation(f"KVM host {host_label(host)} (libvirt's test driver)", capability, why)


def _lookup(conn: Any, name: str) -> Any | None:
    try:
        return conn.lookupByName(name)
    except Exception as exc:
        if error_code(exc) == VIR_ERR_NO_DOMAIN:
            return None
        raise


def _status(dom: Any, host: HostRef) -> VMStatus:
    state = dom.state()[0]
    _state, _max_kib, memory_kib, vcpus, _cpu_time = dom.info()
    return VMStatus(instance_name=dom.name(), power_state=_POWER.get(state, PowerState.UNKNOWN), cpus=vcpus,
                    memory_mb=memory_kib // 1024, host_uuid=host.uuid)


def _first_pool(conn: Any, dom: Any) -> Any | None:
    """The libvirt pool holding the domain's first image disk (where an attached ISO is kept)."""
    for element in ET.fromstring(dom.XMLDesc(0)).findall("devices/disk[@device='disk']"):
        source = element.find("source")
        if source is not None and source.get("file"):
            return conn.storageVolLookupByPath(source.get("file")).storagePoolLookupByVolume()
    return None


def _disk_by_source(dom: Any, path: str) -> ET.Element | None:
    for element in ET.fromstring(dom.XMLDesc(0)).findall("devices/disk"):
        source = element.find("source")
        if source is not None and source.get("file") == path:
            return element
    return None

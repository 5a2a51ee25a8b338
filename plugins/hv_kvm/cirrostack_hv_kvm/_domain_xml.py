"""The libvirt domain XML of a VM, built from its VMSpec and the disk files storage prepared.

- vCPUs: `max_cpus` is the maximum, `cpus` the current count (hot-plugged later up to the maximum).
- CPU shares: cpus x cpu_speed_mhz, so a VM's weight follows its offering as on CloudStack's KVM.
- Memory: `memory_mb` at boot; when `max_memory_mb` is larger the domain gets memory slots and
  one NUMA cell, so memory can be hot-plugged as DIMMs up to the maximum.
- Disks (ROOT on virtio; data volumes on virtio-scsi; an IDE cdrom, empty until an ISO is
  attached), NICs on the
  NicSpec's Linux bridge (a user-mode NIC where none is given), a serial console, and a metadata
  element carrying the cirrostack VM uuid and instance name.
- The console: a VNC display on the host's address with a password made for each definition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from cirrostack.hookspecs.hypervisor import HostRef, NicSpec, VMSpec

METADATA_NS = "https://cirrostack.org/xmlns/libvirt/vm/1"
METADATA_PREFIX = "cirro"
MEMORY_SLOTS = 16
ISO_DEVICE_ID = 3  # CloudStack's device id of a VM's CD-ROM
_DISK_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class DiskFile:
    """A disk as the domain sees it: a file on the host, its format and its kind."""

    path: str
    format: str  # "qcow2", "raw" (images) or "iso"
    kind: str  # "ROOT", "DATADISK" or "ISO"
    device_id: int = 0
    volume_uuid: str = ""
    created: bool = False  # made by this call (removed again when the start fails)


@dataclass(frozen=True)
class VncConsole:
    """The VNC display of a domain: the host address it listens on and its password (VNC uses at
    most 8 characters of it)."""

    listen: str
    password: str = field(repr=False)


def console_address(host: HostRef) -> str:
    """Where a host's VNC displays listen: the address of its libvirt URI, 127.0.0.1 for a local URI."""
    return urlsplit(host.url).hostname or "127.0.0.1"


def with_console_address(xml: str, address: str) -> str | None:
    """`xml` with its VNC display listening on `address` (what a migration's target gets); None
    when the domain has no VNC display."""
    ET.register_namespace(METADATA_PREFIX, METADATA_NS)
    root = ET.fromstring(xml)
    graphics = root.find("devices/graphics[@type='vnc']")
    if graphics is None:
        return None
    graphics.set("listen", address)
    for listen in graphics.findall("listen[@type='address']"):
        listen.set("address", address)
    return ET.tostring(root, encoding="unicode")


def vnc_console(xml: str) -> tuple[str, int, str] | None:
    """(listen address, port, password) of a running domain's VNC display, from its XML read with
    VIR_DOMAIN_XML_SECURE; None when it has none or no port yet."""
    graphics = ET.fromstring(xml).find("devices/graphics[@type='vnc']")
    if graphics is None or int(graphics.get("port", "-1")) <= 0:
        return None
    listen = graphics.find("listen[@type='address']")
    address = listen.get("address", "") if listen is not None else graphics.get("listen", "")
    return address, int(graphics.get("port", "0")), graphics.get("passwd", "")


def max_cpus(vm: VMSpec) -> int:
    return max(vm.max_cpus, vm.cpus)


def max_memory_mb(vm: VMSpec) -> int:
    return max(vm.max_memory_mb, vm.memory_mb)


def cpu_shares(cpus: int, cpu_speed_mhz: int) -> int:
    """libvirt's <shares>: at least 2 (the kernel's minimum weight)."""
    return max(2, cpus * cpu_speed_mhz)


def disk_target(kind: str, device_id: int) -> str:
    """The guest device name from the disk's device id: vda for ROOT, sdb, sdc... for data volumes
    (on virtio-scsi, which unplugs without the guest's help), hda..hdd for ISOs."""
    if kind == "ISO":
        return "hd" + "abcd"[min(device_id, 3)]
    prefix = "vd" if kind == "ROOT" else "sd"
    return prefix + _DISK_LETTERS[device_id % len(_DISK_LETTERS)]


def domain_xml(vm: VMSpec, domain_type: str, disks: Sequence[DiskFile],
               bridges: Mapping[str, str] | None = None, vnc: VncConsole | None = None) -> str:
    """The XML that defines `vm`: `domain_type` "kvm", "qemu" or "test"; `disks` in boot order;
    with `vnc`, a VNC display on its address, behind its password, on a VGA card."""
    root = ET.Element("domain", type=domain_type)
    ET.SubElement(root, "name").text = vm.instance_name
    ET.SubElement(root, "uuid").text = vm.uuid
    ET.SubElement(root, "description").text = f"cirrostack VM {vm.uuid}"
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, f"{{{METADATA_NS}}}vm", uuid=vm.uuid, name=vm.instance_name)
    _memory_and_cpus(root, vm, domain_type)
    os_element = ET.SubElement(root, "os")
    ET.SubElement(os_element, "type").text = "hvm"
    boots_from_iso = bool(disks) and disks[0].kind == "ISO"
    ET.SubElement(os_element, "boot", dev="cdrom" if boots_from_iso else "hd")
    ET.SubElement(os_element, "boot", dev="hd" if boots_from_iso else "cdrom")
    features = ET.SubElement(root, "features")
    ET.SubElement(features, "acpi")  # memory hot-plug needs ACPI
    ET.SubElement(features, "apic")
    ET.SubElement(root, "on_poweroff").text = "destroy"
    ET.SubElement(root, "on_reboot").text = "restart"
    ET.SubElement(root, "on_crash").text = "destroy"
    devices = ET.SubElement(root, "devices")
    for disk in disks:
        devices.append(disk_element(disk, disk_target(disk.kind, disk.device_id)))
    if domain_type != "test" and not any(disk.kind == "ISO" for disk in disks):
        # An empty drive, so an ISO attached later is a media change (IDE cannot be hot-plugged).
        devices.append(disk_element(DiskFile("", "iso", "ISO", ISO_DEVICE_ID), disk_target("ISO", ISO_DEVICE_ID)))
    for nic in sorted(vm.nics, key=lambda n: n.device_id):
        devices.append(_interface(nic, (bridges or {}).get(nic.uuid, nic.bridge), domain_type))
    if domain_type != "test":
        ET.SubElement(devices, "controller", type="scsi", index="0", model="virtio-scsi")
    serial = ET.SubElement(devices, "serial", type="pty")
    ET.SubElement(serial, "target", port="0")
    console = ET.SubElement(devices, "console", type="pty")
    ET.SubElement(console, "target", type="serial", port="0")
    if vnc is not None and domain_type != "test":
        graphics = ET.SubElement(devices, "graphics", type="vnc", port="-1", autoport="yes", listen=vnc.listen,
                                 passwd=vnc.password)
        ET.SubElement(graphics, "listen", type="address", address=vnc.listen)
    if domain_type != "test":
        video = ET.SubElement(devices, "video")
        ET.SubElement(video, "model", type="vga" if vnc is not None else "none")
        ET.SubElement(devices, "memballoon", model="none")
    ET.register_namespace(METADATA_PREFIX, METADATA_NS)
    return ET.tostring(root, encoding="unicode")


def _memory_and_cpus(root: ET.Element, vm: VMSpec, domain_type: str) -> None:
    ceiling = max_memory_mb(vm)
    hot_plug_memory = ceiling > vm.memory_mb and domain_type != "test"
    if hot_plug_memory:
        ET.SubElement(root, "maxMemory", slots=str(MEMORY_SLOTS), unit="MiB").text = str(ceiling)
    ET.SubElement(root, "memory", unit="MiB").text = str(vm.memory_mb)
    ET.SubElement(root, "currentMemory", unit="MiB").text = str(vm.memory_mb)
    ET.SubElement(root, "vcpu", placement="static", current=str(vm.cpus)).text = str(max_cpus(vm))
    if vm.cpu_speed_mhz > 0 and domain_type != "test":
        tune = ET.SubElement(root, "cputune")
        ET.SubElement(tune, "shares").text = str(cpu_shares(vm.cpus, vm.cpu_speed_mhz))
    if hot_plug_memory:
        cpu = ET.SubElement(root, "cpu")
        numa = ET.SubElement(cpu, "numa")
        ET.SubElement(numa, "cell", id="0", cpus=f"0-{max_cpus(vm) - 1}", memory=str(vm.memory_mb), unit="MiB")


def disk_element(disk: DiskFile, target: str) -> ET.Element:
    """The <disk> element of one disk (also what attach/detach hand to libvirt)."""
    if disk.kind == "ISO":
        element = ET.Element("disk", type="file", device="cdrom")
        ET.SubElement(element, "driver", name="qemu", type="raw")
        if disk.path:
            ET.SubElement(element, "source", file=disk.path)
        ET.SubElement(element, "target", dev=target, bus="ide")
        ET.SubElement(element, "readonly")
    else:
        element = ET.Element("disk", type="file", device="disk")
        ET.SubElement(element, "driver", name="qemu", type=disk.format)
        ET.SubElement(element, "source", file=disk.path)
        ET.SubElement(element, "target", dev=target, bus="virtio" if target.startswith("vd") else "scsi")
    if disk.volume_uuid:
        ET.SubElement(element, "serial").text = disk.volume_uuid.replace("-", "")[:20]
    return element


def _interface(nic: NicSpec, bridge: str, domain_type: str) -> ET.Element:
    if bridge:
        element = ET.Element("interface", type="bridge")
        ET.SubElement(element, "source", bridge=bridge)
    elif domain_type == "test":
        element = ET.Element("interface", type="network")
        ET.SubElement(element, "source", network="default")
    else:
        element = ET.Element("interface", type="user")
    ET.SubElement(element, "mac", address=nic.mac_address)
    ET.SubElement(element, "model", type="virtio")
    return element


def metadata_uuid(xml: str) -> str:
    """The cirrostack VM uuid recorded in a domain's XML ("" when it is not one of ours)."""
    found = ET.fromstring(xml).find(f"metadata/{{{METADATA_NS}}}vm")
    return found.get("uuid", "") if found is not None else ""

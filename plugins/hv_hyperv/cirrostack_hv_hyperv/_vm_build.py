"""The cmdlets that give a VM its disks, DVD, NICs, CPUs and memory, from a VMSpec.

`DiskPlan` is computed from what the host already has (files in each pool folder, drives of the
VM); it lists the files to fetch or create and the drives to attach or remove, and remembers which
files this call creates so that a failed start can remove exactly those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.hypervisor import DiskSpec, NicSpec, VMSpec
from cirrostack_hv_hyperv import _storage
from cirrostack_hv_hyperv._script import Step
from cirrostack_hv_hyperv._storage import PoolFolder

MIB = 1024 * 1024
ROOT_SLOT = ("IDE", 0, 0)
DVD_SLOT = (1, 0)  # IDE controller 1, location 0: the DVD drive New-VM gives a generation 1 VM
SCSI_LOCATIONS = 64


@dataclass
class DiskPlan:
    """Storage work for one VM on one host, in the order it must run."""

    mappings: list[Step] = field(default_factory=list)  # SMB shares to map first
    downloads: list[_storage.Download] = field(default_factory=list)  # template copies and ISOs to fetch
    prepare: list[Step] = field(default_factory=list)  # new disk files
    created: list[str] = field(default_factory=list)  # disk files this plan creates
    attach: list[Step] = field(default_factory=list)
    detach: list[Step] = field(default_factory=list)
    dvd: Step | None = None
    vm_folder: str = ""


def folders(spec_disks: Iterable[DiskSpec], default_folder: str) -> dict[str, PoolFolder]:
    """Pool uuid ("" for no pool) -> its folder, for every disk that lives on a pool."""
    found: dict[str, PoolFolder] = {}
    for disk in spec_disks:
        if disk.kind != "ISO":
            key = disk.pool.uuid if disk.pool else ""
            found.setdefault(key, _storage.pool_folder(disk.pool, default_folder))
    found.setdefault("", _storage.pool_folder(None, default_folder))
    return found


def slot(disk: DiskSpec) -> tuple[str, int, int]:
    """Where a disk sits: ROOT on IDE 0:0, data disks on SCSI 0 (hot-pluggable) at their device id."""
    if disk.kind == "ROOT":
        return ROOT_SLOT
    if not 0 < disk.device_id < SCSI_LOCATIONS:
        raise InvalidParameter("deviceid", f"volume {disk.uuid} asks for device id {disk.device_id}; Hyper-V data "
                                           f"disks take SCSI locations 1 to {SCSI_LOCATIONS - 1}")
    return ("SCSI", 0, disk.device_id)


def plan_disks(vm: VMSpec, folder_by_pool: Mapping[str, PoolFolder], files: dict[str, set[str]],
               drives: list[Mapping[str, Any]]) -> DiskPlan:
    """What to fetch, create, attach and detach so the VM has exactly `vm.disks`.

    `files` maps a folder path to the file names in it; `drives` are the VM's current hard disk
    drives (Get-VMHardDiskDrive: Path, ControllerType, ControllerNumber, ControllerLocation)."""
    plan = DiskPlan()
    mapped: set[str] = set()
    wanted_paths: set[str] = set()
    attached = {str(drive.get("Path", "")).lower() for drive in drives}
    for disk in vm.disks:
        if disk.kind == "ISO":
            plan.dvd = _dvd_step(vm.instance_name, disk, folder_by_pool[""], files, plan)
            continue
        folder = folder_by_pool[disk.pool.uuid if disk.pool else ""]
        if folder.mapping is not None and folder.path not in mapped:
            plan.mappings.append(folder.mapping)
            mapped.add(folder.path)
        path = _storage.disk_file(folder, disk)
        wanted_paths.add(path.lower())
        plan.vm_folder = plan.vm_folder or (folder.path if disk.kind == "ROOT" else "")
        if _storage.file_name(path).lower() not in files.get(_storage.folder_of(path), set()):
            plan.prepare.extend(_new_disk_steps(disk, folder, path, files, plan))
            plan.created.append(path)
        if path.lower() not in attached:
            controller, number, location = slot(disk)
            plan.attach.append(Step("Add-VMHardDiskDrive", {
                "VMName": vm.instance_name, "Path": path, "ControllerType": controller,
                "ControllerNumber": number, "ControllerLocation": location}))
    for drive in drives:
        if str(drive.get("Path", "")).lower() not in wanted_paths:
            plan.detach.append(remove_drive(vm.instance_name, drive))
    if plan.dvd is None:
        plan.dvd = Step("Set-VMDvdDrive", {"VMName": vm.instance_name, "ControllerNumber": DVD_SLOT[0],
                                           "ControllerLocation": DVD_SLOT[1], "Path": None})
    return plan


def remove_drive(vm_name: str, drive: Mapping[str, Any]) -> Step:
    return Step("Remove-VMHardDiskDrive", {
        "VMName": vm_name, "ControllerType": _controller_type(drive.get("ControllerType")),
        "ControllerNumber": int(drive.get("ControllerNumber", 0)),
        "ControllerLocation": int(drive.get("ControllerLocation", 0))})


def _controller_type(value: Any) -> str:
    # ConvertTo-Json writes the ControllerType enum as its number: IDE = 0, SCSI = 1
    return {0: "IDE", 1: "SCSI"}.get(value, str(value)) if isinstance(value, int) else str(value)


def _new_disk_steps(disk: DiskSpec, folder: PoolFolder, path: str, files: dict[str, set[str]],
                    plan: DiskPlan) -> list[Step]:
    if disk.kind == "ROOT" and disk.template is not None:
        parent = _storage.template_copy(folder, disk.template)
        if _storage.file_name(parent).lower() not in files.get(folder.path, set()):
            plan.downloads.append(_storage.Download(disk.template, parent))
            files.setdefault(folder.path, set()).add(_storage.file_name(parent).lower())
        return [Step("New-VHD", {"Path": path, "ParentPath": parent, "Differencing": True})]
    if disk.size_bytes <= 0:
        raise InvalidParameter("size", f"volume {disk.uuid} has no size; a new Hyper-V disk needs one")
    return [Step("New-VHD", {"Path": path, "SizeBytes": disk.size_bytes, "Dynamic": True})]


def _dvd_step(vm_name: str, disk: DiskSpec, folder: PoolFolder, files: Mapping[str, set[str]],
              plan: DiskPlan) -> Step:
    if disk.template is None:
        raise InvalidParameter("id", f"ISO {disk.uuid} carries no image to insert")
    path = _storage.iso_file(folder, disk.template)
    if _storage.file_name(path).lower() not in files.get(folder.path, set()):
        plan.downloads.append(_storage.Download(disk.template, path))
    return Step("Set-VMDvdDrive", {"VMName": vm_name, "ControllerNumber": DVD_SLOT[0],
                                   "ControllerLocation": DVD_SLOT[1], "Path": path})


def sizing_steps(vm: VMSpec) -> list[Step]:
    """CPUs and memory as the spec asks (Hyper-V takes them on a stopped VM only)."""
    return [Step("Set-VMProcessor", {"VMName": vm.instance_name, "Count": vm.cpus}),
            Step("Set-VMMemory", {"VMName": vm.instance_name, "StartupBytes": vm.memory_mb * MIB,
                                  "DynamicMemoryEnabled": False})]


def nic_steps(vm: VMSpec, switch: str) -> list[Step]:
    """One network adapter per NIC, on the switch its network's traffic label names (`nic.bridge`) or else
    `switch`, with its MAC and (vlan://N) its access VLAN."""
    steps: list[Step] = []
    for nic in sorted(vm.nics, key=lambda n: n.device_id):
        if not (nic.bridge or switch):
            raise InvalidParameter("networkids", f"NIC {nic.mac_address} of VM {vm.instance_name}: the host has no "
                                                 "External virtual switch; set hyperv.guest.switch")
        name = f"nic{nic.device_id}"
        steps.append(Step("Add-VMNetworkAdapter", {"VMName": vm.instance_name, "Name": name,
                                                   "SwitchName": nic.bridge or switch,
                                                   "StaticMacAddress": nic.mac_address.replace(":", "").upper()}))
        vlan = _vlan_id(vm, nic)
        if vlan is not None:
            steps.append(Step("Set-VMNetworkAdapterVlan", {"VMName": vm.instance_name, "VMNetworkAdapterName": name,
                                                           "Access": True, "VlanId": vlan}))
    return steps


def _vlan_id(vm: VMSpec, nic: NicSpec) -> int | None:
    uri = nic.broadcast_uri.strip().lower()
    if not uri or uri in ("vlan://untagged", "vlan://native"):
        return None
    scheme, _, value = uri.partition("://")
    if scheme != "vlan" or not value.isdigit() or not 1 <= int(value) <= 4094:
        raise InvalidParameter("broadcasturi", f"NIC {nic.mac_address} of VM {vm.instance_name} uses "
                                               f"{nic.broadcast_uri!r}; Hyper-V isolates guests with vlan://1-4094")
    return int(value)

"""The Hyper-V driver: hosts and VMs through Hyper-V's PowerShell cmdlets over WinRM.

Each contract method runs one or two scripts of `Step`s (see `_script`): a survey that reads what
the host has, then the change. Results come back as JSON written by `ConvertTo-Json`; failures as
the JSON the script's catch block writes, turned into cirrostack errors by `_errors`.

Not done here: SSH key and password reset (CloudStack hands them to the guest through the virtual
router's password and metadata service, not the hypervisor), VM snapshots and scaling a running VM
(Hyper-V in CloudStack 4.3 does not offer them; see `support_matrix`). Console access is VMConnect:
RDP to the host's port 2179 with the VM's id as the pre-connection blob (`console_access`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cirrostack.errors import CirroError, HostUnreachable, InvalidParameter, InvalidState, VMNotFound
from cirrostack.hookspecs.hypervisor import (
    BONDED_DEVICES_DETAIL,
    DEFAULT_DEVICE_DETAIL,
    DiskSpec,
    HostInfo,
    HostRef,
    HostState,
    HypervisorDriver,
    PowerState,
    VMRef,
    VMSpec,
    VMStatus,
)
from cirrostack.hookspecs.hypervisor_console import ConsoleAccess
from cirrostack.hookspecs.storage import DataObjectInfo, StoreRef
from cirrostack_hv_hyperv import _export, _storage, _vm_build
from cirrostack_hv_hyperv._script import Step
from cirrostack_hv_hyperv._settings import connection_settings
from cirrostack_hv_hyperv._winrm import HostSession, endpoint
from cirrostack_hv_hyperv.support_matrix import CAPABILITIES

VM_PROPERTIES = ("Name", "State", "ProcessorCount", "MemoryStartup")
DRIVE_PROPERTIES = ("Path", "ControllerType", "ControllerNumber", "ControllerLocation")
#: Microsoft.HyperV.PowerShell.VMState, which ConvertTo-Json writes as a number.
_VM_STATES = {2: PowerState.RUNNING, 3: PowerState.STOPPED, 4: PowerState.RUNNING, 6: PowerState.STOPPED,
              9: PowerState.PAUSED, 10: PowerState.RUNNING, 11: PowerState.RUNNING}
_VM_STATE_NAMES = {"running": PowerState.RUNNING, "off": PowerState.STOPPED, "saved": PowerState.STOPPED,
                   "paused": PowerState.PAUSED, "starting": PowerState.RUNNING, "stopping": PowerState.RUNNING}
_EXTERNAL_SWITCH = (2, "External")
#: Where Hyper-V's VMConnect service (vmms) accepts RDP connections to VM consoles.
VMCONNECT_PORT = 2179


class HypervDriver(HypervisorDriver):
    """Hypervisor type "Hyperv" (CloudStack's spelling), with the 4.3 support matrix as capabilities."""

    hypervisor_type = "Hyperv"
    capabilities = CAPABILITIES

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._connection = connection_settings(self.settings)

    def _session(self, host: HostRef) -> HostSession:
        return HostSession(host, self._connection)

    # -- hosts -------------------------------------------------------------------------------

    def connect_host(self, host: HostRef) -> HostInfo:
        endpoint(host.url, self._connection.transport)  # refuse an unusable URL before any call
        vmhost, processors, system, os_info, switches, team_nics = self._session(host).run([
            Step("Get-VMHost", {}, ("ComputerName", "LogicalProcessorCount", "MemoryCapacity",
                                    "VirtualHardDiskPath", "VirtualMachinePath")),
            Step("Get-CimInstance", {"ClassName": "Win32_Processor"},
                 ("Name", "NumberOfCores", "NumberOfLogicalProcessors", "MaxClockSpeed")),
            Step("Get-CimInstance", {"ClassName": "Win32_ComputerSystem"}, ("Name", "Domain", "TotalPhysicalMemory")),
            Step("Get-CimInstance", {"ClassName": "Win32_OperatingSystem"}, ("Caption", "Version")),
            Step("Get-VMSwitch", {}, ("Name", "SwitchType", "NetAdapterInterfaceDescription")),
            Step("Get-NetLbfoTeamNic", {"ErrorAction": "SilentlyContinue"}, ("Name", "Team", "InterfaceDescription")),
        ])
        if not (vmhost and processors and system and os_info):
            raise CirroError(f"Hyper-V host {host.name or host.url}: Get-VMHost or Get-CimInstance returned nothing; "
                             "is the Hyper-V role installed?")
        first = processors[0]
        cores = max(1, int(first.get("NumberOfCores") or 1))
        guest_switch = self._connection.guest_switch or _first_external(switches)
        details = {
            "hyperv.computer_name": str(vmhost[0].get("ComputerName", "")),
            "hyperv.vhd_path": str(vmhost[0].get("VirtualHardDiskPath", "")),
            "hyperv.os": str(os_info[0].get("Caption", "")),
            "hyperv.guest_switch": guest_switch,
            DEFAULT_DEVICE_DETAIL: guest_switch,  # traffic without a hypervnetworklabel uses it
            BONDED_DEVICES_DETAIL: json.dumps(_teamed_switches(switches, team_nics), sort_keys=True),
        }
        return HostInfo(sockets=len(processors), cores_per_socket=cores,
                        threads_per_core=max(1, int(first.get("NumberOfLogicalProcessors") or cores) // cores),
                        cpu_mhz=int(first.get("MaxClockSpeed") or 0),
                        memory_bytes=int(system[0].get("TotalPhysicalMemory") or vmhost[0].get("MemoryCapacity") or 0),
                        hypervisor_version=f"Hyper-V {os_info[0].get('Version', '')}".strip(),
                        cpu_model=str(first.get("Name", "")).strip(), details=details)

    def host_state(self, host: HostRef) -> HostState:
        try:
            self._session(host).run([Step("Get-VMHost", {}, ("ComputerName",))])
        except (HostUnreachable, InvalidParameter):
            return HostState.DOWN
        return HostState.UP

    def list_vms(self, host: HostRef) -> dict[str, VMStatus]:
        listed = self._session(host).run_one([Step("Get-VM", {}, VM_PROPERTIES)])
        return {status.instance_name: status for status in (_status(row, host) for row in listed)}

    # -- VM life cycle -----------------------------------------------------------------------

    def start_vm(self, host: HostRef, vm: VMSpec) -> VMStatus:
        session = self._session(host)
        survey = self._survey(session, host, vm)
        existing = survey.vm
        if existing is not None and existing.power_state is PowerState.RUNNING:
            return existing
        plan = _vm_build.plan_disks(vm, survey.folders, survey.files, survey.drives)
        name = vm.instance_name
        if existing is None:
            define = [Step("New-VM", {"Name": name, "MemoryStartupBytes": vm.memory_mb * _vm_build.MIB,
                                      "Generation": 1, "NoVHD": True,
                                      **({"Path": plan.vm_folder} if plan.vm_folder else {})}),
                      Step("Remove-VMNetworkAdapter", {"VMName": name, "Name": "Network Adapter"}),
                      *_vm_build.nic_steps(vm, survey.switch)]
        else:
            define = plan.detach
        self._fetch(session, plan)
        steps = [*plan.mappings, *plan.prepare, *define, *_vm_build.sizing_steps(vm), *plan.attach,
                 *([plan.dvd] if plan.dvd else []), Step("Start-VM", {"Name": name}),
                 Step("Get-VM", {"Name": name}, VM_PROPERTIES)]
        try:
            return _status(session.run_one(steps)[0], host)
        except CirroError:
            self._remove_what_was_made(session, name, defined=existing is None, created=plan.created)
            raise

    def _remove_what_was_made(self, session: HostSession, name: str, *, defined: bool, created: list[str]) -> None:
        """After a failed call, remove what it made: the VM it defined and the disk files it created."""
        quiet = {"ErrorAction": "SilentlyContinue"}
        steps = [Step("Stop-VM", {"Name": name, "TurnOff": True, **quiet}),
                 Step("Remove-VM", {"Name": name, "Force": True, **quiet})] if defined else []
        steps += [Step("Remove-Item", {"Path": path, **quiet}) for path in created]
        if steps:
            try:
                session.run(steps)
            except CirroError:  # the start's own error is what the caller needs to see
                pass

    def stop_vm(self, host: HostRef, vm: VMRef, force: bool = False) -> VMStatus:
        session = self._session(host)
        current = self.vm_status(host, vm)
        if current.power_state is PowerState.STOPPED:
            return current
        read = Step("Get-VM", {"Name": vm.instance_name}, VM_PROPERTIES)
        if not force:
            try:
                return _status(session.run_one([Step("Stop-VM", {"Name": vm.instance_name, "Force": True}), read])[0],
                               host)
            except (VMNotFound, HostUnreachable):
                raise
            except CirroError:  # the guest did not shut down: power it off
                pass
        return _status(session.run_one([Step("Stop-VM", {"Name": vm.instance_name, "TurnOff": True}), read])[0], host)

    def reboot_vm(self, host: HostRef, vm: VMRef) -> VMStatus:
        listed = self._session(host).run_one([Step("Restart-VM", {"Name": vm.instance_name, "Force": True}),
                                              Step("Get-VM", {"Name": vm.instance_name}, VM_PROPERTIES)])
        return _status(listed[0], host)

    def destroy_vm(self, host: HostRef, vm: VMRef) -> None:
        known = self.list_vms(host).get(vm.instance_name)
        if known is None:
            return
        steps = [Step("Remove-VM", {"Name": vm.instance_name, "Force": True})]
        if known.power_state is not PowerState.STOPPED:
            steps.insert(0, Step("Stop-VM", {"Name": vm.instance_name, "TurnOff": True}))
        self._session(host).run(steps)

    def vm_status(self, host: HostRef, vm: VMRef) -> VMStatus:
        listed = self._session(host).run_one([Step("Get-VM", {"Name": vm.instance_name}, VM_PROPERTIES)])
        if not listed:
            raise VMNotFound(f"Hyper-V host {host.name or host.url} has no VM {vm.instance_name}")
        return _status(listed[0], host)

    # -- optional ------------------------------------------------------------------------------

    def delete_disk(self, host: HostRef, disk: DiskSpec) -> None:
        session = self._session(host)
        folder = _storage.pool_folder(disk.pool, self._default_folder(session, host))
        path = _storage.disk_file(folder, disk)
        survey = [*([folder.mapping] if folder.mapping else []),
                  Step("Get-ChildItem", {"Path": folder.path}, ("Name",))]
        names = {str(row.get("Name", "")).lower() for row in session.run_one(survey)}
        if _storage.file_name(path).lower() in names:
            session.run([Step("Remove-Item", {"Path": path})])

    def attach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        self._change_disks(host, vm, disk, attach=True)

    def detach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        self._change_disks(host, vm, disk, attach=False)

    def _change_disks(self, host: HostRef, vm: VMRef, disk: DiskSpec, *, attach: bool) -> None:
        session = self._session(host)
        name = vm.instance_name
        if disk.kind == "ISO":
            eject = VMSpec(vm.uuid, name, 1, 0, 1, disks=(disk,) if attach else ())
            survey = self._survey(session, host, eject, need_vm=True)
            plan = _vm_build.plan_disks(eject, survey.folders, survey.files, [])
            self._fetch(session, plan)
            session.run([*plan.mappings, *([plan.dvd] if plan.dvd else [])])
            return
        spec = VMSpec(vm.uuid, name, 1, 0, 1, disks=(disk,))
        survey = self._survey(session, host, spec, need_vm=True)
        path = _storage.disk_file(survey.folders[disk.pool.uuid if disk.pool else ""], disk).lower()
        present = [drive for drive in survey.drives if str(drive.get("Path", "")).lower() == path]
        if attach and not present:
            plan = _vm_build.plan_disks(spec, survey.folders, survey.files, [])
            try:
                session.run([*plan.mappings, *plan.prepare, *plan.attach])
            except CirroError:
                self._remove_what_was_made(session, name, defined=False, created=plan.created)
                raise
        elif not attach and present:
            session.run([_vm_build.remove_drive(name, drive) for drive in present])

    def export_volume(self, host: HostRef, disk: DiskSpec, store: StoreRef, path: str) -> DataObjectInfo:
        session = self._session(host)
        folder = _storage.pool_folder(disk.pool, self._default_folder(session, host))
        steps = _export.export_steps(_storage.disk_file(folder, disk), store.url, store.details, path)
        try:
            *_, item, digest = session.run([*([folder.mapping] if folder.mapping else []), *steps])
        except CirroError:
            self._remove_quietly(session, _export.cleanup_steps(store.url, path))
            raise
        return DataObjectInfo(path=path, size_bytes=int(item[0]["Length"]), sha256=str(digest[0]["Hash"]).lower())

    def import_volume(self, host: HostRef, store: StoreRef, path: str, disk: DiskSpec) -> None:
        extension = path.rpartition(".")[2].lower()
        if extension not in ("vhd", "vhdx"):
            raise InvalidParameter("id", f"volume {disk.uuid} is a {extension.upper()} image; Hyper-V attaches "
                                         f"VHD and VHDX images only")
        session = self._session(host)
        folder = _storage.pool_folder(disk.pool, self._default_folder(session, host))
        target = _storage.disk_file(folder, disk)
        # Convert-VHD writes the disk in the pool's own format (.vhdx), converting a VHD on the way
        steps = [*([folder.mapping] if folder.mapping else []), _export.store_mapping(store.url, store.details),
                 Step("Remove-Item", {"Path": target, "ErrorAction": "SilentlyContinue"}),
                 Step("Convert-VHD", {"Path": _export.target_path(store.url, path), "DestinationPath": target,
                                      "VHDType": "Dynamic"})]
        try:
            session.run(steps)
        except CirroError:
            self._remove_quietly(session, [Step("Remove-Item", {"Path": target, "ErrorAction": "SilentlyContinue"})])
            raise

    def _remove_quietly(self, session: HostSession, steps: list[Step]) -> None:
        try:
            session.run(steps)
        except CirroError:  # the call's own error is what the caller needs to see
            pass

    # -- capabilities --------------------------------------------------------------------------

    def migrate_vm(self, source: HostRef, vm: VMRef, target: HostRef) -> VMStatus:
        target_session = self._session(target)
        target_name = str(target_session.run_one([Step("Get-VMHost", {}, ("ComputerName",))])[0]["ComputerName"])
        self._session(source).run([Step("Move-VM", {"Name": vm.instance_name, "DestinationHost": target_name})])
        return _status(target_session.run_one([Step("Get-VM", {"Name": vm.instance_name}, VM_PROPERTIES)])[0],
                       target)

    def console_access(self, host: HostRef, vm: VMRef) -> ConsoleAccess:
        """VMConnect on the host: RDP to port 2179, the VM's Hyper-V id as the pre-connection blob.
        The RDP client signs in with a Windows account the host allows; no password is handed out."""
        listed = self._session(host).run_one([Step("Get-VM", {"Name": vm.instance_name}, ("Id", *VM_PROPERTIES))])
        if not listed:
            raise VMNotFound(f"Hyper-V host {host.name or host.url} has no VM {vm.instance_name}")
        status = _status(listed[0], host)
        if status.power_state is not PowerState.RUNNING:
            raise InvalidState(f"VM {vm.instance_name} on Hyper-V host {host.name or host.url} is "
                               f"{status.power_state.value}; only a running VM has a console")
        vm_id = str(listed[0].get("Id") or "")
        if not vm_id:
            raise CirroError(f"Hyper-V host {host.name or host.url}: Get-VM reported no Id for {vm.instance_name}")
        address = urlsplit(host.url).hostname or host.name
        return ConsoleAccess("rdp", address, VMCONNECT_PORT, extra={"vmid": vm_id, "pcb": vm_id})

    # -- internals -------------------------------------------------------------------------------

    def _fetch(self, session: HostSession, plan: _vm_build.DiskPlan) -> None:
        """Fetch the images `plan` needs and check each against its registered checksum; a copy that
        does not match is removed again and the call fails naming the image and both checksums."""
        if not plan.downloads:
            return
        steps = [*plan.mappings, *(step for download in plan.downloads for step in download.steps())]
        hashes = iter(session.run(steps))
        for download in plan.downloads:
            if not download.algorithm:
                continue
            reported = next(hashes)
            problem = download.mismatch(str(reported[0].get("Hash", "")) if reported else "")
            if problem:
                self._remove_what_was_made(session, "", defined=False, created=[download.path])
                raise CirroError(f"Hyper-V host {session.label}: {problem}")

    def _default_folder(self, session: HostSession, host: HostRef) -> str:
        known = host.details.get("hyperv.vhd_path", "")
        if known:
            return known
        return str(session.run_one([Step("Get-VMHost", {}, ("VirtualHardDiskPath",))])[0]["VirtualHardDiskPath"])

    def _survey(self, session: HostSession, host: HostRef, vm: VMSpec, need_vm: bool = False) -> _Survey:
        """One round trip: the host's folders, the VM (if defined) and its drives, the pools' files."""
        first = session.run([Step("Get-VMHost", {}, ("VirtualHardDiskPath",)),
                             Step("Get-VMSwitch", {}, ("Name", "SwitchType"))])
        folder_by_pool = _vm_build.folders(vm.disks, str(first[0][0]["VirtualHardDiskPath"]))
        mappings = [folder.mapping for folder in folder_by_pool.values() if folder.mapping is not None]
        paths = sorted({folder.path for folder in folder_by_pool.values()})
        quiet = {} if need_vm else {"ErrorAction": "SilentlyContinue"}
        results = session.run([
            *mappings,
            Step("Get-VM", {"Name": vm.instance_name, **quiet}, VM_PROPERTIES),
            Step("Get-VMHardDiskDrive", {"VMName": vm.instance_name, **quiet}, DRIVE_PROPERTIES),
            *(Step("Get-ChildItem", {"Path": path}, ("Name",)) for path in paths),
        ])
        files = {path: {str(row.get("Name", "")).lower() for row in rows} for path, rows in zip(paths, results[2:],
                                                                                                strict=True)}
        switch = self._connection.guest_switch or host.details.get("hyperv.guest_switch", "") or \
            _first_external(first[1])
        return _Survey(_status(results[0][0], host) if results[0] else None, results[1], folder_by_pool, files,
                       switch)


@dataclass
class _Survey:
    """What a host has for one VM: the VM if defined, its hard disk drives, the folders of its pools,
    the file names in each folder (lower case) and the guest switch to use."""

    vm: VMStatus | None
    drives: list[dict[str, Any]]
    folders: dict[str, _storage.PoolFolder]
    files: dict[str, set[str]]
    switch: str


def _first_external(switches: list[dict[str, Any]]) -> str:
    for row in switches:
        if row.get("SwitchType") in _EXTERNAL_SWITCH:
            return str(row.get("Name", ""))
    return ""


def _teamed_switches(switches: list[dict[str, Any]], team_nics: list[dict[str, Any]]) -> dict[str, str]:
    """{switch name: NIC team name} for the virtual switches bound to an LBFO team's interface."""
    teams = {str(nic.get("InterfaceDescription", "")): str(nic.get("Team", "")) for nic in team_nics}
    return {str(row.get("Name", "")): teams[str(row.get("NetAdapterInterfaceDescription", ""))]
            for row in switches if str(row.get("NetAdapterInterfaceDescription", "")) in teams}


def _status(row: Mapping[str, Any], host: HostRef) -> VMStatus:
    state = row.get("State")
    power = _VM_STATES.get(state) if isinstance(state, int) else _VM_STATE_NAMES.get(str(state).lower())
    return VMStatus(instance_name=str(row.get("Name", "")), power_state=power or PowerState.UNKNOWN,
                    cpus=int(row.get("ProcessorCount") or 0),
                    memory_mb=int(row.get("MemoryStartup") or 0) // _vm_build.MIB, host_uuid=host.uuid)

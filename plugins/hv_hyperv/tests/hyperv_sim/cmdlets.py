"""The Hyper-V and Windows cmdlets the simulated host understands, acting on `World`.

Each takes the splatted parameters as a dict and returns the objects it writes to the pipeline
(dicts with the properties PowerShell would show), or raises CmdletError with Hyper-V's wording.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from hyperv_sim.world import (
    IDE,
    SCSI,
    SWITCH_EXTERNAL,
    VM_OFF,
    VM_RUNNING,
    Adapter,
    CmdletError,
    Drive,
    SimHost,
    VirtualFile,
    VirtualMachine,
    World,
)

STATE_ERROR = "The operation cannot be performed while the virtual machine is in its current state."
Cmdlet = Callable[[World, SimHost, dict[str, Any]], list[dict[str, Any]]]
CMDLETS: dict[str, Cmdlet] = {}


def cmdlet(name: str) -> Callable[[Cmdlet], Cmdlet]:
    def register(function: Cmdlet) -> Cmdlet:
        CMDLETS[name.lower()] = function
        return function
    return register


def _vm(host: SimHost, name: str) -> VirtualMachine:
    found = host.vms.get(str(name).lower())
    if found is None:
        raise CmdletError(f'Hyper-V was unable to find a virtual machine with name "{name}".', "ObjectNotFound",
                          "InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM")
    return found


def _view(vm: VirtualMachine, host: SimHost) -> dict[str, Any]:
    return {"Id": vm.id, "Name": vm.name, "State": vm.state, "ProcessorCount": vm.cpus,
            "MemoryStartup": vm.memory_bytes, "ComputerName": host.computer_name, "Generation": vm.generation,
            "Path": vm.path}


def _stopped(vm: VirtualMachine) -> None:
    if vm.state != VM_OFF:
        raise CmdletError(STATE_ERROR, "InvalidOperation")


# -- the host ------------------------------------------------------------------------------------

@cmdlet("Get-VMHost")
def get_vmhost(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"ComputerName": host.computer_name, "LogicalProcessorCount": host.sockets * host.cores * host.threads,
             "MemoryCapacity": host.memory_bytes, "VirtualHardDiskPath": host.vhd_path,
             "VirtualMachinePath": host.vm_path, "FullyQualifiedDomainName": "CLOUD"}]


@cmdlet("Get-CimInstance")
def get_cim_instance(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    name = str(params.get("ClassName", ""))
    if name.lower() == "win32_processor":
        return [{"Name": "Intel(R) Xeon(R) CPU E5-2670 0 @ 2.60GHz", "NumberOfCores": host.cores,
                 "NumberOfLogicalProcessors": host.cores * host.threads, "MaxClockSpeed": host.mhz,
                 "SocketDesignation": f"CPU{index}"} for index in range(host.sockets)]
    if name.lower() == "win32_computersystem":
        return [{"Name": host.computer_name, "Domain": "cloud.test", "TotalPhysicalMemory": host.memory_bytes,
                 "NumberOfProcessors": host.sockets}]
    if name.lower() == "win32_operatingsystem":
        return [{"Caption": "Microsoft Windows Server 2012 R2 Datacenter", "Version": "6.3.9600",
                 "BuildNumber": "9600"}]
    raise CmdletError("Invalid class ", "MetadataError", "HRESULT 0x80041010")


TEAM_NIC_DRIVER = "Microsoft Network Adapter Multiplexor Driver"


def _team_nic_description(host: SimHost, team: str) -> str:
    """Windows names each team interface "Microsoft Network Adapter Multiplexor Driver", then " #2", ..."""
    index = sorted(set(host.teams.values())).index(team)
    return TEAM_NIC_DRIVER + (f" #{index + 1}" if index else "")


@cmdlet("Get-VMSwitch")
def get_vmswitch(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for index, (name, kind) in enumerate(host.switches.items()):
        team = host.teams.get(name)
        adapter = _team_nic_description(host, team) if team else f"Intel(R) Ethernet Server Adapter I350 #{index + 1}"
        rows.append({"Name": name, "SwitchType": kind,
                     "NetAdapterInterfaceDescription": adapter if kind == SWITCH_EXTERNAL else None})
    return rows


@cmdlet("Get-NetLbfoTeamNic")
def get_netlbfoteamnic(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"Name": team, "Team": team, "InterfaceDescription": _team_nic_description(host, team)}
            for team in sorted(set(host.teams.values()))]


# -- VMs -------------------------------------------------------------------------------------------

@cmdlet("Get-VM")
def get_vm(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    if params.get("Name"):
        return [_view(_vm(host, params["Name"]), host)]
    return [_view(vm, host) for vm in host.vms.values()]


@cmdlet("New-VM")
def new_vm(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    name = str(params["Name"])
    if name.lower() in host.vms:
        # Hyper-V itself allows two VMs of one name; this simulator keeps names unique to stay simple
        raise CmdletError(f"The simulated host already has a virtual machine named {name}.", "ResourceExists")
    path = str(params.get("Path") or host.vm_path)
    world.folder(host, path, create=not path.startswith("\\\\"))
    vm = VirtualMachine(name, int(params.get("MemoryStartupBytes", 512 * 1024 * 1024)), path,
                        int(params.get("Generation", 1)))
    vm.adapters.append(Adapter("Network Adapter"))
    if vm.generation == 1:
        vm.drives.append(Drive(IDE, 1, 0, None))  # the empty DVD drive
    host.vms[name.lower()] = vm
    return [_view(vm, host)]


@cmdlet("Remove-VM")
def remove_vm(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["Name"])
    _stopped(vm)
    del host.vms[vm.name.lower()]
    return []


@cmdlet("Set-VMProcessor")
def set_vmprocessor(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    _stopped(vm)
    count = int(params["Count"])
    if count > host.sockets * host.cores * host.threads:
        raise CmdletError(f"Failed to modify device 'Processor'. The virtual machine '{vm.name}' cannot have more "
                          f"virtual processors ({count}) than the host has logical processors.", "InvalidArgument")
    vm.cpus = count
    return []


@cmdlet("Set-VMMemory")
def set_vmmemory(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    _stopped(vm)
    vm.memory_bytes = int(params["StartupBytes"])
    return []


@cmdlet("Start-VM")
def start_vm(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["Name"])
    if vm.state == VM_RUNNING:
        return []
    for drive in vm.drives:
        if drive.path and world.file(host, drive.path) is None:
            raise CmdletError(f"'{vm.name}' failed to start. The system cannot find the file specified: "
                              f"'{drive.path}'.", "ObjectNotFound")
    if host.used_memory() + vm.memory_bytes > host.memory_bytes:
        raise CmdletError(f"'{vm.name}' failed to start. Not enough memory in the system to start the virtual "
                          f"machine {vm.name}.", "ResourceUnavailable")
    vm.state = VM_RUNNING
    return []


@cmdlet("Stop-VM")
def stop_vm(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["Name"])
    if vm.state == VM_OFF:
        return []
    if not params.get("TurnOff") and not vm.guest_shuts_down:
        raise CmdletError(f"The virtual machine '{vm.name}' could not be shut down: the shutdown integration service "
                          "is not available.", "NotImplemented")
    vm.state = VM_OFF
    return []


@cmdlet("Restart-VM")
def restart_vm(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["Name"])
    if vm.state != VM_RUNNING:
        raise CmdletError(STATE_ERROR, "InvalidOperation")
    return []


@cmdlet("Move-VM")
def move_vm(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["Name"])
    target = world.hosts.get(str(params["DestinationHost"]).lower())
    if target is None or target is host:
        raise CmdletError("Virtual machine migration operation failed at migration source. Failed to establish a "
                          f"connection with host '{params['DestinationHost']}'.", "ConnectionError")
    for drive in vm.drives:
        if drive.path and not drive.path.startswith("\\\\"):
            raise CmdletError(f"Virtual machine migration operation for '{vm.name}' failed: the virtual hard disk "
                              f"'{drive.path}' is on local storage of {host.computer_name}.", "InvalidOperation")
        if drive.path and world.file_anywhere(drive.path) is None:
            raise CmdletError(f"Virtual machine migration operation for '{vm.name}' failed: the destination cannot "
                              f"find '{drive.path}'.", "ObjectNotFound")
    if vm.state == VM_RUNNING and target.used_memory() + vm.memory_bytes > target.memory_bytes:
        raise CmdletError(f"Virtual machine migration operation for '{vm.name}' failed at migration destination "
                          f"'{target.computer_name}'. Not enough memory in the system to start the virtual machine.",
                          "ResourceUnavailable")
    if vm.name.lower() in target.vms:
        raise CmdletError(f"Virtual machine migration operation failed: '{vm.name}' already exists on "
                          f"'{target.computer_name}'.", "ResourceExists")
    del host.vms[vm.name.lower()]
    target.vms[vm.name.lower()] = vm
    return []


# -- disks and DVD ---------------------------------------------------------------------------------

@cmdlet("Get-VMHardDiskDrive")
def get_vmharddiskdrive(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    return [{"VMName": vm.name, "Path": drive.path, "ControllerType": drive.controller_type,
             "ControllerNumber": drive.number, "ControllerLocation": drive.location}
            for drive in vm.drives if drive.path is not None and not _is_dvd(drive)]


def _is_dvd(drive: Drive) -> bool:
    return (drive.controller_type, drive.number, drive.location) == (IDE, 1, 0)


def _controller(value: Any) -> int:
    return {"IDE": IDE, "SCSI": SCSI}.get(str(value).upper(), value if isinstance(value, int) else -1)


@cmdlet("Add-VMHardDiskDrive")
def add_vmharddiskdrive(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    controller = _controller(params.get("ControllerType", "IDE"))
    if controller == IDE and vm.state != VM_OFF:
        raise CmdletError(STATE_ERROR, "InvalidOperation")
    path = str(params["Path"])
    if world.file(host, path) is None:
        raise CmdletError(f"Failed to add device 'Virtual Hard Disk'. The system cannot find the file specified: "
                          f"'{path}'.", "ObjectNotFound")
    slot = (controller, int(params.get("ControllerNumber", 0)), int(params.get("ControllerLocation", 0)))
    if any((d.controller_type, d.number, d.location) == slot for d in vm.drives):
        raise CmdletError(f"Failed to add device 'Virtual Hard Disk'. The controller location {slot[2]} is already "
                          "in use.", "ResourceExists")
    vm.drives.append(Drive(*slot, path))
    return []


@cmdlet("Remove-VMHardDiskDrive")
def remove_vmharddiskdrive(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    slot = (_controller(params["ControllerType"]), int(params["ControllerNumber"]), int(params["ControllerLocation"]))
    drive = next((d for d in vm.drives if (d.controller_type, d.number, d.location) == slot), None)
    if drive is None:
        raise CmdletError(f"No hard disk drive at {params['ControllerType']} {slot[1]}:{slot[2]} of '{vm.name}'.",
                          "ObjectNotFound")
    if slot[0] == IDE and vm.state != VM_OFF:
        raise CmdletError(STATE_ERROR, "InvalidOperation")
    vm.drives.remove(drive)
    return []


@cmdlet("Set-VMDvdDrive")
def set_vmdvddrive(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    dvd = next((d for d in vm.drives if _is_dvd(d)), None)
    if dvd is None:
        raise CmdletError(f"'{vm.name}' has no DVD drive at IDE 1:0.", "ObjectNotFound")
    path = params.get("Path")
    if path and world.file(host, str(path)) is None:
        raise CmdletError(f"Failed to add device 'Virtual CD/DVD Disk'. The system cannot find the file specified: "
                          f"'{path}'.", "ObjectNotFound")
    dvd.path = str(path) if path else None
    return []


# -- NICs ------------------------------------------------------------------------------------------

@cmdlet("Remove-VMNetworkAdapter")
def remove_vmnetworkadapter(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    before = len(vm.adapters)
    vm.adapters = [a for a in vm.adapters if a.name.lower() != str(params.get("Name", "")).lower()]
    if len(vm.adapters) == before:
        raise CmdletError(f"No network adapter named '{params.get('Name')}' on '{vm.name}'.", "ObjectNotFound")
    return []


@cmdlet("Add-VMNetworkAdapter")
def add_vmnetworkadapter(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    switch = str(params.get("SwitchName", ""))
    if switch and switch not in host.switches:
        raise CmdletError(f'Hyper-V was unable to find a virtual switch with name "{switch}".', "ObjectNotFound")
    vm.adapters.append(Adapter(str(params.get("Name", "Network Adapter")), switch,
                               str(params.get("StaticMacAddress", ""))))
    return []


@cmdlet("Set-VMNetworkAdapterVlan")
def set_vmnetworkadaptervlan(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    vm = _vm(host, params["VMName"])
    adapter = next((a for a in vm.adapters if a.name == params.get("VMNetworkAdapterName")), None)
    if adapter is None:
        raise CmdletError(f"No network adapter named '{params.get('VMNetworkAdapterName')}' on '{vm.name}'.",
                          "ObjectNotFound")
    adapter.vlan = int(params["VlanId"])
    return []


# -- files and shares ------------------------------------------------------------------------------

@cmdlet("New-SmbMapping")
def new_smbmapping(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    remote = str(params["RemotePath"]).rstrip("\\")
    share = world.shares.get(remote.lower())
    if share is None:
        raise CmdletError("The network name cannot be found.", "ObjectNotFound")
    user = str(params.get("UserName", ""))
    expected = {share.user.lower(), f"{share.domain}\\{share.user}".lower()}
    if user.lower() not in expected or params.get("Password") != share.password:
        raise CmdletError("Access is denied.", "PermissionDenied")
    if remote.lower() in host.mapped_shares:
        raise CmdletError("The local device name is already in use.", "ResourceExists")
    host.mapped_shares.add(remote.lower())
    return [{"RemotePath": remote, "Status": 0}]


@cmdlet("Get-ChildItem")
def get_childitem(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    path = str(params["Path"]).rstrip("\\")
    return [{"Name": f.name, "Length": f.size, "FullName": f"{path}\\{f.name}"}
            for f in world.folder(host, path).values()]


@cmdlet("Remove-Item")
def remove_item(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    path = str(params["Path"])
    folder, _, name = path.rpartition("\\")
    files = world.folder(host, folder)
    if name.lower() not in files:
        raise CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound")
    if path.lower() in world.paths_in_use():
        raise CmdletError(f"Cannot remove item {path}: The process cannot access the file '{path}' because it is "
                          "being used by another process.", "WriteError")
    del files[name.lower()]
    return []


@cmdlet("New-VHD")
def new_vhd(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    path = str(params["Path"])
    folder, _, name = path.rpartition("\\")
    files = world.folder(host, folder)
    if name.lower() in files:
        raise CmdletError(f"Failed to create the virtual hard disk. The file exists: '{path}'.", "ResourceExists")
    if params.get("Differencing"):
        parent = world.file(host, str(params["ParentPath"]))
        if parent is None:
            raise CmdletError(f"Failed to create the virtual hard disk. The system cannot find the file specified: "
                              f"'{params['ParentPath']}'.", "ObjectNotFound")
        created = VirtualFile(name, parent.size, str(params["ParentPath"]))
    else:
        created = VirtualFile(name, int(params["SizeBytes"]))
    files[name.lower()] = created
    return [{"Path": path, "Size": created.size, "ParentPath": created.parent}]


@cmdlet("Invoke-WebRequest")
def invoke_webrequest(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    url, out = str(params["Uri"]), str(params["OutFile"])
    if url not in world.web:
        raise CmdletError("The remote server returned an error: (404) Not Found.", "InvalidOperation",
                          "WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeWebRequestCommand")
    folder, _, name = out.rpartition("\\")
    size, content = world.web[url]
    world.folder(host, folder)[name.lower()] = VirtualFile(name, size, content=content)
    return []


@cmdlet("Get-FileHash")
def get_filehash(world: World, host: SimHost, params: dict[str, Any]) -> list[dict[str, Any]]:
    path, algorithm = str(params["Path"]), str(params.get("Algorithm", "SHA256")).upper()
    if algorithm not in ("MD5", "SHA1", "SHA256", "SHA384", "SHA512"):
        raise CmdletError(f"Cannot validate argument on parameter 'Algorithm'. The argument \"{algorithm}\" does not "
                          "belong to the set \"SHA1,SHA256,SHA384,SHA512,MACTripleDES,MD5,RIPEMD160\".",
                          "InvalidData")
    found = world.file(host, path)
    if found is None:
        raise CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound")
    digest = hashlib.new(algorithm.lower(), found.content or found.name.encode()).hexdigest().upper()
    return [{"Algorithm": algorithm, "Hash": digest, "Path": path}]

"""The fake Hyper-V estate behind the WinRM simulator: hosts, their VMs, switches and folders, SMB shares.

State only, shared by every simulated host (Move-VM goes from one to another), behind one lock. The
cmdlets that act on it are in `cmdlets`. Paths compare without regard to case, as on Windows.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

GIB = 1024**3

# Microsoft.HyperV.PowerShell enums, as ConvertTo-Json writes them (numbers)
VM_RUNNING, VM_OFF = 2, 3
IDE, SCSI = 0, 1
SWITCH_EXTERNAL = 2


class CmdletError(Exception):
    """A PowerShell error record: Hyper-V's message, its category and fully qualified error id."""

    def __init__(self, message: str, category: str = "InvalidOperation", error_id: str = "") -> None:
        super().__init__(message)
        self.message, self.category, self.error_id = message, category, error_id


@dataclass
class VirtualFile:
    name: str
    size: int
    parent: str = ""  # a differencing disk's parent path
    content: bytes = b""  # what Get-FileHash hashes (an image's bytes as published; empty for new disks)


@dataclass
class Drive:
    controller_type: int
    number: int
    location: int
    path: str | None


@dataclass
class Adapter:
    name: str
    switch: str = ""
    mac: str = ""
    vlan: int | None = None


@dataclass
class VirtualMachine:
    name: str
    memory_bytes: int
    path: str
    generation: int = 1
    id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())  # Hyper-V's VMId, what VMConnect takes
    state: int = VM_OFF
    cpus: int = 1
    drives: list[Drive] = field(default_factory=list)
    adapters: list[Adapter] = field(default_factory=list)
    guest_shuts_down: bool = True  # False: no shutdown integration service, Stop-VM without -TurnOff fails


@dataclass
class Share:
    unc: str  # \\server\share
    user: str
    password: str
    domain: str = ""


@dataclass
class SimHost:
    computer_name: str
    memory_bytes: int = 64 * GIB
    sockets: int = 2
    cores: int = 8
    threads: int = 2
    mhz: int = 2600
    vhd_path: str = "C:\\Users\\Public\\Documents\\Hyper-V\\Virtual Hard Disks"
    vm_path: str = "C:\\ProgramData\\Microsoft\\Windows\\Hyper-V"
    switches: dict[str, int] = field(default_factory=lambda: {"External": SWITCH_EXTERNAL, "Internal": 1})
    vms: dict[str, VirtualMachine] = field(default_factory=dict)
    local_folders: dict[str, dict[str, VirtualFile]] = field(default_factory=dict)
    mapped_shares: set[str] = field(default_factory=set)
    teams: dict[str, str] = field(default_factory=dict)  # switch name -> the LBFO NIC team it is bound to

    def __post_init__(self) -> None:
        self.local_folders.setdefault(self.vhd_path.lower(), {})

    def used_memory(self) -> int:
        return sum(vm.memory_bytes for vm in self.vms.values() if vm.state == VM_RUNNING)


@dataclass(frozen=True)
class LoggedCmdlet:
    host: str
    cmdlet: str
    params: dict[str, Any]


class World:
    """Every simulated host and share, the images hosts can download, the cmdlet log and faults."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.hosts: dict[str, SimHost] = {}
        self.shares: dict[str, Share] = {}
        self.share_files: dict[str, dict[str, dict[str, VirtualFile]]] = {}  # share -> folder -> files
        self.web: dict[str, tuple[int, bytes]] = {}  # URL -> (size, content) of the image served there
        self.real_shares: dict[str, Any] = {}  # \\server\share -> image_store.RealShare (a real Samba share)
        self.log: list[LoggedCmdlet] = []
        self._faults: dict[tuple[str, str], CmdletError] = {}

    # -- set-up by tests -----------------------------------------------------------------------

    def add_host(self, computer_name: str, **shape: Any) -> SimHost:
        with self.lock:
            host = SimHost(computer_name, **shape)
            self.hosts[computer_name.lower()] = host
            return host

    def add_share(self, unc: str, user: str, password: str, domain: str = "") -> Share:
        with self.lock:
            share = Share(unc, user, password, domain)
            self.shares[unc.lower()] = share
            self.share_files[unc.lower()] = {unc.lower(): {}}
            return share

    def publish(self, url: str, size: int, content: bytes = b"") -> None:
        """Serve an image at `url` that hosts can fetch with Invoke-WebRequest (`content` is what its
        hash is computed from; `size` is what the file reports)."""
        with self.lock:
            self.web[url] = (size, content or url.encode())

    def fail_next(self, host: str, cmdlet: str, message: str, category: str = "InvalidOperation") -> None:
        """The next `cmdlet` on `host` fails with `message`, as Hyper-V would report it."""
        with self.lock:
            self._faults[(host.lower(), cmdlet.lower())] = CmdletError(message, category)

    def clear_faults(self) -> None:
        """Forget the faults set by `fail_next` that no cmdlet has met yet."""
        with self.lock:
            self._faults.clear()

    def cmdlets_run(self, host: str | None = None) -> list[str]:
        """The cmdlet names received, in order (on `host` only, if given)."""
        with self.lock:
            return [entry.cmdlet for entry in self.log if host is None or entry.host.lower() == host.lower()]

    def all_vms(self) -> dict[str, list[str]]:
        with self.lock:
            return {host.computer_name: sorted(host.vms) for host in self.hosts.values()}

    # -- used by the cmdlets ---------------------------------------------------------------------

    def record(self, host: SimHost, cmdlet: str, params: dict[str, Any]) -> None:
        shown = {key: ("********" if "password" in key.lower() else value) for key, value in params.items()}
        self.log.append(LoggedCmdlet(host.computer_name, cmdlet, shown))
        fault = self._faults.pop((host.computer_name.lower(), cmdlet.lower()), None)
        if fault is not None:
            raise fault

    def folder(self, host: SimHost, path: str, create: bool = False) -> dict[str, VirtualFile]:
        """The files of folder `path` as `host` sees it; CmdletError when it cannot reach it."""
        key = path.rstrip("\\").lower()
        if key.startswith("\\\\"):
            share = self._share_of(key)
            if share is None:
                raise CmdletError(f"The network name cannot be found: '{path}'.", "ObjectNotFound")
            if share not in host.mapped_shares:
                raise CmdletError(f"Access to the path '{path}' is denied.", "PermissionDenied")
            folders = self.share_files[share]
        else:
            folders = host.local_folders
        if key not in folders:
            if not create:
                raise CmdletError(f"Cannot find path '{path}' because it does not exist.", "ObjectNotFound")
            folders[key] = {}
        return folders[key]

    def file(self, host: SimHost, path: str) -> VirtualFile | None:
        folder, _, name = path.rpartition("\\")
        return self.folder(host, folder).get(name.lower())

    def file_anywhere(self, path: str) -> VirtualFile | None:
        """The file at UNC `path` as the share itself holds it (live migration reaches shares with the
        hosts' computer accounts, not with a user's mapping)."""
        folder, _, name = path.lower().rpartition("\\")
        share = self._share_of(folder)
        return self.share_files[share].get(folder, {}).get(name) if share else None

    def _share_of(self, key: str) -> str | None:
        for unc in self.shares:
            if key == unc or key.startswith(unc + "\\"):
                return unc
        return None

    def paths_in_use(self) -> set[str]:
        used: set[str] = set()
        for host in self.hosts.values():
            for vm in host.vms.values():
                used.update(drive.path.lower() for drive in vm.drives if drive.path)
        return used

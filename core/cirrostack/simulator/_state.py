"""What the simulator remembers: hosts, the VMs defined on them and their snapshot trees.

One `SimulatorState` per driver instance. Callers hold `state.lock` around every read and
change; every lookup is a dict access, so an operation costs the same with 10 or 10,000 VMs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cirrostack.errors import HostUnreachable, InsufficientCapacity, VMNotFound
from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef, PowerState, VMSpec
from cirrostack.simulator._hosts import HostShape, default_shape, parse_host_url


@dataclass
class SimSnapshot:
    """A VM snapshot: the definition (and, with memory, the power state) at the time it was taken."""

    name: str
    with_memory: bool
    parent: str
    power: PowerState
    cpus: int
    cpu_speed_mhz: int
    memory_mb: int


@dataclass(eq=False)
class SimVM:
    name: str
    uuid: str
    cpus: int
    cpu_speed_mhz: int
    memory_mb: int
    max_cpus: int
    max_memory_mb: int
    host: SimHost
    power: PowerState = PowerState.STOPPED
    snapshots: dict[str, SimSnapshot] = field(default_factory=dict)  # insertion order = oldest first
    current_snapshot: str = ""
    disks: dict[str, int] = field(default_factory=dict)  # disk uuid -> device id, as the guest sees them

    def define(self, spec: VMSpec) -> None:
        """Bring the definition up to `spec`."""
        self.uuid = spec.uuid
        self.cpus = spec.cpus
        self.cpu_speed_mhz = spec.cpu_speed_mhz
        self.memory_mb = spec.memory_mb
        self.max_cpus = max(spec.max_cpus, spec.cpus)
        self.max_memory_mb = max(spec.max_memory_mb, spec.memory_mb)
        self.disks = {disk.uuid: disk.device_id for disk in spec.disks}


@dataclass(eq=False)
class SimHost:
    key: str  # "<cluster>/<host>"
    shape: HostShape
    up: bool = True
    vms: dict[str, SimVM] = field(default_factory=dict)
    used_memory_mb: int = 0  # memory of the VMs running here
    watchers: dict[int, Callable[[str], None]] = field(default_factory=dict)  # watch_events subscribers

    def announce(self, vm: SimVM) -> None:
        """Tell every watcher that `vm` changed power state (watchers only schedule work, so the lock may be held)."""
        for notify in list(self.watchers.values()):
            notify(vm.name)

    @property
    def free_memory_mb(self) -> int:
        return self.shape.memory_mb - self.used_memory_mb

    def check_fits(self, name: str, cpus: int, memory_mb: int) -> None:
        """Raise InsufficientCapacity unless a VM of this size can run here next to the others."""
        if cpus > self.shape.logical_cpus:
            raise InsufficientCapacity(
                f"simulated host {self.key} has {self.shape.logical_cpus} logical CPUs; {name} needs {cpus}")
        if memory_mb > self.free_memory_mb:
            raise InsufficientCapacity(
                f"simulated host {self.key} has {self.free_memory_mb} MiB of free memory "
                f"(of {self.shape.memory_mb} MiB); {name} needs {memory_mb} MiB")

    def power_on(self, vm: SimVM) -> None:
        if vm.power is not PowerState.RUNNING:
            self.check_fits(vm.name, vm.cpus, vm.memory_mb)
            self.used_memory_mb += vm.memory_mb
            vm.power = PowerState.RUNNING
            self.announce(vm)

    def power_off(self, vm: SimVM) -> None:
        was_running = vm.power is PowerState.RUNNING
        if was_running:
            self.used_memory_mb -= vm.memory_mb
        vm.power = PowerState.STOPPED
        if was_running:
            self.announce(vm)


class SimulatorState:
    """Every simulated host and VM of one driver instance."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.lock = threading.Lock()
        self.defaults = default_shape(settings)
        self.hosts: dict[str, SimHost] = {}
        self.vms: dict[str, SimVM] = {}  # instance name -> VM, across hosts: names are unique per cloud
        self.disk_files: set[tuple[str, str]] = set()  # (pool uuid, path) of the volume files made on pools
        self.disk_sizes: dict[tuple[str, str], int] = {}  # (pool uuid, path) -> virtual size of a disk file
        self.volume_snapshots: dict[tuple[str, str], Any] = {}  # (pool uuid, path) -> _volume_snapshots.SimDiskSnapshot
        self._key_of_url: dict[str, str] = {}

    def host(self, url: str, param: str = "url") -> SimHost:
        """The host `url` names, created on first mention with the size the URL and settings give."""
        key = self._key_of_url.get(url)
        if key is None:
            key, shape = parse_host_url(url, self.defaults, param)
            if key not in self.hosts:
                self.hosts[key] = SimHost(key, shape)
            self._key_of_url[url] = key
        return self.hosts[key]

    def reachable_host(self, ref: HostRef) -> SimHost:
        """The host `ref` names; HostUnreachable when it was marked down."""
        host = self.host(ref.url)
        if not host.up:
            raise HostUnreachable(f"simulated host {host.key} ({ref.name or ref.url}) is down")
        return host

    def vm_on(self, host: SimHost, name: str) -> SimVM:
        vm = host.vms.get(name)
        if vm is None:
            raise VMNotFound(f"simulated host {host.key} does not know VM {name}")
        return vm

    def add(self, host: SimHost, vm: SimVM) -> None:
        vm.host = host
        host.vms[vm.name] = vm
        self.vms[vm.name] = vm

    def make_disk_files(self, disks: tuple[DiskSpec, ...]) -> None:
        """Record the files of the volumes among `disks` on their pools (ISOs have none)."""
        for disk in disks:
            if disk.pool is not None and disk.kind != "ISO":
                self.disk_files.add((disk.pool.uuid, disk.path or disk.uuid))
                self.disk_sizes.setdefault((disk.pool.uuid, disk.path or disk.uuid), disk.size_bytes)

    def remove(self, vm: SimVM) -> None:
        vm.host.power_off(vm)
        del vm.host.vms[vm.name]
        del self.vms[vm.name]

"""The simulator hypervisor: simulated hosts and VMs kept in memory, with latency and faults.

Hosts are named by URL (`http://sim/c0/h0`, see `_hosts`) and exist from their first mention.
Every operation first waits its configured latency, then, under the state lock, raises a pending
injected failure, refuses a host marked down, and only then changes state. docs/simulator.md
describes the settings, the URL form and fault injection.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import cirrostack
from cirrostack.errors import HostUnreachable, InsufficientCapacity, InvalidParameter, InvalidState
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
from cirrostack.hookspecs.hypervisor_security_groups import SecurityRuleSet
from cirrostack.simulator._faults import SimulatorFaults
from cirrostack.simulator._settings import latency_settings
from cirrostack.simulator._state import SimHost, SimSnapshot, SimulatorState, SimVM
from cirrostack.simulator._volume_snapshots import SimulatorVolumeSnapshots
from cirrostack.simulator.guest_firewall import SecurityRuleBook
from cirrostack.simulator.guest_netns import GuestNamespaces

#: NIC broadcast URI schemes the simulator plumbs, matching `isolation_methods`.
ISOLATION_SCHEMES = {"vlan": "VLAN", "vxlan": "VXLAN"}


class SimulatorHypervisor(SimulatorVolumeSnapshots, HypervisorDriver):
    """Hypervisor type "Simulator": every contract method and capability, without hardware."""

    hypervisor_type = "Simulator"
    capabilities = HypervisorCapabilities(
        live_migration=True,
        scale_running_vm=True,
        vm_snapshots=True,
        vm_snapshot_memory=True,
        security_groups=True,
        security_groups_in_advanced_zone=True,
        volume_snapshots=True,
        hot_plug_volumes=True,
        vpc=True,  # namespace-backed guests join VPC tiers like any guest network
        storage_protocols=frozenset({"NFS", "iSCSI", "SharedMountPoint", "Filesystem", "RBD"}),
        isolation_methods=frozenset(ISOLATION_SCHEMES.values()),
    )

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._state = SimulatorState(self.settings)
        self._watch_ids = itertools.count(1)
        self.faults = SimulatorFaults(self._state, latency_settings(self.settings))
        """Fault injection and latency switches; see `SimulatorFaults`."""
        self.guests = GuestNamespaces(self.settings)
        """Namespace-backed guests (setting `simulator.guest.namespaces`); see `guest_netns`."""
        self.security_rules = SecurityRuleBook(self.guests)
        """The security rule set in force per VM (enforced in namespace guests); see `guest_firewall`."""

    @contextmanager
    def _operation(self, name: str) -> Iterator[SimulatorState]:
        delay = self.faults.latency_ms(name)
        if delay:
            time.sleep(delay / 1000)
        with self._state.lock:
            self.faults.raise_pending(name)
            yield self._state

    # -- hosts -------------------------------------------------------------------------------

    def connect_host(self, host: HostRef) -> HostInfo:
        with self._operation("connect_host") as state:
            sim_host = state.reachable_host(host)
            shape = sim_host.shape
            return HostInfo(
                sockets=shape.sockets,
                cores_per_socket=shape.cores_per_socket,
                threads_per_core=shape.threads_per_core,
                cpu_mhz=shape.cpu_mhz,
                memory_bytes=shape.memory_mb * 1024 * 1024,
                hypervisor_version=f"cirrostack-simulator {cirrostack.__version__}",
                cpu_model="Simulated CPU",
                details={"simulator.host": sim_host.key},
            )

    def host_state(self, host: HostRef) -> HostState:
        try:
            with self._operation("host_state") as state:
                return HostState.UP if state.host(host.url).up else HostState.DOWN
        except HostUnreachable:  # injected: the poll got no answer
            return HostState.DOWN

    def list_vms(self, host: HostRef) -> dict[str, VMStatus]:
        with self._operation("list_vms") as state:
            sim_host = state.reachable_host(host)
            return {name: _status(vm, host) for name, vm in sim_host.vms.items()}

    # -- VM life cycle -----------------------------------------------------------------------

    def start_vm(self, host: HostRef, vm: VMSpec) -> VMStatus:
        status = self._start_vm(host, vm)
        try:
            self.guests.plug(vm)  # outside the state lock: a guest's DHCP client may take a moment
        except Exception:
            self.stop_vm(host, VMRef(vm.uuid, vm.instance_name), force=True)  # unplugs what was plugged
            raise
        return status

    def _start_vm(self, host: HostRef, vm: VMSpec) -> VMStatus:
        _check_spec(vm)
        with self._operation("start_vm") as state:
            sim_host = state.reachable_host(host)
            known = state.vms.get(vm.instance_name)
            if known is not None and known.host is not sim_host:
                if known.power is PowerState.RUNNING and known.host.up:
                    raise InvalidState(f"VM {vm.instance_name} is running on simulated host {known.host.key}; "
                                       f"stop or migrate it before starting it on {sim_host.key}")
                state.remove(known)  # its disks are on shared storage: the definition moves here
                known = None
            if known is not None and known.power is PowerState.RUNNING:
                return _status(known, host)
            sim_host.check_fits(vm.instance_name, vm.cpus, vm.memory_mb)
            if known is None:
                known = SimVM(vm.instance_name, vm.uuid, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb, 0, 0, sim_host)
                state.add(sim_host, known)
            known.define(vm)
            state.make_disk_files(vm.disks)
            sim_host.power_on(known)
            return _status(known, host)

    def stop_vm(self, host: HostRef, vm: VMRef, force: bool = False) -> VMStatus:
        with self._operation("stop_vm") as state:
            sim_host = state.reachable_host(host)
            sim_vm = state.vm_on(sim_host, vm.instance_name)
            sim_host.power_off(sim_vm)
            status = _status(sim_vm, host)
        self.guests.unplug(vm.uuid)
        return status

    def reboot_vm(self, host: HostRef, vm: VMRef) -> VMStatus:
        with self._operation("reboot_vm") as state:
            sim_vm = state.vm_on(state.reachable_host(host), vm.instance_name)
            if sim_vm.power is not PowerState.RUNNING:
                raise InvalidState(f"VM {vm.instance_name} is {sim_vm.power.value}; only a running VM can reboot")
            return _status(sim_vm, host)

    def destroy_vm(self, host: HostRef, vm: VMRef) -> None:
        with self._operation("destroy_vm") as state:
            sim_vm = state.reachable_host(host).vms.get(vm.instance_name)
            if sim_vm is not None:
                state.remove(sim_vm)
        self.guests.unplug(vm.uuid)
        self.security_rules.forget(vm.instance_name)

    def vm_status(self, host: HostRef, vm: VMRef) -> VMStatus:
        with self._operation("vm_status") as state:
            return _status(state.vm_on(state.reachable_host(host), vm.instance_name), host)

    def delete_disk(self, host: HostRef, disk: DiskSpec) -> None:
        with self._operation("delete_disk") as state:
            state.reachable_host(host)
            if disk.pool is not None:
                state.disk_files.discard((disk.pool.uuid, disk.path or disk.uuid))
                state.disk_sizes.pop((disk.pool.uuid, disk.path or disk.uuid), None)

    def watch_events(self, host: HostRef, notify: Callable[[str], None]) -> Callable[[], None] | None:
        """Every power change of a VM on the host (through the driver or `faults.power_behind_cirrostack`)
        calls `notify(instance_name)` while the state lock is held."""
        with self._state.lock:
            sim_host = self._state.host(host.url)
            key = next(self._watch_ids)
            sim_host.watchers[key] = notify

        def stop_watching() -> None:
            with self._state.lock:
                sim_host.watchers.pop(key, None)

        return stop_watching

    # -- capabilities ----------------------------------------------------------------------------

    def attach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        with self._operation("attach_disk") as state:
            sim_vm = state.vm_on(state.reachable_host(host), vm.instance_name)
            if sim_vm.power is not PowerState.RUNNING:
                raise InvalidState(f"VM {vm.instance_name} is {sim_vm.power.value}; disks are hot-plugged into "
                                   "running VMs only")
            holder = next((uuid for uuid, device in sim_vm.disks.items() if device == disk.device_id), None)
            if holder is not None and holder != disk.uuid:
                raise InvalidParameter("deviceid", f"device {disk.device_id} of VM {vm.instance_name} holds disk "
                                                   f"{holder}")
            state.make_disk_files((disk,))
            sim_vm.disks[disk.uuid] = disk.device_id

    def detach_disk(self, host: HostRef, vm: VMRef, disk: DiskSpec) -> None:
        with self._operation("detach_disk") as state:
            sim_vm = state.vm_on(state.reachable_host(host), vm.instance_name)
            sim_vm.disks.pop(disk.uuid, None)

    def scale_vm(self, host: HostRef, vm: VMRef, cpus: int, cpu_speed_mhz: int, memory_mb: int) -> VMStatus:
        with self._operation("scale_vm") as state:
            sim_host = state.reachable_host(host)
            sim_vm = state.vm_on(sim_host, vm.instance_name)
            if sim_vm.power is not PowerState.RUNNING:
                raise InvalidState(f"VM {vm.instance_name} is {sim_vm.power.value}; only a running VM scales live")
            if not 1 <= cpus <= sim_vm.max_cpus:
                raise InvalidParameter("cpunumber", f"{cpus} CPUs for VM {vm.instance_name}; it was started "
                                                    f"with a maximum of {sim_vm.max_cpus}")
            if not 1 <= memory_mb <= sim_vm.max_memory_mb:
                raise InvalidParameter("memory", f"{memory_mb} MiB for VM {vm.instance_name}; it was started "
                                                 f"with a maximum of {sim_vm.max_memory_mb} MiB")
            growth = memory_mb - sim_vm.memory_mb
            if growth > sim_host.free_memory_mb:
                raise InsufficientCapacity(f"simulated host {sim_host.key} has {sim_host.free_memory_mb} MiB "
                                           f"free; scaling {vm.instance_name} needs {growth} MiB more")
            sim_host.used_memory_mb += growth
            sim_vm.cpus, sim_vm.cpu_speed_mhz, sim_vm.memory_mb = cpus, cpu_speed_mhz, memory_mb
            return _status(sim_vm, host)

    def migrate_vm(self, source: HostRef, vm: VMRef, target: HostRef) -> VMStatus:
        with self._operation("migrate_vm") as state:
            from_host = state.reachable_host(source)
            sim_vm = state.vm_on(from_host, vm.instance_name)
            to_host = state.reachable_host(target)
            if to_host is from_host:
                raise InvalidParameter("hostid", f"VM {vm.instance_name} already runs on {from_host.key}")
            if sim_vm.power is not PowerState.RUNNING:
                raise InvalidState(f"VM {vm.instance_name} is {sim_vm.power.value}; only a running VM migrates live")
            to_host.check_fits(vm.instance_name, sim_vm.cpus, sim_vm.memory_mb)
            from_host.power_off(sim_vm)
            del from_host.vms[sim_vm.name]
            state.add(to_host, sim_vm)
            to_host.power_on(sim_vm)
            return _status(sim_vm, target)

    def create_vm_snapshot(self, host: HostRef, vm: VMRef, snapshot: SnapshotSpec) -> SnapshotInfo:
        with self._operation("create_vm_snapshot") as state:
            sim_vm = state.vm_on(state.reachable_host(host), vm.instance_name)
            if snapshot.name in sim_vm.snapshots:
                raise InvalidParameter("name", f"VM {vm.instance_name} already has a snapshot {snapshot.name!r}")
            if snapshot.with_memory and sim_vm.power is not PowerState.RUNNING:
                raise InvalidState(f"VM {vm.instance_name} is {sim_vm.power.value}; a snapshot with memory "
                                   "needs a running VM")
            taken = SimSnapshot(snapshot.name, snapshot.with_memory, sim_vm.current_snapshot, sim_vm.power,
                                sim_vm.cpus, sim_vm.cpu_speed_mhz, sim_vm.memory_mb)
            sim_vm.snapshots[snapshot.name] = taken
            sim_vm.current_snapshot = snapshot.name
            return _snapshot_info(taken)

    def revert_vm_snapshot(self, host: HostRef, vm: VMRef, name: str) -> VMStatus:
        with self._operation("revert_vm_snapshot") as state:
            sim_host = state.reachable_host(host)
            sim_vm = state.vm_on(sim_host, vm.instance_name)
            taken = _snapshot(sim_vm, name)
            running = taken.with_memory and taken.power is PowerState.RUNNING
            if running:
                growth = taken.memory_mb - (sim_vm.memory_mb if sim_vm.power is PowerState.RUNNING else 0)
                sim_host.check_fits(vm.instance_name, taken.cpus, growth)
            sim_host.power_off(sim_vm)
            sim_vm.cpus, sim_vm.cpu_speed_mhz, sim_vm.memory_mb = taken.cpus, taken.cpu_speed_mhz, taken.memory_mb
            if running:
                sim_host.power_on(sim_vm)
            sim_vm.current_snapshot = name
            return _status(sim_vm, host)

    def delete_vm_snapshot(self, host: HostRef, vm: VMRef, name: str) -> None:
        with self._operation("delete_vm_snapshot") as state:
            sim_vm = state.vm_on(state.reachable_host(host), vm.instance_name)
            removed = sim_vm.snapshots.pop(name, None)
            if removed is None:
                return
            for child in sim_vm.snapshots.values():
                if child.parent == name:
                    child.parent = removed.parent
            if sim_vm.current_snapshot == name:
                sim_vm.current_snapshot = removed.parent

    def list_vm_snapshots(self, host: HostRef, vm: VMRef) -> list[SnapshotInfo]:
        with self._operation("list_vm_snapshots") as state:
            sim_vm = state.vm_on(state.reachable_host(host), vm.instance_name)
            return [_snapshot_info(taken) for taken in sim_vm.snapshots.values()]

    # -- introspection for tests ---------------------------------------------------------------

    def apply_security_rules(self, host: HostRef, rules: SecurityRuleSet) -> bool:
        with self._operation("apply_security_rules") as state:
            sim_host = state.reachable_host(host)
            state.vm_on(sim_host, rules.instance_name)
        return self.security_rules.apply(sim_host.key, rules)

    def remove_security_rules(self, host: HostRef, instance_name: str) -> None:
        with self._operation("remove_security_rules") as state:
            sim_host = state.reachable_host(host)
        self.security_rules.forget(instance_name, sim_host.key)

    def vm_disks(self, instance_name: str) -> dict[str, int]:
        """The disks the simulated VM has now: disk uuid -> device id (ROOT, data volumes and ISO)."""
        with self._state.lock:
            vm = self._state.vms.get(instance_name)
            return dict(vm.disks) if vm is not None else {}

    def disk_files(self) -> set[tuple[str, str]]:
        """(pool uuid, path) of every volume file the simulator made on a pool and has not deleted."""
        with self._state.lock:
            return set(self._state.disk_files)

    def host_free_memory_mb(self, url: str) -> int:
        """Free memory of the simulated host at `url`, in MiB (what running VMs leave)."""
        with self._state.lock:
            host: SimHost = self._state.host(url)
            return host.free_memory_mb


def _status(vm: SimVM, host: HostRef) -> VMStatus:
    return VMStatus(vm.name, vm.power, vm.cpus, vm.memory_mb, host_uuid=host.uuid)


def _snapshot_info(taken: SimSnapshot) -> SnapshotInfo:
    return SnapshotInfo(taken.name, taken.with_memory, taken.parent)


def _snapshot(vm: SimVM, name: str) -> SimSnapshot:
    taken = vm.snapshots.get(name)
    if taken is None:
        known = ", ".join(vm.snapshots) or "none"
        raise InvalidParameter("vmsnapshotid", f"VM {vm.name} has no snapshot {name!r} (it has: {known})")
    return taken


def _check_spec(vm: VMSpec) -> None:
    if vm.cpus < 1:
        raise InvalidParameter("cpunumber", f"VM {vm.instance_name} asks for {vm.cpus} CPUs; at least 1 is needed")
    if vm.memory_mb < 1:
        raise InvalidParameter("memory", f"VM {vm.instance_name} asks for {vm.memory_mb} MiB; at least 1 is needed")
    for nic in vm.nics:
        scheme = nic.broadcast_uri.split("://", 1)[0].lower() if "://" in nic.broadcast_uri else ""
        if nic.broadcast_uri and scheme not in ISOLATION_SCHEMES:
            raise InvalidParameter("broadcasturi", f"NIC {nic.mac_address} of VM {vm.instance_name} uses "
                                                   f"{nic.broadcast_uri!r}; the simulator isolates guests with "
                                                   "vlan://<id> or vxlan://<vni>")

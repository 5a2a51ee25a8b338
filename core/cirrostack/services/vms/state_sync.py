"""VM state sync: what the hosts report wins over what the database remembers.

Every `vm.state.sync.interval` seconds (default 60) the task asks each Up host for its VMs
(`driver.list_vms`) and corrects the VMs whose power state changed outside cirrostack:

- Running on the host in the database, but reported STOPPED there or not known at all: the VM
  becomes Stopped, its host reservation is given back, usage event VM.STOP and an event saying it
  was found stopped on that host.
- Stopped in the database, reported RUNNING on the host: the VM becomes Running there and its size
  is reserved on the host; when the host has no room left for it the reservation is taken all the
  same (it does run there) and an ALERT.USERVM alert says the host is overcommitted.

Hosts whose driver can watch (`driver.watch_events`) also tell the task about single VMs as they
change; each notification reconciles that VM (`driver.vm_status`) soon after, on one background thread.

VMs in a transitional state (Starting, Stopping, Migrating) belong to the job moving them and are left
alone. A correction never races a job: it is one conditional UPDATE (still Running on that host, or
still Stopped), and before its transaction commits the host is asked once more about that VM
(`vm_status`), so a job that changed the VM between the report and the UPDATE wins.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.db.models.infrastructure import Host, HostState
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.errors import CirroError, InsufficientCapacity, VMNotFound
from cirrostack.hookspecs.hypervisor import PowerState, VMStatus
from cirrostack.services import alerts, events, planner, settings
from cirrostack.services.periodic import PeriodicTask
from cirrostack.services.usage.events import record_usage_event
from cirrostack.services.vms.lifecycle import Drivers
from cirrostack.services.vms.spec import vm_ref

log = logging.getLogger(__name__)

INTERVAL_KEY = "vm.state.sync.interval"
DEFAULT_INTERVAL_SECONDS = 60.0


@dataclass(frozen=True)
class Correction:
    """One VM whose database state was changed to match its host."""

    vm_uuid: str
    vm_name: str
    host_name: str
    old: str
    new: str


class VMStateSync(PeriodicTask):
    """Reconciles VM states with the hosts. `start()` also watches every Up host for VM events;
    `interval` (seconds) overrides the `vm.state.sync.interval` setting."""

    task_name = "vm-state-sync"
    default_interval = DEFAULT_INTERVAL_SECONDS

    def __init__(self, database: Any, registry: Any, secrets: Any, interval: float | None = None) -> None:
        super().__init__(database, interval)
        self._drivers = Drivers(registry, secrets)
        self._watchers: dict[int, Callable[[], None]] = {}
        self._watch_lock = threading.Lock()
        self._notified: ThreadPoolExecutor | None = None
        self._pending: set[tuple[int, str]] = set()  # notified VMs not reconciled yet: a burst is checked once

    def start(self) -> None:
        self.watch_hosts()
        super().start()

    def stop(self, timeout: float = 10) -> None:
        super().stop(timeout)
        with self._watch_lock:
            watchers, self._watchers = self._watchers, {}
            executor, self._notified = self._notified, None
        for stop_watching in watchers.values():
            try:
                stop_watching()
            except Exception:
                log.exception("vm state sync: a host watcher did not stop cleanly")
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def interval_from_settings(self, session: Session) -> float:
        return float(settings.value(session, INTERVAL_KEY))

    def run_round(self) -> list[Correction]:
        self.watch_hosts()
        return self.reconcile_all()

    # -- full reconcile ----------------------------------------------------------------------

    def reconcile_all(self) -> list[Correction]:
        """Compare every Up host's report with the database; returns the corrections made."""
        with self._database.session() as session:
            host_ids = list(session.scalars(select(Host.id).where(Host.removed.is_(None),
                                                                  Host.state == HostState.UP.value)
                                            .order_by(Host.id)))
        corrections: list[Correction] = []
        for host_id in host_ids:
            if self.stopping:
                break
            try:
                corrections.extend(self.reconcile_host(host_id))
            except Exception:  # one host's failure must not stop the others
                log.exception("vm state sync: reconciling host id %s failed", host_id)
        return corrections

    def reconcile_host(self, host_id: int) -> list[Correction]:
        """Reconcile the VMs of one host with its `list_vms` report (asked before the database is read)."""
        with self._database.session() as session:
            host = session.get(Host, host_id)
            if host is None or host.removed is not None or host.state != HostState.UP.value:
                return []
            driver, ref = self._drivers.for_host(host)
        try:
            reported = driver.list_vms(ref)
        except CirroError as error:
            log.warning("vm state sync: host %s did not list its VMs: %s", ref.name, error)
            return []
        with self._database.session() as session:
            running_here = session.scalars(select(VirtualMachine.id).where(
                VirtualMachine.host_id == host_id, VirtualMachine.state == VMState.RUNNING.value,
                VirtualMachine.removed.is_(None)))
            candidates = {vm_id: None for vm_id in running_here}
            names = [name for name, status in reported.items() if status.power_state is PowerState.RUNNING]
            if names:
                stopped_there = session.scalars(select(VirtualMachine.id).where(
                    VirtualMachine.instance_name.in_(names), VirtualMachine.state == VMState.STOPPED.value,
                    VirtualMachine.removed.is_(None)))
                candidates.update({vm_id: None for vm_id in stopped_there})
            names_by_id = dict(session.execute(select(VirtualMachine.id, VirtualMachine.instance_name)
                                               .where(VirtualMachine.id.in_(list(candidates)))).all())
        corrections = []
        for vm_id, name in sorted(names_by_id.items()):
            status = reported.get(name)
            correction = self._reconcile(host_id, vm_id, status.power_state if status else None)
            if correction is not None:
                corrections.append(correction)
        return corrections

    # -- one VM, on a host's notification ------------------------------------------------------

    def reconcile_vm(self, host_id: int, instance_name: str) -> Correction | None:
        """Reconcile one VM with what `host_id` reports about it now (`vm_status`)."""
        with self._database.session() as session:
            vm = session.scalars(select(VirtualMachine).where(VirtualMachine.instance_name == instance_name,
                                                              VirtualMachine.removed.is_(None))).first()
            host = session.get(Host, host_id)
            if vm is None or host is None or host.removed is not None or host.state != HostState.UP.value:
                return None
            vm_id, ref_of_vm = vm.id, vm_ref(vm)
            driver, ref = self._drivers.for_host(host)
        try:
            power: PowerState | None = driver.vm_status(ref, ref_of_vm).power_state
        except VMNotFound:
            power = None
        except CirroError as error:
            log.warning("vm state sync: host %s did not report VM %s: %s", ref.name, instance_name, error)
            return None
        return self._reconcile(host_id, vm_id, power)

    def watch_hosts(self) -> None:
        """Watch every Up host not watched yet; stop watching hosts that are no longer Up."""
        with self._database.session() as session:
            hosts = {host.id: host for host in session.scalars(
                select(Host).where(Host.removed.is_(None), Host.state == HostState.UP.value))}
            with self._watch_lock:
                for host_id in [known for known in self._watchers if known not in hosts]:
                    self._unwatch(host_id)
                for host_id, host in hosts.items():
                    if host_id not in self._watchers:
                        self._watch(host)

    def _watch(self, host: Host) -> None:
        try:
            driver, ref = self._drivers.for_host(host)
            stop_watching = driver.watch_events(ref, lambda name, host_id=host.id: self._notify(host_id, name))
        except CirroError as error:
            log.warning("vm state sync: cannot watch host %s for VM events: %s", host.name, error)
            return
        self._watchers[host.id] = stop_watching or (lambda: None)

    def _unwatch(self, host_id: int) -> None:
        try:
            self._watchers.pop(host_id)()
        except Exception:
            log.exception("vm state sync: stopping the watch of host id %s failed", host_id)

    def _notify(self, host_id: int, instance_name: str) -> Future[Correction | None] | None:
        """Called by a driver from any thread: reconcile that VM soon on the background thread."""
        with self._watch_lock:
            if self.stopping or (host_id, instance_name) in self._pending:
                return None
            if self._notified is None:
                self._notified = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cirrostack-vm-events")
            self._pending.add((host_id, instance_name))
            return self._notified.submit(self._reconcile_logged, host_id, instance_name)

    def _reconcile_logged(self, host_id: int, instance_name: str) -> Correction | None:
        with self._watch_lock:
            self._pending.discard((host_id, instance_name))
        try:
            return self.reconcile_vm(host_id, instance_name)
        except Exception:
            log.exception("vm state sync: reconciling VM %s on host id %s failed", instance_name, host_id)
            return None

    # -- the corrections ---------------------------------------------------------------------

    def _reconcile(self, host_id: int, vm_id: int, power: PowerState | None) -> Correction | None:
        with self._database.session() as session:
            vm, host = session.get(VirtualMachine, vm_id), session.get(Host, host_id)
            if vm is None or host is None:
                return None
            if vm.state == VMState.RUNNING.value and vm.host_id == host_id and power in (PowerState.STOPPED, None):
                return self._found_stopped(session, vm, host)
            if vm.state == VMState.STOPPED.value and power is PowerState.RUNNING:
                return self._found_running(session, vm, host)
        return None

    def _found_stopped(self, session: Session, vm: VirtualMachine, host: Host) -> Correction | None:
        claimed = session.execute(
            update(VirtualMachine)
            .where(VirtualMachine.id == vm.id, VirtualMachine.state == VMState.RUNNING.value,
                   VirtualMachine.host_id == host.id)
            .values(state=VMState.STOPPED.value, host_id=None, last_host_id=host.id)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1 or self._still_reported(vm, host) not in (PowerState.STOPPED, None):
            session.rollback()  # a job moved it first, or it runs after all
            return None
        planner.release_host(session, host.id, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb)
        _usage(session, vm, "VM.STOP")
        description = (f"VM {vm.name} ({vm.uuid}) was found stopped on host {host.name} outside cirrostack; "
                       f"it is Stopped now and its host reservation was given back")
        events.record(session, None, "VM.STOP", description, level="WARN", account_id=vm.account_id,
                      domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
        session.commit()
        log.warning("vm state sync: %s", description)
        return Correction(vm.uuid, vm.name, host.name, VMState.RUNNING.value, VMState.STOPPED.value)

    def _found_running(self, session: Session, vm: VirtualMachine, host: Host) -> Correction | None:
        claimed = session.execute(
            update(VirtualMachine)
            .where(VirtualMachine.id == vm.id, VirtualMachine.state == VMState.STOPPED.value)
            .values(state=VMState.RUNNING.value, host_id=host.id, last_host_id=host.id, pod_id=host.pod_id,
                    cluster_id=host.cluster_id)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1 or self._still_reported(vm, host) is not PowerState.RUNNING:
            session.rollback()
            return None
        description = (f"VM {vm.name} ({vm.uuid}) was found running on host {host.name} outside cirrostack; "
                       f"it is Running there now")
        try:
            planner.reserve_host(session, zone=host.zone, cpus=vm.cpus, cpu_speed_mhz=vm.cpu_speed_mhz,
                                 memory_mb=vm.memory_mb, required_host=host, hypervisor=host.hypervisor_type)
        except InsufficientCapacity:
            planner.reserve_beyond_room(session, host.id, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb)
            alerts.raise_alert(session, alerts.AlertType.USERVM, f"Host {host.name} is overcommitted by VM {vm.name}",
                               f"{description}, but the host has no room left for its {vm.cpus} x "
                               f"{vm.cpu_speed_mhz} MHz and {vm.memory_mb} MB; the host is overcommitted until "
                               f"the VM stops or moves", zone_id=host.zone_id, pod_id=host.pod_id,
                               cluster_id=host.cluster_id)
        _usage(session, vm, "VM.START")
        events.record(session, None, "VM.START", description, level="WARN", account_id=vm.account_id,
                      domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
        session.commit()
        log.warning("vm state sync: %s", description)
        return Correction(vm.uuid, vm.name, host.name, VMState.STOPPED.value, VMState.RUNNING.value)

    def _still_reported(self, vm: VirtualMachine, host: Host) -> PowerState | None:
        """The host's answer about `vm` now; RUNNING-or-not decides, so an unreachable host keeps the VM as it was."""
        driver, ref = self._drivers.for_host(host)
        try:
            status: VMStatus = driver.vm_status(ref, vm_ref(vm))
        except VMNotFound:
            return None
        except CirroError:
            return PowerState.UNKNOWN
        return status.power_state


def _usage(session: Session, vm: VirtualMachine, event_type: str) -> None:
    offering = session.get(ServiceOffering, vm.service_offering_id)
    details = ({"cpuNumber": vm.cpus, "cpuSpeed": vm.cpu_speed_mhz, "memory": vm.memory_mb}
               if offering is not None and offering.is_customized else None)
    record_usage_event(session, event_type, account_id=vm.account_id, domain_id=vm.domain_id, zone_id=vm.zone_id,
                       resource_id=vm.id, resource_uuid=vm.uuid, resource_name=vm.name,
                       offering_id=vm.service_offering_id, template_id=vm.template_id, details=details)

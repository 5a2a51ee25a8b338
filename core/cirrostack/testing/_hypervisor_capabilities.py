"""Conformance checks of the hypervisor contract's optional part: each declared capability must
deliver its documented outcome; each undeclared one must be refused with UnsupportedOperation,
by the core's guard before the driver is called and by the driver's own method."""

from __future__ import annotations

from typing import Any

import pytest

from cirrostack.errors import CirroError, InvalidParameter, UnsupportedOperation, VMNotFound
from cirrostack.hookspecs.hypervisor import (
    HypervisorCapabilities,
    HypervisorDriver,
    PowerState,
    SnapshotInfo,
    SnapshotSpec,
)
from cirrostack.testing._hypervisor_base import HypervisorSuiteBase
from cirrostack.testing._hypervisor_calls import call_contract, expect_error

#: Capability -> the optional contract methods that deliver it.
CAPABILITY_METHODS: dict[str, tuple[str, ...]] = {
    "scale_running_vm": ("scale_vm",),
    "live_migration": ("migrate_vm",),
    "vm_snapshots": ("create_vm_snapshot", "revert_vm_snapshot", "delete_vm_snapshot", "list_vm_snapshots"),
}


class CapabilityChecks(HypervisorSuiteBase):
    def declares(self, capability: str) -> bool:
        return bool(getattr(type(self.driver).capabilities, capability))

    def assert_refused(self, capability: str, method: str, *args: Any) -> None:
        """Both the core's guard and the driver refuse `method` with UnsupportedOperation."""
        who = f"hypervisor {self.driver.hypervisor_type}"
        try:
            result = getattr(self.guarded, method)(*args)
        except UnsupportedOperation as exc:
            if exc.capability != capability:
                pytest.fail(f"{method}: the core's guard refused naming {exc.capability!r}; expected {capability!r}",
                            pytrace=False)
        except CirroError as exc:
            pytest.fail(f"{method}: the core's guard raised {type(exc).__name__} ({exc}) although {who} does not "
                        f"declare {capability}; it must refuse with UnsupportedOperation", pytrace=False)
        else:
            pytest.fail(f"{method}: the core's guard let the call through (it returned {result!r}) although {who} "
                        f"does not declare {capability}", pytrace=False)
        expect_error(UnsupportedOperation, f"although {who} does not declare {capability}, it", self.driver, method,
                     *args)

    def test_capabilities_are_declared_consistently(self) -> None:
        driver_class = type(self.driver)
        if not isinstance(getattr(driver_class, "hypervisor_type", None), str) or not driver_class.hypervisor_type:
            pytest.fail(f"{driver_class.__qualname__}.hypervisor_type must be a non-empty str", pytrace=False)
        if not isinstance(driver_class.capabilities, HypervisorCapabilities):
            pytest.fail(f"{driver_class.__qualname__}.capabilities is {driver_class.capabilities!r}, not a "
                        "HypervisorCapabilities", pytrace=False)
        if self.declares("vm_snapshot_memory") and not self.declares("vm_snapshots"):
            pytest.fail("create_vm_snapshot: capabilities declare vm_snapshot_memory without vm_snapshots",
                        pytrace=False)
        for capability, methods in CAPABILITY_METHODS.items():
            for method in methods:
                if self.declares(capability) and getattr(driver_class, method) is getattr(HypervisorDriver, method):
                    pytest.fail(f"{method}: capabilities declare {capability}, but {driver_class.__qualname__} keeps "
                                f"the contract's refusing {method}; implement it or stop declaring {capability}",
                                pytrace=False)

    # -- scale_running_vm ------------------------------------------------------------------------

    def test_scale_vm_changes_a_running_vm_when_declared_and_is_refused_otherwise(self) -> None:
        probe = self._vm_spec_factory()
        spec, vm = self.started(max_cpus=2 * probe.cpus, max_memory_mb=2 * probe.memory_mb)
        cpus, memory = 2 * spec.cpus, 2 * spec.memory_mb
        if not self.declares("scale_running_vm"):
            self.assert_refused("scale_running_vm", "scale_vm", self.host, vm, cpus, spec.cpu_speed_mhz, memory)
            return
        status = call_contract(self.driver, "scale_vm", self.host, vm, cpus, spec.cpu_speed_mhz, memory)
        self.check_power("scale_vm", "the returned status", vm.instance_name, status, PowerState.RUNNING)
        reported = self.status(vm)
        if (reported.cpus, reported.memory_mb) != (cpus, memory):
            pytest.fail(f"scale_vm: vm_status reports {vm.instance_name} with {reported.cpus} CPUs and "
                        f"{reported.memory_mb} MiB after scaling to {cpus} CPUs and {memory} MiB", pytrace=False)
        expect_error(InvalidParameter, f"beyond the maximum of {cpus} CPUs the VM was started with", self.driver,
                     "scale_vm", self.host, vm, cpus + 1, spec.cpu_speed_mhz, memory)

    # -- live_migration --------------------------------------------------------------------------

    def test_migrate_vm_moves_a_running_vm_when_declared_and_is_refused_otherwise(self) -> None:
        if not self.declares("live_migration"):
            _spec, vm = self.started()
            self.assert_refused("live_migration", "migrate_vm", self.host, vm, self.host)
            return
        target = self.second_host("the driver declares live_migration")
        _spec, vm = self.started()
        self.track(target, vm)
        status = call_contract(self.driver, "migrate_vm", self.host, vm, target)
        self.check_power("migrate_vm", "the returned status", vm.instance_name, status, PowerState.RUNNING)
        if status.host_uuid and status.host_uuid != target.uuid:
            pytest.fail(f"migrate_vm: the returned status places {vm.instance_name} on host {status.host_uuid}; the "
                        f"contract requires the target {target.uuid}", pytrace=False)
        self.check_reported("migrate_vm", vm, PowerState.RUNNING, host=target)
        expect_error(VMNotFound, f"on the source host after migrating {vm.instance_name} away", self.driver,
                     "vm_status", self.host, vm)
        if vm.instance_name in call_contract(self.driver, "list_vms", self.host):
            pytest.fail(f"migrate_vm: the source host still lists {vm.instance_name} after migrate_vm; the contract "
                        "requires only the target to know it", pytrace=False)

    # -- vm_snapshots ----------------------------------------------------------------------------

    def test_vm_snapshots_are_created_listed_reverted_and_deleted_when_declared_and_refused_otherwise(self) -> None:
        _spec, vm = self.started()
        first, second = SnapshotSpec("conformance-1"), SnapshotSpec("conformance-2")
        if not self.declares("vm_snapshots"):
            for method, args in (("create_vm_snapshot", (first,)), ("revert_vm_snapshot", (first.name,)),
                                 ("delete_vm_snapshot", (first.name,)), ("list_vm_snapshots", ())):
                self.assert_refused("vm_snapshots", method, self.host, vm, *args)
            return
        for snapshot in (first, second):
            info = call_contract(self.driver, "create_vm_snapshot", self.host, vm, snapshot)
            if not isinstance(info, SnapshotInfo) or info.name != snapshot.name or info.with_memory:
                pytest.fail(f"create_vm_snapshot: returned {info!r} for the disk-only snapshot {snapshot.name!r}",
                            pytrace=False)
        self._check_snapshot_names("create_vm_snapshot", vm, [first.name, second.name])
        expect_error(InvalidParameter, f"for a second snapshot named {first.name!r}", self.driver,
                     "create_vm_snapshot", self.host, vm, first, param="name")

        status = call_contract(self.driver, "revert_vm_snapshot", self.host, vm, first.name)
        self.check_power("revert_vm_snapshot", "the status returned for a disk-only snapshot", vm.instance_name,
                         status, PowerState.STOPPED)
        self.check_reported("revert_vm_snapshot", vm, PowerState.STOPPED)
        expect_error(InvalidParameter, "for a snapshot that does not exist", self.driver, "revert_vm_snapshot",
                     self.host, vm, "no-such-snapshot", param="vmsnapshotid")

        call_contract(self.driver, "delete_vm_snapshot", self.host, vm, second.name)
        self._check_snapshot_names("delete_vm_snapshot", vm, [first.name])
        call_contract(self.driver, "delete_vm_snapshot", self.host, vm, second.name)
        self._check_snapshot_names("delete_vm_snapshot (a second time)", vm, [first.name])

    def test_vm_snapshot_with_memory_resumes_the_vm_when_declared_and_is_refused_otherwise(self) -> None:
        _spec, vm = self.started()
        snapshot = SnapshotSpec("conformance-memory", with_memory=True)
        if not self.declares("vm_snapshot_memory"):
            try:
                self.guarded.create_vm_snapshot(self.host, vm, snapshot)
            except UnsupportedOperation:
                return
            except CirroError as exc:
                pytest.fail(f"create_vm_snapshot: the core's guard raised {type(exc).__name__} ({exc}) for a "
                            "snapshot with memory, which the driver does not declare", pytrace=False)
            pytest.fail("create_vm_snapshot: the core's guard let a snapshot with memory through although the "
                        "driver does not declare vm_snapshot_memory", pytrace=False)
        info = call_contract(self.driver, "create_vm_snapshot", self.host, vm, snapshot)
        if not isinstance(info, SnapshotInfo) or not info.with_memory:
            pytest.fail(f"create_vm_snapshot: returned {info!r} for a snapshot with memory; the contract requires "
                        "SnapshotInfo.with_memory to be true", pytrace=False)
        call_contract(self.driver, "stop_vm", self.host, vm)
        status = call_contract(self.driver, "revert_vm_snapshot", self.host, vm, snapshot.name)
        self.check_power("revert_vm_snapshot", "the status returned for a snapshot with memory", vm.instance_name,
                         status, PowerState.RUNNING)
        self.check_reported("revert_vm_snapshot", vm, PowerState.RUNNING)

    def _check_snapshot_names(self, method: str, vm: Any, expected: list[str]) -> None:
        listed = call_contract(self.driver, "list_vm_snapshots", self.host, vm)
        names = [getattr(info, "name", info) for info in listed]
        if names != expected:
            pytest.fail(f"{method}: list_vm_snapshots reports {names} for {vm.instance_name}; expected {expected} "
                        "(oldest first)", pytrace=False)

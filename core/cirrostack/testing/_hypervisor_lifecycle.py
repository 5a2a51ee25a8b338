"""Conformance checks of the hypervisor contract's required part: hosts and the VM life cycle."""

from __future__ import annotations

import dataclasses
import inspect
import threading
from typing import Any

import pytest

from cirrostack.errors import (
    CirroError,
    HostUnreachable,
    InsufficientCapacity,
    InvalidParameter,
    InvalidState,
    VMNotFound,
)
from cirrostack.hookspecs.hypervisor import HostInfo, HostState, HypervisorDriver, PowerState, VMRef
from cirrostack.testing._hypervisor_base import HypervisorSuiteBase, ref
from cirrostack.testing._hypervisor_calls import call_contract, call_tolerating, expect_error

#: The abstract methods of the contract, in the order the contract declares them.
REQUIRED_METHODS = tuple(name for name in HypervisorDriver.__dict__ if name in HypervisorDriver.__abstractmethods__)


class LifecycleChecks(HypervisorSuiteBase):
    unusable_host_url = ""
    """A URL the driver cannot use; connect_host must refuse it with InvalidParameter("url")."""

    @pytest.mark.parametrize("method", REQUIRED_METHODS)
    def test_contract_method_is_implemented(self, method: str) -> None:
        spec = self.new_vm()
        if method != "start_vm":
            try:  # give the VM methods a VM to act on; whether starting works is checked elsewhere
                self.driver.start_vm(self.host, spec)
            except Exception:
                pass
        arguments = {"host": self.host, "vm": spec if method == "start_vm" else ref(spec), "force": False}
        parameters = list(inspect.signature(getattr(HypervisorDriver, method)).parameters)[1:]
        # Any error of the contract's own kinds shows the method is implemented; the other checks judge it.
        call_tolerating((CirroError,), self.driver, method, *(arguments[name] for name in parameters))

    # -- hosts -------------------------------------------------------------------------------

    def test_connect_host_reports_what_the_host_is(self) -> None:
        info = call_contract(self.driver, "connect_host", self.host)
        if not isinstance(info, HostInfo):
            pytest.fail(f"connect_host: returned {info!r}, not a HostInfo", pytrace=False)
        for name in ("sockets", "cores_per_socket", "threads_per_core", "cpu_mhz", "memory_bytes"):
            value = getattr(info, name)
            if not isinstance(value, int) or value < 1:
                pytest.fail(f"connect_host: HostInfo.{name} is {value!r}; the contract requires a positive int",
                            pytrace=False)
        if not isinstance(info.hypervisor_version, str) or not info.hypervisor_version.strip():
            pytest.fail(f"connect_host: HostInfo.hypervisor_version is {info.hypervisor_version!r}; the contract "
                        "requires the version the host reports", pytrace=False)
        again = call_contract(self.driver, "connect_host", self.host)
        if again != info:
            pytest.fail(f"connect_host: a second call reported {again!r} after {info!r}; the contract requires it "
                        "to be idempotent", pytrace=False)

    def test_connect_host_refuses_an_unusable_url(self) -> None:
        unusable = dataclasses.replace(self.host, url=self.unusable_host_url)
        expect_error(InvalidParameter, f"for the URL {self.unusable_host_url!r}", self.driver, "connect_host",
                     unusable, param="url")

    def test_host_state_is_up_for_a_reachable_host(self) -> None:
        state = call_contract(self.driver, "host_state", self.host)
        if state is not HostState.UP:
            pytest.fail(f"host_state: reports {state!r} for the reachable host {self.host.url}; the contract "
                        "requires HostState.UP", pytrace=False)

    def test_an_unreachable_host_is_down_and_its_calls_raise_host_unreachable(self) -> None:
        down = self.unreachable_host()
        state = call_contract(self.driver, "host_state", down)
        if state is not HostState.DOWN:
            pytest.fail(f"host_state: reports {state!r} for the unreachable host {down.url}; the contract requires "
                        "HostState.DOWN (and never an exception)", pytrace=False)
        situation = f"on the unreachable host {down.url}"
        expect_error(HostUnreachable, situation, self.driver, "connect_host", down)
        expect_error(HostUnreachable, situation, self.driver, "list_vms", down)
        spec = self.new_vm()
        self.track(down, ref(spec))
        expect_error(HostUnreachable, situation, self.driver, "start_vm", down, spec)

    # -- VM life cycle -------------------------------------------------------------------------

    def test_start_vm_runs_the_vm_as_specified(self) -> None:
        spec, vm = self.started()
        self.check_reported("start_vm", vm, PowerState.RUNNING)
        status = self.status(vm)
        if (status.cpus, status.memory_mb) != (spec.cpus, spec.memory_mb):
            pytest.fail(f"start_vm: vm_status reports {vm.instance_name} with {status.cpus} CPUs and "
                        f"{status.memory_mb} MiB; it was started with {spec.cpus} CPUs and {spec.memory_mb} MiB",
                        pytrace=False)

    def test_start_vm_of_a_running_vm_changes_nothing(self) -> None:
        spec, vm = self.started()
        status = call_contract(self.driver, "start_vm", self.host, spec)
        self.check_power("start_vm", "the status returned by a second start_vm", vm.instance_name, status,
                         PowerState.RUNNING)
        self.check_reported("start_vm", vm, PowerState.RUNNING)

    def test_start_vm_beyond_the_host_memory_raises_insufficient_capacity_and_defines_nothing(self) -> None:
        info = call_contract(self.driver, "connect_host", self.host)
        too_big = self.new_vm(memory_mb=2 * info.memory_bytes // (1024 * 1024))
        expect_error(InsufficientCapacity, f"for a VM of {too_big.memory_mb} MiB (twice the host's memory)",
                     self.driver, "start_vm", self.host, too_big)
        if too_big.instance_name in call_contract(self.driver, "list_vms", self.host):
            pytest.fail(f"start_vm: left {too_big.instance_name} defined after failing with InsufficientCapacity; "
                        "the contract requires a failed start to remove what it defined", pytrace=False)

    def test_reboot_vm_keeps_the_vm_running(self) -> None:
        _spec, vm = self.started()
        status = call_contract(self.driver, "reboot_vm", self.host, vm)
        self.check_power("reboot_vm", "the returned status", vm.instance_name, status, PowerState.RUNNING)
        self.check_reported("reboot_vm", vm, PowerState.RUNNING)

    def test_reboot_vm_of_a_stopped_vm_raises_invalid_state(self) -> None:
        _spec, vm = self.started()
        call_contract(self.driver, "stop_vm", self.host, vm)
        expect_error(InvalidState, f"for the stopped VM {vm.instance_name}", self.driver, "reboot_vm", self.host, vm)

    def test_stop_vm_stops_the_vm_and_stopping_again_changes_nothing(self) -> None:
        _spec, vm = self.started()
        status = call_contract(self.driver, "stop_vm", self.host, vm)
        self.check_power("stop_vm", "the returned status", vm.instance_name, status, PowerState.STOPPED)
        self.check_reported("stop_vm", vm, PowerState.STOPPED)
        again = call_contract(self.driver, "stop_vm", self.host, vm)
        self.check_power("stop_vm", "the status returned by a second stop_vm", vm.instance_name, again,
                         PowerState.STOPPED)
        forced = call_contract(self.driver, "stop_vm", self.host, vm, force=True)
        self.check_power("stop_vm", "the status returned by stop_vm(force=True)", vm.instance_name, forced,
                         PowerState.STOPPED)

    def test_stop_vm_with_force_stops_a_running_vm(self) -> None:
        _spec, vm = self.started()
        status = call_contract(self.driver, "stop_vm", self.host, vm, force=True)
        self.check_power("stop_vm", "the status returned by stop_vm(force=True)", vm.instance_name, status,
                         PowerState.STOPPED)
        self.check_reported("stop_vm", vm, PowerState.STOPPED)

    def test_start_vm_restarts_a_stopped_vm(self) -> None:
        spec, vm = self.started()
        call_contract(self.driver, "stop_vm", self.host, vm)
        status = call_contract(self.driver, "start_vm", self.host, spec)
        self.check_power("start_vm", "the status returned after a stop", vm.instance_name, status, PowerState.RUNNING)
        self.check_reported("start_vm", vm, PowerState.RUNNING)

    def test_destroy_vm_removes_the_vm_and_destroying_again_succeeds(self) -> None:
        _spec, vm = self.started()
        self._destroy_and_check_gone(vm, "a running VM")
        self._destroy_and_check_gone(vm, "a VM destroyed before")

    def test_destroy_vm_removes_a_stopped_vm(self) -> None:
        _spec, vm = self.started()
        call_contract(self.driver, "stop_vm", self.host, vm)
        self._destroy_and_check_gone(vm, "a stopped VM")

    def _destroy_and_check_gone(self, vm: VMRef, what: str) -> None:
        result = self._destroy(vm, what)
        if result is not None:
            pytest.fail(f"destroy_vm: returned {result!r} for {what}; the contract returns None", pytrace=False)
        expect_error(VMNotFound, f"after destroy_vm of {what}", self.driver, "vm_status", self.host, vm)
        if vm.instance_name in call_contract(self.driver, "list_vms", self.host):
            pytest.fail(f"destroy_vm: list_vms still lists {vm.instance_name} after destroy_vm of {what}",
                        pytrace=False)

    def _destroy(self, vm: VMRef, what: str) -> Any:
        result = call_tolerating((CirroError,), self.driver, "destroy_vm", self.host, vm)
        if isinstance(result, CirroError):
            pytest.fail(f"destroy_vm: raised {type(result).__name__} for {what} ({result}); the contract requires "
                        "destroy_vm to succeed, also for a VM the host does not know (idempotence)", pytrace=False)
        return result

    def test_a_vm_the_host_does_not_know_raises_vm_not_found(self) -> None:
        unknown = ref(self.new_vm())
        situation = f"for {unknown.instance_name}, which the host does not know"
        expect_error(VMNotFound, situation, self.driver, "vm_status", self.host, unknown)
        expect_error(VMNotFound, situation, self.driver, "stop_vm", self.host, unknown)
        expect_error(VMNotFound, situation, self.driver, "reboot_vm", self.host, unknown)
        self._destroy(unknown, "a VM the host does not know")

    def test_list_vms_agrees_with_vm_status(self) -> None:
        _spec, running = self.started()
        _spec, stopped = self.started()
        status = call_contract(self.driver, "stop_vm", self.host, stopped)
        self.check_power("stop_vm", "the returned status", stopped.instance_name, status, PowerState.STOPPED)
        listed = call_contract(self.driver, "list_vms", self.host)
        if not isinstance(listed, dict):
            pytest.fail(f"list_vms: returned {type(listed).__name__}; the contract requires a dict keyed by "
                        "instance name", pytrace=False)
        for name, status in listed.items():
            if getattr(status, "instance_name", None) != name:
                pytest.fail(f"list_vms: the entry under {name!r} is {status!r}; the contract requires it keyed by "
                            "its instance name", pytrace=False)
        for vm in (running, stopped):
            if vm.instance_name not in listed:
                pytest.fail(f"list_vms: lacks {vm.instance_name}, which vm_status reports", pytrace=False)
            reported = self.status(vm).power_state
            if listed[vm.instance_name].power_state is not reported:
                pytest.fail(f"list_vms: lists {vm.instance_name} as {listed[vm.instance_name].power_state.value} "
                            f"while vm_status reports {reported.value}; the contract requires them to agree",
                            pytrace=False)

    def test_calls_from_several_threads_at_once_keep_each_vm_consistent(self) -> None:
        specs = [self.new_vm() for _ in range(8)]
        problems: list[BaseException] = []

        def life(spec: Any) -> None:
            try:
                call_contract(self.driver, "start_vm", self.host, spec)
                call_contract(self.driver, "stop_vm", self.host, ref(spec))
            except BaseException as exc:  # pytest.fail raises a BaseException; report it in the test thread
                problems.append(exc)

        threads = [threading.Thread(target=life, args=(spec,), name=f"conformance-vm-life-{number}")
                   for number, spec in enumerate(specs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if problems:
            raise problems[0]
        for spec in specs:
            self.check_reported("stop_vm", ref(spec), PowerState.STOPPED)

"""Simulator fault injection and latency, through the driver's Python API and the core's guard."""

from __future__ import annotations

import pytest

from cirrostack.errors import HostUnreachable, InsufficientCapacity, InvalidParameter, PluginError
from cirrostack.hookspecs import HostRef, HostState, PowerState, VMRef, VMSpec
from cirrostack.plugins import PluginRegistry
from cirrostack.simulator import SimulatorHypervisor
from cirrostack.simulator import driver as driver_module

NODE = HostRef("host-1", "h0", "http://sim/c0/h0")
VM = VMSpec("vm-1", "i-2-1-VM", cpus=1, cpu_speed_mhz=1000, memory_mb=512)


@pytest.fixture
def driver() -> SimulatorHypervisor:
    return SimulatorHypervisor()


def test_fail_next_fails_exactly_count_calls_and_changes_nothing(driver: SimulatorHypervisor) -> None:
    driver.faults.fail_next("start_vm", count=2, error="InsufficientCapacity")
    for remaining in (1, 0):
        with pytest.raises(InsufficientCapacity, match=f"injected InsufficientCapacity in start_vm \\({remaining}"):
            driver.start_vm(NODE, VM)
        assert driver.list_vms(NODE) == {}
    assert driver.start_vm(NODE, VM).power_state is PowerState.RUNNING
    assert driver.faults.pending("start_vm") == 0


def test_fail_next_with_count_zero_cancels(driver: SimulatorHypervisor) -> None:
    driver.faults.fail_next("stop_vm", count=3)
    driver.faults.fail_next("stop_vm", count=0)
    driver.start_vm(NODE, VM)
    assert driver.stop_vm(NODE, VMRef(VM.uuid, VM.instance_name)).power_state is PowerState.STOPPED


def test_a_host_marked_down_is_unreachable_until_it_comes_back_with_its_vms(driver: SimulatorHypervisor) -> None:
    driver.start_vm(NODE, VM)
    driver.faults.host_down("sim://c0/h0")
    assert driver.host_state(NODE) is HostState.DOWN
    for call in (lambda: driver.list_vms(NODE), lambda: driver.connect_host(NODE),
                 lambda: driver.vm_status(NODE, VMRef(VM.uuid, VM.instance_name))):
        with pytest.raises(HostUnreachable, match="c0/h0"):
            call()
    driver.faults.host_up(NODE.url)
    assert driver.host_state(NODE) is HostState.UP
    assert driver.list_vms(NODE)[VM.instance_name].power_state is PowerState.RUNNING


def test_a_vm_of_a_down_host_can_be_started_elsewhere(driver: SimulatorHypervisor) -> None:
    other = HostRef("host-2", "h1", "http://sim/c0/h1")
    driver.start_vm(NODE, VM)
    driver.faults.host_down(NODE.url)
    assert driver.start_vm(other, VM).host_uuid == "host-2"
    driver.faults.host_up(NODE.url)
    assert driver.list_vms(NODE) == {}


def test_an_injected_host_unreachable_makes_host_state_report_down(driver: SimulatorHypervisor) -> None:
    driver.faults.fail_next("host_state", count=1)
    assert driver.host_state(NODE) is HostState.DOWN
    assert driver.host_state(NODE) is HostState.UP


@pytest.mark.parametrize("call, param", [
    (lambda f: f.fail_next("boot_vm"), "operation"),
    (lambda f: f.fail_next("start_vm", error="Timeout"), "error"),
    (lambda f: f.fail_next("start_vm", count=-1), "count"),
    (lambda f: f.set_latency("start_vm", -5), "latency"),
    (lambda f: f.host_down("http://elsewhere/c0/h0"), "hosturl"),
])
def test_bad_fault_requests_name_the_parameter(driver: SimulatorHypervisor, call, param: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        call(driver.faults)
    assert caught.value.param == param


def test_clear_cancels_failures_hosts_down_and_latency(driver: SimulatorHypervisor) -> None:
    driver.faults.fail_next("start_vm", count=5)
    driver.faults.host_down(NODE.url)
    driver.faults.set_latency("start_vm", 40)
    driver.faults.clear()
    assert driver.faults.pending("start_vm") == 0
    assert driver.faults.latency_ms("start_vm") == 0
    assert driver.start_vm(NODE, VM).power_state is PowerState.RUNNING


def test_latency_comes_from_settings_and_is_waited_before_answering(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr(driver_module.time, "sleep", waits.append)
    driver = SimulatorHypervisor({"simulator.latency.start_vm": "250"})
    driver.faults.set_latency("stop_vm", 40)
    driver.start_vm(NODE, VM)
    driver.stop_vm(NODE, VMRef(VM.uuid, VM.instance_name))
    driver.vm_status(NODE, VMRef(VM.uuid, VM.instance_name))
    assert waits == [0.25, 0.04]


def test_a_bad_latency_setting_names_the_key() -> None:
    with pytest.raises(ValueError, match="simulator.latency.stop_vm: expected an integer, got 'slow'"):
        SimulatorHypervisor({"simulator.latency.stop_vm": "slow"})


def test_the_guard_turns_an_injected_runtime_error_into_a_plugin_error() -> None:
    guarded = PluginRegistry.load().hypervisor("Simulator")
    guarded.faults.fail_next("list_vms", error="RuntimeError")
    with pytest.raises(PluginError, match="plugin simulator failed in list_vms: SimulatedPluginBug"):
        guarded.list_vms(NODE)

"""configureSimulator, called the way the dispatcher calls it: a Call over a real PluginRegistry."""

from __future__ import annotations

from pathlib import Path

import pytest

from cirrostack.api.declaration import Call
from cirrostack.errors import HostUnreachable, InvalidParameter, VMNotFound
from cirrostack.hookspecs import HostRef, HostState, VMRef
from cirrostack.plugins import PluginRegistry
from cirrostack.services.context import ROOT_ADMIN, AccountType, Caller
from cirrostack.simulator._settings import OPERATIONS, SETTINGS
from cirrostack.simulator.configure_command import CONFIGURE_SIMULATOR, configure_simulator

NODE = HostRef("host-1", "h0", "http://sim/c0/h0")
ROOT = Caller(1, "u-1", "admin", 1, "a-1", "admin", AccountType.ROOT_ADMIN, 1, "d-1", "/")


@pytest.fixture
def call() -> Call:
    return Call(caller=ROOT, session=None, registry=PluginRegistry.load(), command=CONFIGURE_SIMULATOR)  # type: ignore[arg-type]


def test_the_simulator_plugin_contributes_the_command_for_root_admins_only() -> None:
    registry = PluginRegistry.load()
    assert CONFIGURE_SIMULATOR in registry.api_commands()
    assert CONFIGURE_SIMULATOR.roles == ROOT_ADMIN and CONFIGURE_SIMULATOR.run is configure_simulator


def test_operation_and_count_make_the_next_calls_fail(call: Call) -> None:
    result = configure_simulator(call, operation="vm_status", count=2, error="VMNotFound")
    assert result == {"operation": "vm_status", "pendingfailures": 2, "latency": 0, "error": "VMNotFound"}
    driver = call.registry.hypervisor("Simulator")
    with pytest.raises(VMNotFound, match="injected"):
        driver.vm_status(NODE, VMRef("vm-1", "i-2-1-VM"))
    assert driver.faults.pending("vm_status") == 1


def test_hosturl_and_hoststate_take_a_host_down_and_up(call: Call) -> None:
    driver = call.registry.hypervisor("Simulator")
    assert configure_simulator(call, hosturl=NODE.url, hoststate="down") == {"hosturl": NODE.url, "hoststate": "Down"}
    assert driver.host_state(NODE) is HostState.DOWN
    with pytest.raises(HostUnreachable):
        driver.list_vms(NODE)
    configure_simulator(call, hosturl=NODE.url, hoststate="Up")
    assert driver.host_state(NODE) is HostState.UP


def test_latency_and_clear(call: Call) -> None:
    assert configure_simulator(call, operation="migrate_vm", latency=300)["latency"] == 300
    configure_simulator(call, clear=True)
    assert call.registry.hypervisor("Simulator").faults.latency_ms("migrate_vm") == 0


@pytest.mark.parametrize("arguments, param", [
    ({}, "operation"),
    ({"count": 1}, "count"),
    ({"operation": "start_vm"}, "operation"),
    ({"operation": "start_vm", "latency": 5, "error": "VMNotFound"}, "error"),
    ({"operation": "launch", "count": 1}, "operation"),
    ({"operation": "start_vm", "count": 1, "error": "Oops"}, "error"),
    ({"hosturl": NODE.url}, "hoststate"),
    ({"hoststate": "Down"}, "hosturl"),
    ({"hosturl": NODE.url, "hoststate": "Maintenance"}, "hoststate"),
    ({"hosturl": "http://other/c0/h0", "hoststate": "Down"}, "hosturl"),
])
def test_bad_combinations_name_the_parameter(call: Call, arguments: dict, param: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        configure_simulator(call, **arguments)
    assert caught.value.param == param


def test_docs_describe_every_setting_and_command_parameter() -> None:
    text = (Path(__file__).parent.parent / "docs" / "simulator.md").read_text()
    keys = {s.key for s in SETTINGS if not s.key.startswith("simulator.latency.")} | {"simulator.latency.<operation>"}
    words = keys | set(OPERATIONS) | {f"`{p.name}`" for p in CONFIGURE_SIMULATOR.params}
    assert sorted(word for word in words if word not in text) == []

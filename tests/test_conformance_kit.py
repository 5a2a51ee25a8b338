"""The hypervisor conformance kit fails broken drivers, naming the contract method that broke.

Each broken driver runs the whole suite in a separate pytest session (pytester); the JUnit XML
report says which tests failed and with what message.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import cirrostack.testing.pytest_plugin as plugin

pytest_plugins = ["pytester"]

CONFTEST = '''
import pytest
from cirrostack.hookspecs import HostRef

@pytest.fixture
def hypervisor_host():
    return HostRef("host-1", "h0", "http://sim/c0/h0?memory=8192")

@pytest.fixture
def hypervisor_second_host():
    return HostRef("host-2", "h1", "http://sim/c0/h1?memory=8192")

@pytest.fixture
def hypervisor_unreachable_host(hypervisor_driver):
    hypervisor_driver.faults.host_down("http://sim/c0/down")
    return HostRef("host-3", "down", "http://sim/c0/down")
'''

DRIVERS = '''
import dataclasses
import pytest
from cirrostack.errors import VMNotFound
from cirrostack.hookspecs import HypervisorDriver
from cirrostack.simulator import SimulatorHypervisor
from cirrostack.testing import HypervisorConformance


def suite_for(driver_class):
    class Suite(HypervisorConformance):
        unusable_host_url = "ftp://nowhere"

        @pytest.fixture
        def hypervisor_driver(self):
            return driver_class()
    return Suite


class StopLeavesRunning(SimulatorHypervisor):
    def stop_vm(self, host, vm, force=False):
        return self.vm_status(host, vm)


class DestroyNotIdempotent(SimulatorHypervisor):
    def destroy_vm(self, host, vm):
        self.vm_status(host, vm)
        super().destroy_vm(host, vm)


class MigrateDoesNothing(SimulatorHypervisor):
    def migrate_vm(self, source, vm, target):
        return self.vm_status(source, vm)


class RebootNotImplemented(SimulatorHypervisor):
    def reboot_vm(self, host, vm):
        raise NotImplementedError


class VmStatusLeaksKeyError(SimulatorHypervisor):
    def vm_status(self, host, vm):
        try:
            return super().vm_status(host, vm)
        except VMNotFound:
            raise KeyError(vm.instance_name) from None


class ScalesWithoutDeclaring(SimulatorHypervisor):
    capabilities = dataclasses.replace(SimulatorHypervisor.capabilities, scale_running_vm=False)


class Healthy(SimulatorHypervisor):
    pass


'''

UNIMPLEMENTED = '''
import pytest
from cirrostack.hookspecs import HypervisorDriver
from cirrostack.simulator import SimulatorHypervisor
from cirrostack.testing import HypervisorConformance


class AcmeHypervisor(HypervisorDriver):
    hypervisor_type = "Acme"

    def connect_host(self, host):
        raise NotImplementedError("connect_host")

    def host_state(self, host):
        raise NotImplementedError("host_state")

    def list_vms(self, host):
        raise NotImplementedError("list_vms")

    def start_vm(self, host, vm):
        raise NotImplementedError("start_vm")

    def stop_vm(self, host, vm, force=False):
        raise NotImplementedError("stop_vm")

    def reboot_vm(self, host, vm):
        raise NotImplementedError("reboot_vm")

    def destroy_vm(self, host, vm):
        raise NotImplementedError("destroy_vm")

    def vm_status(self, host, vm):
        raise NotImplementedError("vm_status")


class TestAcme(HypervisorConformance):
    @pytest.fixture
    def hypervisor_driver(self):
        return AcmeHypervisor()

    @pytest.fixture
    def hypervisor_unreachable_host(self, hypervisor_host):
        return hypervisor_host
'''

REQUIRED_METHODS = ("connect_host", "host_state", "list_vms", "start_vm", "stop_vm", "reboot_vm", "destroy_vm",
                    "vm_status")
CONTRACT_METHODS = {*REQUIRED_METHODS, "scale_vm", "migrate_vm", "create_vm_snapshot", "revert_vm_snapshot",
                    "delete_vm_snapshot", "list_vm_snapshots"}


def run_suite(pytester: pytest.Pytester, module: str) -> dict[str, dict[str, str]]:
    """Run the module's suites; class name -> test name -> failure message ("" when it passed)."""
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_drivers=module)
    report = pytester.path / "report.xml"
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", f"--junitxml={report}")
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), result.stdout.str()
    outcomes: dict[str, dict[str, str]] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        assert case.find("skipped") is None, f"{case.get('name')} was skipped; the kit never skips"
        error = case.find("error")
        assert error is None, f"{case.get('name')} errored: {error.get('message')}"
        failure = case.find("failure")
        suite = case.get("classname", "").rsplit(".", 1)[-1]
        message = "" if failure is None else failure.get("message", "").removeprefix("Failed: ")
        outcomes.setdefault(suite, {})[case.get("name", "")] = message
    return outcomes


def run_driver(pytester: pytest.Pytester, driver_class: str) -> dict[str, str]:
    """Run the suite against one driver class of DRIVERS; test name -> failure message."""
    return run_suite(pytester, DRIVERS + f"\nTest{driver_class} = suite_for({driver_class})\n")[f"Test{driver_class}"]


def test_a_healthy_driver_passes_every_check(pytester: pytest.Pytester) -> None:
    outcomes = run_driver(pytester, "Healthy")
    assert len(outcomes) >= 30
    assert [name for name, message in outcomes.items() if message] == []


@pytest.mark.parametrize("driver_class, method, fragment", [
    ("StopLeavesRunning", "stop_vm", "as Running after stop_vm; the contract requires Stopped"),
    ("DestroyNotIdempotent", "destroy_vm", "raised VMNotFound for a VM destroyed before"),
    ("MigrateDoesNothing", "migrate_vm", "the contract requires the target"),
    ("RebootNotImplemented", "reboot_vm", "raises NotImplementedError"),
    ("VmStatusLeaksKeyError", "vm_status", "raised KeyError"),
    ("ScalesWithoutDeclaring", "scale_vm", "does not declare scale_running_vm"),
])
def test_a_broken_driver_fails_naming_the_broken_method(pytester: pytest.Pytester, driver_class: str, method: str,
                                                        fragment: str) -> None:
    messages = [message for message in run_driver(pytester, driver_class).values() if message]
    assert messages, f"{driver_class}: the kit passed a broken driver"
    assert any(message.startswith(f"{method}: ") and fragment in message for message in messages), messages
    # Knock-on failures elsewhere are fine, but each one still starts with the method it is about.
    assert all(message.split(":", 1)[0] in CONTRACT_METHODS for message in messages), messages


def test_the_stop_vm_failure_says_what_the_contract_requires(pytester: pytest.Pytester) -> None:
    message = run_driver(pytester, "StopLeavesRunning")["test_stop_vm_stops_the_vm_and_stopping_again_changes_nothing"]
    assert message.startswith("stop_vm: the returned status reports i-2-"), message
    assert message.endswith("-VM as Running after stop_vm; the contract requires Stopped"), message


def test_each_unimplemented_method_fails_a_test_naming_it(pytester: pytest.Pytester) -> None:
    outcomes = run_suite(pytester, UNIMPLEMENTED)["TestAcme"]
    for method in REQUIRED_METHODS:
        message = outcomes[f"test_contract_method_is_implemented[{method}]"]
        assert message.startswith(f"{method}: raises NotImplementedError"), message
    passed = [name for name, message in outcomes.items() if not message]
    assert passed == ["test_capabilities_are_declared_consistently"], "checks passed a driver that implements nothing"


def test_docs_describe_every_fixture_of_the_suite() -> None:
    text = (Path(__file__).parent.parent / "docs" / "conformance-kit.md").read_text()
    fixtures = [name for name in vars(plugin) if name.startswith(("hypervisor_", "vm_spec"))]
    assert len(fixtures) == 5
    assert [name for name in fixtures if f"`{name}`" not in text] == []

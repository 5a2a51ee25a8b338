"""The simulator passes the whole hypervisor conformance suite, as a vendor's driver would."""

from __future__ import annotations

import pytest

from cirrostack.hookspecs import HostRef
from cirrostack.plugins import PluginRegistry
from cirrostack.simulator import SimulatorHypervisor
from cirrostack.testing import HypervisorConformance


class TestSimulatorConformance(HypervisorConformance):
    unusable_host_url = "qemu+ssh://kvm-01/system"

    @pytest.fixture
    def hypervisor_driver(self) -> SimulatorHypervisor:
        return SimulatorHypervisor()

    @pytest.fixture
    def hypervisor_host(self) -> HostRef:
        return HostRef("host-1", "h0", "http://sim/c0/h0?memory=8192")

    @pytest.fixture
    def hypervisor_second_host(self) -> HostRef:
        return HostRef("host-2", "h1", "sim://c0/h1?memory=8192")

    @pytest.fixture
    def hypervisor_unreachable_host(self, hypervisor_driver: SimulatorHypervisor) -> HostRef:
        hypervisor_driver.faults.host_down("http://sim/c0/down")
        return HostRef("host-3", "down", "http://sim/c0/down")


class TestSimulatorFromTheRegistryConformance(TestSimulatorConformance):
    """The same suite against the driver the core's registry hands out (behind its guard)."""

    @pytest.fixture
    def hypervisor_driver(self) -> SimulatorHypervisor:
        return PluginRegistry.load().hypervisor("Simulator")

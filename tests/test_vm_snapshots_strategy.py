"""The default VM snapshot strategy (the hypervisor's own snapshots) on the simulator."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from cirrostack.hookspecs import HostRef, VMRef, VMSpec
from cirrostack.hookspecs.vm_snapshot import SnapshotTarget, StrategyPriority
from cirrostack.plugins import PluginRegistry
from cirrostack.services.vm_snapshots.hypervisor_strategy import HypervisorSnapshots
from cirrostack.simulator import SimulatorHypervisor
from cirrostack.testing.vm_snapshot import VMSnapshotStrategyConformance

_numbers = itertools.count(1)
HOST = HostRef(uuid="host-snap", name="h0", url="http://sim/snap/h0")


def _running_vm(driver: SimulatorHypervisor) -> VMRef:
    number = next(_numbers)
    spec = VMSpec(uuid=f"snap-vm-{number}", instance_name=f"i-2-{number}-VM", cpus=1, cpu_speed_mhz=1000,
                  memory_mb=256)
    driver.start_vm(HOST, spec)
    return VMRef(spec.uuid, spec.instance_name)


@pytest.fixture
def simulator() -> SimulatorHypervisor:
    return SimulatorHypervisor()


class TestHypervisorSnapshotsOnTheSimulator(VMSnapshotStrategyConformance):
    @pytest.fixture
    def vm_snapshot_strategy(self) -> HypervisorSnapshots:
        return HypervisorSnapshots()

    @pytest.fixture
    def snapshot_target(self, simulator: SimulatorHypervisor) -> SnapshotTarget:
        return SnapshotTarget(_running_vm(simulator), HOST, "Simulator", frozenset({"DefaultPrimary"}), simulator)

    @pytest.fixture
    def missing_vm_target(self, simulator: SimulatorHypervisor) -> SnapshotTarget:
        simulator.connect_host(HOST)
        return SnapshotTarget(VMRef("gone", "i-2-999999-VM"), HOST, "Simulator", frozenset(), simulator)


def test_a_hypervisor_without_vm_snapshots_is_not_handled(simulator: SimulatorHypervisor) -> None:
    class NoSnapshots(SimulatorHypervisor):
        capabilities = replace(SimulatorHypervisor.capabilities, vm_snapshots=False)

    target = SnapshotTarget(_running_vm(simulator), HOST, "Simulator", frozenset(), NoSnapshots())
    assert HypervisorSnapshots().can_handle(target) == StrategyPriority.CANT_HANDLE


def test_the_installed_registry_picks_the_default_strategy_for_a_simulator_vm(
        simulator: SimulatorHypervisor) -> None:
    registry = PluginRegistry.load()
    target = SnapshotTarget(_running_vm(simulator), HOST, "Simulator", frozenset(), registry.hypervisor("Simulator"))
    assert registry.vm_snapshot_strategy_for(target).strategy_name == "HypervisorSnapshots"

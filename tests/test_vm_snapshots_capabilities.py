"""createVMSnapshot is refused with 432 where the hypervisor does not declare VM snapshots (or
memory snapshots), before any strategy call or database change."""

from __future__ import annotations

from dataclasses import replace

import pluggy
import pytest

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.errors import InvalidState, UnsupportedOperation
from cirrostack.plugins import PluginRegistry
from cirrostack.services.vm_snapshots import service
from cirrostack.simulator import SimulatorHypervisor


class NoSnapshots(SimulatorHypervisor):
    hypervisor_type = "Hyperv"
    capabilities = replace(SimulatorHypervisor.capabilities, vm_snapshots=False, vm_snapshot_memory=False)


class DiskSnapshotsOnly(SimulatorHypervisor):
    hypervisor_type = "DiskOnly"
    capabilities = replace(SimulatorHypervisor.capabilities, vm_snapshot_memory=False)


def registry() -> PluginRegistry:
    return PluginRegistry(pluggy.PluginManager("cirrostack"), [],
                          {"hypervisor": {"Hyperv": ("hyperv", NoSnapshots), "DiskOnly": ("disk", DiskSnapshotsOnly)}})


def vm(hypervisor: str, state: VMState = VMState.RUNNING) -> VirtualMachine:
    return VirtualMachine(id=3, uuid="vm-3", name="db-1", state=state.value, hypervisor_type=hypervisor)


def test_a_hypervisor_without_vm_snapshots_is_432_with_a_reason() -> None:
    with pytest.raises(UnsupportedOperation) as refused:
        service.allocate(None, None, registry(), vm("Hyperv"))  # type: ignore[arg-type]
    assert refused.value.http_status == 432
    assert "hypervisor Hyperv does not declare vm_snapshots" in str(refused.value)
    assert "db-1" in str(refused.value)


def test_a_memory_snapshot_needs_vm_snapshot_memory() -> None:
    with pytest.raises(UnsupportedOperation) as refused:
        service.allocate(None, None, registry(), vm("DiskOnly"), memory=True)  # type: ignore[arg-type]
    assert "vm_snapshot_memory" in str(refused.value) and "snapshotmemory" in str(refused.value)


@pytest.mark.parametrize("state", [VMState.STARTING, VMState.DESTROYED, VMState.MIGRATING])
def test_only_running_or_stopped_vms_are_snapshotted(state: VMState) -> None:
    with pytest.raises(InvalidState) as refused:
        service.allocate(None, None, registry(), vm("DiskOnly", state))  # type: ignore[arg-type]
    assert state.value in str(refused.value) and "Running or Stopped" in str(refused.value)

"""migrateVirtualMachine is refused with 432 where the hypervisor does not declare live migration,
before any driver call or database change."""

from __future__ import annotations

from dataclasses import replace

import pluggy
import pytest

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.db.models.infrastructure import Host
from cirrostack.errors import InvalidState, UnsupportedOperation
from cirrostack.plugins import PluginRegistry
from cirrostack.services.vms import migration
from cirrostack.simulator import SimulatorHypervisor


class StoppedOnlyMigration(SimulatorHypervisor):
    """The simulator, declaring no live migration (as Hyper-V in CloudStack 4.3)."""

    hypervisor_type = "Hyperv"
    capabilities = replace(SimulatorHypervisor.capabilities, live_migration=False)
    calls: list[str] = []

    def migrate_vm(self, source, vm, target):  # pragma: no cover - must never be reached
        self.calls.append("migrate_vm")
        return super().migrate_vm(source, vm, target)


def registry() -> PluginRegistry:
    return PluginRegistry(pluggy.PluginManager("cirrostack"), [],
                          {"hypervisor": {"Hyperv": ("hyperv", StoppedOnlyMigration)}})


def vm(state: VMState) -> VirtualMachine:
    return VirtualMachine(id=7, uuid="vm-7", name="web-1", state=state.value, hypervisor_type="Hyperv", host_id=1)


def test_live_migration_without_the_capability_is_432_naming_hypervisor_and_capability() -> None:
    with pytest.raises(UnsupportedOperation) as refused:
        migration.migrate(None, None, vm(VMState.RUNNING), Host(id=2, name="hv-2"), registry(), None)  # type: ignore[arg-type]
    assert refused.value.http_status == 432
    assert "hypervisor Hyperv" in str(refused.value) and "live_migration" in str(refused.value)
    assert StoppedOnlyMigration.calls == []


def test_migrating_a_stopped_vm_to_a_host_names_its_state() -> None:
    with pytest.raises(InvalidState) as refused:
        migration.migrate(None, None, vm(VMState.STOPPED), Host(id=2, name="hv-2"), registry(), None)  # type: ignore[arg-type]
    assert "Stopped" in str(refused.value) and "Running" in str(refused.value)


def test_moving_a_stopped_vms_volumes_is_refused_clearly() -> None:
    with pytest.raises(UnsupportedOperation) as refused:
        migration.refuse_stopped_vm_storage_move(vm(VMState.STOPPED))
    assert "storageid" in str(refused.value) and "web-1" in str(refused.value)

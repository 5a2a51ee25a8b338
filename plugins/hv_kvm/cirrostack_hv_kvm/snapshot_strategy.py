"""KvmInternalSnapshots: the VM snapshot strategy for KVM VMs (qcow2 internal snapshots).

CloudStack 4.3's capability matrix leaves KVM out of the core's default strategy, so this plugin
brings its own: it asks the VM's KVM driver (handed over in `SnapshotTarget.hypervisor`) to take,
revert, delete and list libvirt internal snapshots, memory included when asked.
"""

from __future__ import annotations

from typing import ClassVar

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs.hypervisor import HypervisorDriver, PowerState, SnapshotInfo, SnapshotSpec
from cirrostack.hookspecs.vm_snapshot import (
    SnapshotTarget,
    StrategyPriority,
    VMSnapshotCapabilities,
    VMSnapshotStrategy,
)


class KvmInternalSnapshots(VMSnapshotStrategy):
    """Snapshots of KVM VMs kept inside their qcow2 volumes by libvirt."""

    strategy_name: ClassVar[str] = "KvmInternalSnapshots"
    capabilities: ClassVar[VMSnapshotCapabilities] = VMSnapshotCapabilities(
        hypervisor_types=frozenset({"KVM"}), memory_snapshots=True, quiesce=False)

    def can_handle(self, target: SnapshotTarget) -> StrategyPriority:
        """HYPERVISOR for a KVM VM whose driver declares vm_snapshots, else CANT_HANDLE."""
        driver = target.hypervisor
        if target.hypervisor_type != "KVM" or driver is None or not driver.capabilities.vm_snapshots:
            return StrategyPriority.CANT_HANDLE
        return StrategyPriority.HYPERVISOR

    def take_snapshot(self, target: SnapshotTarget, snapshot: SnapshotSpec) -> SnapshotInfo:
        """An internal snapshot of the VM's disks (and memory when asked), through its driver."""
        return self._driver(target).create_vm_snapshot(target.host, target.vm, snapshot)

    def revert_snapshot(self, target: SnapshotTarget, name: str) -> PowerState:
        """Revert through the driver: running after a memory snapshot, else stopped."""
        return self._driver(target).revert_vm_snapshot(target.host, target.vm, name).power_state

    def delete_snapshot(self, target: SnapshotTarget, name: str) -> None:
        """Delete through the driver; a snapshot already gone is fine."""
        self._driver(target).delete_vm_snapshot(target.host, target.vm, name)

    def list_snapshots(self, target: SnapshotTarget) -> list[SnapshotInfo]:
        """The VM's internal snapshots, oldest first."""
        return self._driver(target).list_vm_snapshots(target.host, target.vm)

    def _driver(self, target: SnapshotTarget) -> HypervisorDriver:
        if target.hypervisor is None:
            raise UnsupportedOperation(f"VM snapshot strategy {self.strategy_name} needs the KVM driver of VM "
                                       f"{target.vm.instance_name}, and none was given")
        return target.hypervisor

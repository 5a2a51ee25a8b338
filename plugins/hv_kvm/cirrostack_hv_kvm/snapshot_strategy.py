"""KvmInternalSnapshots: the VM snapshot strategy for KVM VMs (qcow2 internal snapshots).

CloudStack 4.3's capability matrix leaves KVM out of the core's default strategy, so this plugin
brings its own: it asks the VM's KVM driver (handed over in `SnapshotTarget.hypervisor`) to take,
revert, delete and list libvirt internal snapshots, memory included when asked.
"""

from __future__ import annotations

from typing import ClassVar

from cirrostack.hookspecs.vm_snapshot import (
    DriverSnapshots,
    SnapshotTarget,
    StrategyPriority,
    VMSnapshotCapabilities,
)


class KvmInternalSnapshots(DriverSnapshots):
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

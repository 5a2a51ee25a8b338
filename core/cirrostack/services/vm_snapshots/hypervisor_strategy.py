"""The default VM snapshot strategy: the hypervisor's own snapshots.

It works for every VM whose hypervisor declares `vm_snapshots` (memory snapshots need
`vm_snapshot_memory` as well), by calling the hypervisor driver the core hands over in
`SnapshotTarget.hypervisor`. Storage-specific strategies answer a higher priority and win where
they apply.
"""

from __future__ import annotations

from cirrostack.hookspecs.vm_snapshot import (
    DriverSnapshots,
    SnapshotTarget,
    StrategyPriority,
    VMSnapshotCapabilities,
)

#: Hypervisor types whose 4.3 capabilities row enables VM snapshots (Hyper-V and KVM do not).
DEFAULT_HYPERVISOR_TYPES = frozenset({"Simulator", "XenServer", "VMware"})


class HypervisorSnapshots(DriverSnapshots):
    """Snapshots taken, reverted and deleted by the VM's hypervisor.

    `hypervisor_types` are the types that have VM snapshots in CloudStack 4.3; even a listed type is
    handled only when its installed driver declares `vm_snapshots`.
    """

    strategy_name = "HypervisorSnapshots"
    capabilities = VMSnapshotCapabilities(hypervisor_types=DEFAULT_HYPERVISOR_TYPES, memory_snapshots=True,
                                          quiesce=True)

    def can_handle(self, target: SnapshotTarget) -> StrategyPriority:
        if target.hypervisor_type not in self.capabilities.hypervisor_types or target.hypervisor is None:
            return StrategyPriority.CANT_HANDLE
        if not target.hypervisor.capabilities.vm_snapshots:
            return StrategyPriority.CANT_HANDLE
        return StrategyPriority.DEFAULT

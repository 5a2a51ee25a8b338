"""The default VM snapshot strategy: the hypervisor's own snapshots.

It works for every VM whose hypervisor declares `vm_snapshots` (memory snapshots need
`vm_snapshot_memory` as well), by calling the hypervisor driver the core hands over in
`SnapshotTarget.hypervisor`. Storage-specific strategies answer a higher priority and win where
they apply.
"""

from __future__ import annotations

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs.hypervisor import HypervisorDriver, PowerState, SnapshotInfo, SnapshotSpec
from cirrostack.hookspecs.vm_snapshot import (
    SnapshotTarget,
    StrategyPriority,
    VMSnapshotCapabilities,
    VMSnapshotStrategy,
)

#: Hypervisor types whose 4.3 capabilities row enables VM snapshots (Hyper-V and KVM do not).
DEFAULT_HYPERVISOR_TYPES = frozenset({"Simulator", "XenServer", "VMware"})


class HypervisorSnapshots(VMSnapshotStrategy):
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

    def take_snapshot(self, target: SnapshotTarget, snapshot: SnapshotSpec) -> SnapshotInfo:
        return self._driver(target).create_vm_snapshot(target.host, target.vm, snapshot)

    def revert_snapshot(self, target: SnapshotTarget, name: str) -> PowerState:
        return self._driver(target).revert_vm_snapshot(target.host, target.vm, name).power_state

    def delete_snapshot(self, target: SnapshotTarget, name: str) -> None:
        self._driver(target).delete_vm_snapshot(target.host, target.vm, name)

    def list_snapshots(self, target: SnapshotTarget) -> list[SnapshotInfo]:
        return self._driver(target).list_vm_snapshots(target.host, target.vm)

    def _driver(self, target: SnapshotTarget) -> HypervisorDriver:
        if target.hypervisor is None:
            raise UnsupportedOperation(f"VM snapshot strategy {self.strategy_name} needs the hypervisor driver of "
                                       f"VM {target.vm.instance_name}, and none was given")
        return target.hypervisor

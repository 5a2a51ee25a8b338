"""A reference VM snapshot strategy: storage-array snapshots kept per VM in a `Fabric`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cirrostack.errors import InvalidParameter, VMNotFound
from cirrostack.hookspecs.hypervisor import PowerState, SnapshotInfo, SnapshotSpec
from cirrostack.hookspecs.vm_snapshot import (
    SnapshotTarget,
    StrategyPriority,
    VMSnapshotCapabilities,
    VMSnapshotStrategy,
)
from tests.contract_drivers.fabric import Fabric


class InMemoryArraySnapshots(VMSnapshotStrategy):
    """Snapshots on an in-memory array; the fabric's host state lists the VMs it runs."""

    strategy_name = "InMemoryArraySnapshots"
    capabilities = VMSnapshotCapabilities(hypervisor_types=frozenset({"KVM", "Simulator"}),
                                          storage_providers=frozenset({"InMemory"}),
                                          memory_snapshots=True, quiesce=True)

    def __init__(self, settings: Mapping[str, Any] | None = None, fabric: Fabric | None = None) -> None:
        super().__init__(settings)
        self.fabric = fabric if fabric is not None else Fabric()

    def _chain(self, target: SnapshotTarget) -> list[SnapshotInfo]:
        vms = self.fabric.state(target.host.uuid).get("vms", set())
        if target.vm.instance_name not in vms:
            raise VMNotFound(f"host {target.host.name} does not know VM {target.vm.instance_name}")
        return self.fabric.state(target.host.uuid).setdefault("snapshots", {}).setdefault(target.vm.uuid, [])

    def can_handle(self, target: SnapshotTarget) -> StrategyPriority:
        if target.hypervisor_type not in self.capabilities.hypervisor_types:
            return StrategyPriority.CANT_HANDLE
        if not target.storage_providers or not target.storage_providers <= self.capabilities.storage_providers:
            return StrategyPriority.CANT_HANDLE
        return StrategyPriority.PLUGIN

    def take_snapshot(self, target: SnapshotTarget, snapshot: SnapshotSpec) -> SnapshotInfo:
        chain = self._chain(target)
        if any(info.name == snapshot.name for info in chain):
            raise InvalidParameter("name", f"VM {target.vm.instance_name} already has a snapshot {snapshot.name}")
        current = self.fabric.state(target.host.uuid).setdefault("current", {})
        info = SnapshotInfo(snapshot.name, snapshot.with_memory, parent=current.get(target.vm.uuid, ""))
        chain.append(info)
        current[target.vm.uuid] = info.name
        return info

    def revert_snapshot(self, target: SnapshotTarget, name: str) -> PowerState:
        found = next((info for info in self._chain(target) if info.name == name), None)
        if found is None:
            raise InvalidParameter("vmsnapshotid", f"VM {target.vm.instance_name} has no snapshot {name}")
        self.fabric.state(target.host.uuid).setdefault("current", {})[target.vm.uuid] = name
        return PowerState.RUNNING if found.with_memory else PowerState.STOPPED

    def delete_snapshot(self, target: SnapshotTarget, name: str) -> None:
        chain = self._chain(target)
        gone = next((info for info in chain if info.name == name), None)
        if gone is None:
            return
        chain[:] = [replace(info, parent=gone.parent) if info.parent == name else info
                    for info in chain if info.name != name]
        current = self.fabric.state(target.host.uuid).setdefault("current", {})
        if current.get(target.vm.uuid) == name:
            current[target.vm.uuid] = gone.parent

    def list_snapshots(self, target: SnapshotTarget) -> list[SnapshotInfo]:
        return list(self._chain(target))

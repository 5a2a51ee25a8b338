"""VM snapshot strategies: who takes, reverts and deletes the snapshots of createVMSnapshot.

Several strategies may be installed: the hypervisor's own snapshots, or a storage array's for
VMs whose volumes all live on that array. For each request the core asks every strategy
`can_handle(target)` and uses the one answering the highest `StrategyPriority` (as CloudStack
4.3's pluggable VM snapshots do); the API does not change with the strategy.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires
from cirrostack.hookspecs._markers import hookspec
from cirrostack.hookspecs.hypervisor import HostRef, HypervisorDriver, PowerState, SnapshotInfo, SnapshotSpec, VMRef


class StrategyPriority(enum.IntEnum):
    """How well a strategy fits a VM; the highest wins, CANT_HANDLE never does."""

    CANT_HANDLE = 0
    DEFAULT = 1  # works for any VM of a declared hypervisor type
    HYPERVISOR = 2  # uses a feature specific to the VM's hypervisor
    PLUGIN = 3  # uses the storage the VM's volumes are on
    HIGHEST = 4


@dataclass(frozen=True)
class VMSnapshotCapabilities:
    """What a strategy can do. The core refuses a request outside these before calling it."""

    hypervisor_types: frozenset[str] = frozenset()
    """Hypervisor types of the VMs it can snapshot."""

    storage_providers: frozenset[str] = frozenset()
    """Primary storage providers the VM's volumes must all be on; empty: any provider."""

    memory_snapshots: bool = False
    """Snapshots can include the VM's memory (createVMSnapshot `snapshotmemory=true`)."""

    quiesce: bool = False
    """Can quiesce the guest's file systems first (createVMSnapshot `quiescevm=true`)."""


@dataclass(frozen=True)
class SnapshotTarget:
    """The VM a snapshot request is about, where it runs and where its volumes are.

    `hypervisor` is the core's guarded driver for `hypervisor_type`, for strategies that work
    through the hypervisor; storage-based strategies may ignore it.
    """

    vm: VMRef
    host: HostRef
    hypervisor_type: str
    storage_providers: frozenset[str] = frozenset()
    hypervisor: HypervisorDriver | None = field(default=None, compare=False, repr=False)


def _hypervisor_of(arguments: dict[str, Any]) -> str:
    return arguments["target"].hypervisor_type


def _with_memory(arguments: dict[str, Any]) -> bool:
    return arguments["snapshot"].with_memory


def _quiesce(arguments: dict[str, Any]) -> bool:
    return arguments["snapshot"].quiesce


class VMSnapshotStrategy(ABC):
    """A VM snapshot strategy. Methods are listed in the order the core calls them."""

    strategy_name: ClassVar[str]
    """A unique name shown to operators: "HypervisorSnapshots", "SolidFireSnapshots", ..."""

    capabilities: ClassVar[VMSnapshotCapabilities] = VMSnapshotCapabilities()

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        """`settings` holds the current values of the settings the plugin registered."""
        self.settings: Mapping[str, Any] = dict(settings or {})

    @abstractmethod
    def can_handle(self, target: SnapshotTarget) -> StrategyPriority:
        """How well this strategy fits `target`; CANT_HANDLE when its hypervisor type or any of
        its volumes' storage providers is outside `capabilities`. Changes nothing; never raises.
        """

    @abstractmethod
    @requires("quiesce", when=_quiesce)
    @requires("memory_snapshots", when=_with_memory)
    @requires("hypervisor_types", member=_hypervisor_of)
    def take_snapshot(self, target: SnapshotTarget, snapshot: SnapshotSpec) -> SnapshotInfo:
        """Snapshot the VM's disks, and its memory when `snapshot.with_memory`.

        The new snapshot becomes the current one; its parent is the previous current one.
        On failure, no partial snapshot is left. Gated by `hypervisor_types`, and by
        `memory_snapshots` / `quiesce` when the request asks for them.
        Raises InvalidParameter("name", ...) for a name the VM already has, VMNotFound,
        HostUnreachable.
        """

    @abstractmethod
    @requires("hypervisor_types", member=_hypervisor_of)
    def revert_snapshot(self, target: SnapshotTarget, name: str) -> PowerState:
        """Return the VM to snapshot `name`, which becomes the current one.

        Afterwards the VM runs when the snapshot holds memory, else it is stopped; returns that
        power state. Reverting twice gives the same result. Gated by `hypervisor_types`.
        Raises InvalidParameter("vmsnapshotid", ...) for an unknown snapshot, VMNotFound.
        """

    @abstractmethod
    @requires("hypervisor_types", member=_hypervisor_of)
    def delete_snapshot(self, target: SnapshotTarget, name: str) -> None:
        """Remove snapshot `name`, keeping the VM's current state and the other snapshots
        (children are re-parented to its parent). Idempotent: a snapshot already gone succeeds.
        Gated by `hypervisor_types`. Raises VMNotFound, HostUnreachable.
        """

    @abstractmethod
    @requires("hypervisor_types", member=_hypervisor_of)
    def list_snapshots(self, target: SnapshotTarget) -> list[SnapshotInfo]:
        """The VM's snapshots this strategy keeps, oldest first, for reconciliation.
        Changes nothing. Gated by `hypervisor_types`. Raises VMNotFound.
        """


class DriverSnapshots(VMSnapshotStrategy):
    """A strategy whose snapshots are the hypervisor's own: every operation goes to the VM's driver,
    which the core hands over in `SnapshotTarget.hypervisor`. Subclasses say which VMs they take
    (`capabilities`, `can_handle`); the four operations are done here."""

    def take_snapshot(self, target: SnapshotTarget, snapshot: SnapshotSpec) -> SnapshotInfo:
        """Through the driver's create_vm_snapshot."""
        return self._driver(target).create_vm_snapshot(target.host, target.vm, snapshot)

    def revert_snapshot(self, target: SnapshotTarget, name: str) -> PowerState:
        """Through the driver's revert_vm_snapshot; the VM's power state afterwards."""
        return self._driver(target).revert_vm_snapshot(target.host, target.vm, name).power_state

    def delete_snapshot(self, target: SnapshotTarget, name: str) -> None:
        """Through the driver's delete_vm_snapshot."""
        self._driver(target).delete_vm_snapshot(target.host, target.vm, name)

    def list_snapshots(self, target: SnapshotTarget) -> list[SnapshotInfo]:
        """Through the driver's list_vm_snapshots."""
        return self._driver(target).list_vm_snapshots(target.host, target.vm)

    def _driver(self, target: SnapshotTarget) -> HypervisorDriver:
        if target.hypervisor is None:
            raise UnsupportedOperation(f"VM snapshot strategy {self.strategy_name} needs the hypervisor driver of "
                                       f"VM {target.vm.instance_name}, and none was given")
        return target.hypervisor


@hookspec
def register_vm_snapshot_strategies(register: Callable[[type[VMSnapshotStrategy]], None]) -> None:
    """Call `register(cls)` once for each VMSnapshotStrategy subclass the plugin ships.

    Two plugins claiming the same `strategy_name` is a conflict: the later one is left out.
    """

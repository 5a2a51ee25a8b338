"""Conformance suite for VM snapshot strategies (`VMSnapshotStrategy`).

Subclass it in your plugin's tests and provide three fixtures::

    class TestArraySnapshots(VMSnapshotStrategyConformance):
        @pytest.fixture
        def vm_snapshot_strategy(self):    # your strategy instance
            return ArraySnapshots(settings)

        @pytest.fixture
        def snapshot_target(self):         # SnapshotTarget: a running VM, of a declared hypervisor
            return SnapshotTarget(...)     # type, on storage the strategy handles, with no snapshots

        @pytest.fixture
        def missing_vm_target(self):       # the same, for a VM the hypervisor does not know
            return SnapshotTarget(...)
"""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from cirrostack.errors import InvalidParameter, UnsupportedOperation, VMNotFound
from cirrostack.hookspecs.hypervisor import PowerState, SnapshotInfo, SnapshotSpec
from cirrostack.hookspecs.vm_snapshot import SnapshotTarget, StrategyPriority, VMSnapshotStrategy
from cirrostack.testing._contract_calls import call_contract as call
from cirrostack.testing._contract_calls import expect_error, guarded


def _name() -> str:
    return f"conformance-{uuid.uuid4().hex[:8]}"


class VMSnapshotStrategyConformance:
    """The behaviour every VM snapshot strategy must show; see the module docstring for fixtures."""

    @pytest.fixture
    def strategy(self, vm_snapshot_strategy: VMSnapshotStrategy) -> VMSnapshotStrategy:
        return vm_snapshot_strategy

    @pytest.fixture
    def guarded_strategy(self, vm_snapshot_strategy: VMSnapshotStrategy) -> VMSnapshotStrategy:
        return guarded(vm_snapshot_strategy, VMSnapshotStrategy,
                       f"VM snapshot strategy {vm_snapshot_strategy.strategy_name}")

    def names(self, strategy: VMSnapshotStrategy, target: SnapshotTarget) -> list[str]:
        return [info.name for info in call(strategy, "list_snapshots", target)]

    def test_declares_a_name_and_hypervisor_types(self, strategy: VMSnapshotStrategy) -> None:
        assert isinstance(strategy.strategy_name, str) and strategy.strategy_name, "strategy_name must be set"
        assert strategy.capabilities.hypervisor_types, "capabilities.hypervisor_types must not be empty"

    def test_handles_the_target_and_refuses_what_it_does_not_declare(
            self, strategy: VMSnapshotStrategy, snapshot_target: SnapshotTarget) -> None:
        assert call(strategy, "can_handle", snapshot_target) > StrategyPriority.CANT_HANDLE, \
            "can_handle must accept the snapshot_target fixture"
        stranger = replace(snapshot_target, hypervisor_type="NoSuchHypervisor")
        assert call(strategy, "can_handle", stranger) == StrategyPriority.CANT_HANDLE, \
            "can_handle must answer CANT_HANDLE for an undeclared hypervisor type"
        if strategy.capabilities.storage_providers:
            foreign = replace(snapshot_target, storage_providers=snapshot_target.storage_providers | {"NoSuchStore"})
            assert call(strategy, "can_handle", foreign) == StrategyPriority.CANT_HANDLE, \
                "can_handle must answer CANT_HANDLE when a volume is on an undeclared storage provider"

    def test_snapshots_chain_as_they_are_taken(self, strategy: VMSnapshotStrategy,
                                               snapshot_target: SnapshotTarget) -> None:
        first = call(strategy, "take_snapshot", snapshot_target, SnapshotSpec(_name()))
        second = call(strategy, "take_snapshot", snapshot_target, SnapshotSpec(_name()))
        assert isinstance(first, SnapshotInfo) and second.parent == first.name, \
            f"the second snapshot's parent must be {first.name}, not {second.parent!r}"
        assert self.names(strategy, snapshot_target)[-2:] == [first.name, second.name]

    def test_a_taken_name_is_refused_naming_name(self, strategy: VMSnapshotStrategy,
                                                 snapshot_target: SnapshotTarget) -> None:
        name = _name()
        call(strategy, "take_snapshot", snapshot_target, SnapshotSpec(name))
        expect_error(InvalidParameter, f"for the taken name {name}", strategy, "take_snapshot",
                     snapshot_target, SnapshotSpec(name), param="name")
        assert self.names(strategy, snapshot_target).count(name) == 1

    def test_reverting_a_disk_snapshot_leaves_the_vm_stopped(self, strategy: VMSnapshotStrategy,
                                                             snapshot_target: SnapshotTarget) -> None:
        name = _name()
        call(strategy, "take_snapshot", snapshot_target, SnapshotSpec(name))
        assert call(strategy, "revert_snapshot", snapshot_target, name) == PowerState.STOPPED
        assert call(strategy, "revert_snapshot", snapshot_target, name) == PowerState.STOPPED

    def test_memory_snapshots_follow_the_declaration(self, strategy: VMSnapshotStrategy,
                                                     guarded_strategy: VMSnapshotStrategy,
                                                     snapshot_target: SnapshotTarget) -> None:
        spec = SnapshotSpec(_name(), with_memory=True)
        if not strategy.capabilities.memory_snapshots:
            with pytest.raises(UnsupportedOperation, match="memory_snapshots"):
                guarded_strategy.take_snapshot(snapshot_target, spec)
            assert spec.name not in self.names(strategy, snapshot_target)
            return
        info = call(strategy, "take_snapshot", snapshot_target, spec)
        assert info.with_memory, "a snapshot taken with memory must say so"
        assert call(strategy, "revert_snapshot", snapshot_target, spec.name) == PowerState.RUNNING

    def test_quiesce_follows_the_declaration(self, strategy: VMSnapshotStrategy, guarded_strategy: VMSnapshotStrategy,
                                             snapshot_target: SnapshotTarget) -> None:
        spec = SnapshotSpec(_name(), quiesce=True)
        if not strategy.capabilities.quiesce:
            with pytest.raises(UnsupportedOperation, match="quiesce"):
                guarded_strategy.take_snapshot(snapshot_target, spec)
            return
        call(strategy, "take_snapshot", snapshot_target, spec)
        assert spec.name in self.names(strategy, snapshot_target)

    def test_an_undeclared_hypervisor_type_is_refused_before_the_strategy_runs(
            self, guarded_strategy: VMSnapshotStrategy, snapshot_target: SnapshotTarget) -> None:
        stranger = replace(snapshot_target, hypervisor_type="NoSuchHypervisor")
        with pytest.raises(UnsupportedOperation, match="NoSuchHypervisor in hypervisor_types"):
            guarded_strategy.take_snapshot(stranger, SnapshotSpec(_name()))

    def test_reverting_an_unknown_snapshot_names_vmsnapshotid(self, strategy: VMSnapshotStrategy,
                                                              snapshot_target: SnapshotTarget) -> None:
        expect_error(InvalidParameter, "for a snapshot that does not exist", strategy, "revert_snapshot",
                     snapshot_target, "no-such-snapshot", param="vmsnapshotid")

    def test_deleting_reparents_children_and_is_idempotent(self, strategy: VMSnapshotStrategy,
                                                           snapshot_target: SnapshotTarget) -> None:
        first = call(strategy, "take_snapshot", snapshot_target, SnapshotSpec(_name()))
        middle = call(strategy, "take_snapshot", snapshot_target, SnapshotSpec(_name()))
        last = call(strategy, "take_snapshot", snapshot_target, SnapshotSpec(_name()))
        call(strategy, "delete_snapshot", snapshot_target, middle.name)
        call(strategy, "delete_snapshot", snapshot_target, middle.name)
        listed = {info.name: info for info in call(strategy, "list_snapshots", snapshot_target)}
        assert middle.name not in listed, f"{middle.name} is still listed after delete_snapshot"
        assert listed[last.name].parent == first.name, \
            f"after deleting {middle.name}, {last.name} must have parent {first.name}, not {listed[last.name].parent!r}"

    @pytest.mark.parametrize("method", ["take_snapshot", "revert_snapshot", "delete_snapshot", "list_snapshots"])
    def test_a_vm_the_hypervisor_does_not_know_raises_vm_not_found(self, strategy: VMSnapshotStrategy,
                                                                   missing_vm_target: SnapshotTarget,
                                                                   method: str) -> None:
        arguments = {"take_snapshot": (SnapshotSpec(_name()),), "revert_snapshot": ("any",),
                     "delete_snapshot": ("any",), "list_snapshots": ()}[method]
        expect_error(VMNotFound, "for a VM the hypervisor does not know", strategy, method,
                     missing_vm_target, *arguments)

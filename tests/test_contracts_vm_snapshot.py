"""The VM snapshot suite passes the reference strategy and fails broken ones; the registry picks by priority."""

from __future__ import annotations

import textwrap

import pluggy
import pytest

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs.hypervisor import HostRef, VMRef
from cirrostack.hookspecs.vm_snapshot import SnapshotTarget, StrategyPriority, VMSnapshotCapabilities
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.testing.vm_snapshot import VMSnapshotStrategyConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.vm_snapshot import InMemoryArraySnapshots

pytest_plugins = ["pytester"]

HOST = HostRef("host-1", "kvm-01", "qemu://kvm-01/system")


def target(instance: str = "i-2-31-VM", hypervisor: str = "KVM", storage: frozenset[str] = frozenset({"InMemory"})
           ) -> SnapshotTarget:
    return SnapshotTarget(VMRef(f"uuid-{instance}", instance), HOST, hypervisor, storage)


class TestArrayReference(VMSnapshotStrategyConformance):
    @pytest.fixture
    def vm_snapshot_strategy(self) -> InMemoryArraySnapshots:
        fabric = Fabric(reachable=["host-1"])
        fabric.state("host-1")["vms"] = {"i-2-31-VM"}
        return InMemoryArraySnapshots(fabric=fabric)

    @pytest.fixture
    def snapshot_target(self) -> SnapshotTarget:
        return target()

    @pytest.fixture
    def missing_vm_target(self) -> SnapshotTarget:
        return target("i-2-99-VM")


class DiskOnlySnapshots(InMemoryArraySnapshots):
    strategy_name = "DiskOnly"
    capabilities = VMSnapshotCapabilities(hypervisor_types=frozenset({"KVM", "XenServer"}))

    def can_handle(self, target: SnapshotTarget) -> StrategyPriority:
        if target.hypervisor_type in self.capabilities.hypervisor_types:
            return StrategyPriority.DEFAULT
        return StrategyPriority.CANT_HANDLE


def registry_with(*strategies: type) -> PluginRegistry:
    entries = {cls.strategy_name: (f"plugin-{cls.strategy_name}", cls) for cls in strategies}
    return PluginRegistry(pluggy.PluginManager("cirrostack"), [], {"vm-snapshot": entries})


def test_the_registry_picks_the_highest_priority_strategy() -> None:
    registry = registry_with(DiskOnlySnapshots, InMemoryArraySnapshots)
    assert registry.vm_snapshot_strategy_for(target()).strategy_name == "InMemoryArraySnapshots"
    on_nfs = target(storage=frozenset({"NFS"}))
    assert registry.vm_snapshot_strategy_for(on_nfs).strategy_name == "DiskOnly"


def test_the_registry_names_the_vm_when_no_strategy_handles_it() -> None:
    registry = registry_with(DiskOnlySnapshots, InMemoryArraySnapshots)
    with pytest.raises(UnsupportedOperation) as caught:
        registry.vm_snapshot_strategy_for(target(hypervisor="Hyperv", storage=frozenset({"NFS"})))
    message = str(caught.value)
    assert "VM i-2-31-VM" in message and "hypervisor Hyperv" in message and "NFS" in message
    assert "DiskOnly, InMemoryArraySnapshots" in message


BROKEN_SUITE = """
import pytest
from cirrostack.hookspecs.hypervisor import HostRef, VMRef
from cirrostack.hookspecs.vm_snapshot import SnapshotTarget
from cirrostack.testing.vm_snapshot import VMSnapshotStrategyConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.vm_snapshot import InMemoryArraySnapshots

HOST = HostRef("h", "kvm", "qemu://h")

{driver}

class TestBroken(VMSnapshotStrategyConformance):
    @pytest.fixture
    def vm_snapshot_strategy(self):
        fabric = Fabric(reachable=["h"])
        fabric.state("h")["vms"] = {{"i-1-1-VM"}}
        return Broken(fabric=fabric)

    @pytest.fixture
    def snapshot_target(self):
        return SnapshotTarget(VMRef("u1", "i-1-1-VM"), HOST, "KVM", frozenset({{"InMemory"}}))

    @pytest.fixture
    def missing_vm_target(self):
        return SnapshotTarget(VMRef("u9", "i-1-9-VM"), HOST, "KVM", frozenset({{"InMemory"}}))
"""


def run_broken(pytester: pytest.Pytester, driver: str) -> pytest.RunResult:
    pytester.makepyfile(test_broken=BROKEN_SUITE.format(driver=textwrap.dedent(driver)))
    return pytester.runpytest("-q", "-p", "no:cacheprovider")


def test_suite_fails_a_strategy_that_orphans_children_on_delete(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryArraySnapshots):
            def delete_snapshot(self, target, name):
                chain = self._chain(target)
                chain[:] = [info for info in chain if info.name != name]
    """)
    assert result.parseoutcomes().get("failed") == 1
    result.stdout.fnmatch_lines(["*after deleting conformance-*, conformance-* must have parent conformance-*"])


def test_suite_fails_a_strategy_whose_memory_revert_stops_the_vm(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        from cirrostack.hookspecs.hypervisor import PowerState
        class Broken(InMemoryArraySnapshots):
            def revert_snapshot(self, target, name):
                super().revert_snapshot(target, name)
                return PowerState.STOPPED
    """)
    result.stdout.fnmatch_lines(["*test_memory_snapshots_follow_the_declaration*"])
    assert result.parseoutcomes().get("failed") == 1


def test_suite_fails_an_unimplemented_method_naming_it(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryArraySnapshots):
            def list_snapshots(self, target):
                raise NotImplementedError
    """)
    result.stdout.fnmatch_lines(["*Broken.list_snapshots is not implemented (raises NotImplementedError)*"])

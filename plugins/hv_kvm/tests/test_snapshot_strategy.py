"""KvmInternalSnapshots passes the core's VM snapshot strategy conformance suite on a KVM host of
libvirt's test driver, and handles KVM VMs only."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cirrostack_hv_kvm.driver import KvmHypervisor
from cirrostack_hv_kvm.snapshot_strategy import KvmInternalSnapshots

from cirrostack.hookspecs.hypervisor import HostRef, VMRef, VMSpec
from cirrostack.hookspecs.vm_snapshot import SnapshotTarget, StrategyPriority
from cirrostack.testing import VMSnapshotStrategyConformance


@pytest.fixture
def kvm_driver() -> KvmHypervisor:
    return KvmHypervisor({"kvm.stop.timeout": 5})


@pytest.fixture
def running_vm(kvm_driver: KvmHypervisor, kvm_test_host: HostRef,
               kvm_test_spec_factory: Callable[..., VMSpec]) -> Iterator[VMRef]:
    spec = kvm_test_spec_factory()
    kvm_driver.start_vm(kvm_test_host, spec)
    vm = VMRef(spec.uuid, spec.instance_name)
    yield vm
    kvm_driver.destroy_vm(kvm_test_host, vm)


class TestKvmInternalSnapshots(VMSnapshotStrategyConformance):
    @pytest.fixture
    def vm_snapshot_strategy(self) -> KvmInternalSnapshots:
        return KvmInternalSnapshots()

    @pytest.fixture
    def snapshot_target(self, running_vm: VMRef, kvm_test_host: HostRef, kvm_driver: KvmHypervisor) -> SnapshotTarget:
        return SnapshotTarget(running_vm, kvm_test_host, "KVM", hypervisor=kvm_driver)

    @pytest.fixture
    def missing_vm_target(self, kvm_test_host: HostRef, kvm_driver: KvmHypervisor) -> SnapshotTarget:
        return SnapshotTarget(VMRef("gone", "i-2-999999-VM"), kvm_test_host, "KVM", hypervisor=kvm_driver)


def test_only_kvm_vms_with_a_snapshotting_driver_are_handled(running_vm: VMRef, kvm_test_host: HostRef,
                                                            kvm_driver: KvmHypervisor) -> None:
    strategy = KvmInternalSnapshots()
    assert strategy.can_handle(SnapshotTarget(running_vm, kvm_test_host, "KVM", hypervisor=kvm_driver)) is (
        StrategyPriority.HYPERVISOR)
    assert strategy.can_handle(SnapshotTarget(running_vm, kvm_test_host, "XenServer", hypervisor=kvm_driver)) is (
        StrategyPriority.CANT_HANDLE)
    assert strategy.can_handle(SnapshotTarget(running_vm, kvm_test_host, "KVM")) is StrategyPriority.CANT_HANDLE

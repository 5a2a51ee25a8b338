"""KvmHypervisor passes the core's hypervisor conformance kit on libvirt's `test:///` driver.

The test driver cannot hot-plug memory or migrate; the driver refuses both there with
UnsupportedOperation, so this host is checked as one without those capabilities (the real libvirtd
tests cover them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from cirrostack_hv_kvm.driver import KvmHypervisor

from cirrostack.hookspecs import HostRef
from cirrostack.hookspecs.hypervisor import VMSpec
from cirrostack.testing import HypervisorConformance


class KvmOnTestDriver(KvmHypervisor):
    """KvmHypervisor as a host on libvirt's test driver can serve it."""

    capabilities = dataclasses.replace(KvmHypervisor.capabilities, live_migration=False, scale_running_vm=False)


class TestKvmOnLibvirtTestDriver(HypervisorConformance):
    unusable_host_url = "vpx://vcenter.example/dc"

    @pytest.fixture
    def hypervisor_driver(self) -> KvmHypervisor:
        return KvmOnTestDriver({"kvm.stop.timeout": 5})

    @pytest.fixture
    def hypervisor_host(self, kvm_test_host: HostRef) -> HostRef:
        return kvm_test_host

    @pytest.fixture
    def hypervisor_unreachable_host(self) -> HostRef:
        return HostRef("kvm-down", "kvm-down", "qemu+tcp://127.0.0.1:1/system")

    @pytest.fixture
    def vm_spec_factory(self, kvm_test_spec_factory: Callable[..., VMSpec]) -> Callable[..., VMSpec]:
        return kvm_test_spec_factory

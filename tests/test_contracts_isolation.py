"""The isolation conformance suite passes the reference VLAN and VXLAN methods and fails broken ones."""

from __future__ import annotations

import textwrap

import pytest

from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack.hookspecs.isolation import GuestHost, IdRange, PhysicalNetworkSpec
from cirrostack.testing.isolation import IsolationMethodConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.isolation import InMemoryVlanIsolation, InMemoryVxlanIsolation

pytest_plugins = ["pytester"]


class ReferenceHosts:
    @pytest.fixture
    def fabric(self) -> Fabric:
        return Fabric(reachable=["host-1"])

    @pytest.fixture
    def guest_host(self) -> GuestHost:
        return GuestHost(HostRef(uuid="host-1", name="kvm-01", url="qemu+ssh://kvm-01/system"), "KVM")

    @pytest.fixture
    def unreachable_host(self) -> GuestHost:
        return GuestHost(HostRef(uuid="host-9", name="kvm-09", url="qemu+ssh://kvm-09/system"), "KVM")


class TestVlanReference(ReferenceHosts, IsolationMethodConformance):
    @pytest.fixture
    def isolation_method(self, fabric: Fabric) -> InMemoryVlanIsolation:
        return InMemoryVlanIsolation(fabric=fabric)

    @pytest.fixture
    def physical_network(self) -> PhysicalNetworkSpec:
        return PhysicalNetworkSpec(uuid="pn-1", name="guest-vlans", zone_uuid="z-1",
                                   id_ranges=(IdRange(100, 199),), traffic_label="eth1")


class TestVxlanReference(ReferenceHosts, IsolationMethodConformance):
    @pytest.fixture
    def isolation_method(self, fabric: Fabric) -> InMemoryVxlanIsolation:
        return InMemoryVxlanIsolation(fabric=fabric)

    @pytest.fixture
    def physical_network(self) -> PhysicalNetworkSpec:
        return PhysicalNetworkSpec(uuid="pn-2", name="guest-vnis", zone_uuid="z-1",
                                   id_ranges=(IdRange(5000, 5999), IdRange(10000, 10010)), traffic_label="eth2")


BROKEN_SUITE = """
import pytest
from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack.hookspecs.isolation import GuestHost, IdRange, PhysicalNetworkSpec
from cirrostack.testing.isolation import IsolationMethodConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.isolation import InMemoryVlanIsolation

{driver}

class TestBroken(IsolationMethodConformance):
    @pytest.fixture
    def isolation_method(self):
        return Broken(fabric=Fabric(reachable=["h1"]))

    @pytest.fixture
    def physical_network(self):
        return PhysicalNetworkSpec("pn", "guest-vlans", "z", id_ranges=(IdRange(100, 199),))

    @pytest.fixture
    def guest_host(self):
        return GuestHost(HostRef("h1", "kvm-01", "qemu://h1"), "KVM")

    @pytest.fixture
    def unreachable_host(self):
        return GuestHost(HostRef("h9", "kvm-09", "qemu://h9"), "KVM")
"""


def run_broken(pytester: pytest.Pytester, driver: str) -> pytest.RunResult:
    pytester.makepyfile(test_broken=BROKEN_SUITE.format(driver=textwrap.dedent(driver)))
    return pytester.runpytest("-q", "-p", "no:cacheprovider")


def test_suite_fails_a_release_that_leaves_the_network_plumbed(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryVlanIsolation):
            def release_on_host(self, host, physical_network, network):
                pass
    """)
    assert result.parseoutcomes().get("failed") == 1
    result.stdout.fnmatch_lines(["*is still plumbed after release_on_host*"])


def test_suite_fails_an_unimplemented_method_naming_it(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryVlanIsolation):
            def list_host_networks(self, host, physical_network):
                raise NotImplementedError
    """)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*Broken.list_host_networks is not implemented (raises NotImplementedError)*"])


def test_suite_fails_a_method_that_hands_out_a_taken_uri(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryVlanIsolation):
            def allocate_broadcast_uri(self, physical_network, network, taken):
                return "vlan://100"
    """)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*allocate_broadcast_uri handed out vlan://100, which was taken*"])


def test_suite_fails_a_method_reporting_the_wrong_error_for_a_dead_host(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        from cirrostack.errors import ResourceAllocationFailed
        class Broken(InMemoryVlanIsolation):
            def _networks(self, host):
                if host.host.uuid == "h9":
                    raise ResourceAllocationFailed("no answer")
                return super()._networks(host)
    """)
    result.stdout.fnmatch_lines(["*Broken.implement_on_host must raise HostUnreachable for a host that does "
                                 "not answer, but raised ResourceAllocationFailed*"])

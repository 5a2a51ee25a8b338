"""Conformance suite for guest network isolation methods (`GuestIsolationMethod`).

Subclass it in your plugin's tests and provide four fixtures::

    class TestVxlan(IsolationMethodConformance):
        @pytest.fixture
        def isolation_method(self):             # your driver instance
            return VxlanIsolation(settings)

        @pytest.fixture
        def physical_network(self):            # PhysicalNetworkSpec: id ranges holding at least
            return PhysicalNetworkSpec(...)    # two ids, a traffic_label present on guest_host

        @pytest.fixture
        def guest_host(self):                  # GuestHost of a declared hypervisor type
            return GuestHost(host_ref, "KVM")  # that the method can plumb

        @pytest.fixture
        def unreachable_host(self):            # GuestHost of a declared type that does not answer
            return GuestHost(dead_host_ref, "KVM")

The suite calls the driver itself, and wraps it in the core's guard only to show that undeclared
zone and hypervisor types are refused before it runs. It releases what it plumbed when each test ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from cirrostack.errors import HostUnreachable, InsufficientCapacity, InvalidParameter, UnsupportedOperation
from cirrostack.hookspecs.isolation import (
    GuestHost,
    GuestIsolationMethod,
    GuestNetworkSpec,
    HostNetwork,
    IdRange,
    IsolationCapabilities,
    PhysicalNetworkSpec,
)
from cirrostack.testing._contract_calls import call_contract as call
from cirrostack.testing._contract_calls import expect_error, guarded


class IsolationMethodConformance:
    """The behaviour every isolation method must show; see the module docstring for fixtures."""

    @pytest.fixture
    def method(self, isolation_method: GuestIsolationMethod) -> GuestIsolationMethod:
        return isolation_method

    @pytest.fixture
    def guarded_method(self, isolation_method: GuestIsolationMethod) -> GuestIsolationMethod:
        return guarded(isolation_method, GuestIsolationMethod, f"isolation method {isolation_method.isolation_method}")

    @pytest.fixture
    def plumbed(self, method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec
                ) -> Iterator[list[tuple[GuestHost, GuestNetworkSpec]]]:
        """Networks a test plumbed; released again when the test ends."""
        done: list[tuple[GuestHost, GuestNetworkSpec]] = []
        yield done
        for host, network in done:
            method.release_on_host(host, physical_network, network)

    @staticmethod
    def new_network(method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec,
                    taken: frozenset[str] = frozenset()) -> GuestNetworkSpec:
        network = GuestNetworkSpec(uuid=str(uuid.uuid4()), name=f"conformance-{uuid.uuid4().hex[:8]}")
        uri = call(method, "allocate_broadcast_uri", physical_network, network, taken)
        return replace(network, broadcast_uri=uri)

    def implement(self, method: GuestIsolationMethod, host: GuestHost, physical_network: PhysicalNetworkSpec,
                  network: GuestNetworkSpec, plumbed: list[tuple[GuestHost, GuestNetworkSpec]]) -> HostNetwork:
        plumbed.append((host, network))
        return call(method, "implement_on_host", host, physical_network, network)

    # -- declarations ------------------------------------------------------------------------------

    def test_declares_a_name_and_its_capabilities(self, isolation_method: GuestIsolationMethod) -> None:
        name = getattr(isolation_method, "isolation_method", None)
        assert isinstance(name, str) and name, "isolation_method must be a non-empty name such as 'VXLAN'"
        capabilities = isolation_method.capabilities
        assert isinstance(capabilities, IsolationCapabilities)
        assert capabilities.broadcast_scheme, "capabilities.broadcast_scheme must name the URI scheme"
        assert capabilities.hypervisor_types, "capabilities.hypervisor_types must name the hypervisors it plumbs"
        if capabilities.id_range is not None:
            assert 0 <= capabilities.id_range.first <= capabilities.id_range.last

    # -- physical networks -----------------------------------------------------------------------------

    def test_accepts_the_physical_network_it_is_given(self, method: GuestIsolationMethod,
                                                      physical_network: PhysicalNetworkSpec) -> None:
        call(method, "validate_physical_network", physical_network)

    def test_ranges_outside_the_declared_ids_are_refused_naming_vlan(
            self, method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec) -> None:
        bounds = method.capabilities.id_range
        if bounds is None:
            bad = replace(physical_network, id_ranges=(IdRange(1, 2),))
            error = expect_error(InvalidParameter, "for id ranges given to a method without ids",
                                 method, "validate_physical_network", bad, param="vlan")
        else:
            outside = IdRange(bounds.last, bounds.last + 1)
            bad = replace(physical_network, id_ranges=(outside,))
            error = expect_error(InvalidParameter, f"for the range {outside}, beyond {bounds}",
                                 method, "validate_physical_network", bad, param="vlan")
            assert str(outside) in str(error), f"the error must name the range {outside}: {error}"

    def test_overlapping_ranges_are_refused(self, method: GuestIsolationMethod,
                                            physical_network: PhysicalNetworkSpec) -> None:
        bounds = method.capabilities.id_range or IdRange(1, 2)  # without ids, any range at all is refused
        ranges = (IdRange(bounds.first, bounds.first + 1), IdRange(bounds.first + 1, bounds.first + 1))
        expect_error(InvalidParameter, f"for overlapping ranges {ranges}", method, "validate_physical_network",
                     replace(physical_network, id_ranges=ranges), param="vlan")

    def test_an_undeclared_zone_type_is_refused_before_the_method_runs(
            self, guarded_method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec) -> None:
        zone_type = "Basic" if "Basic" not in guarded_method.capabilities.zone_types else "NoSuchZoneType"
        with pytest.raises(UnsupportedOperation, match=f"{zone_type} in zone_types"):
            guarded_method.validate_physical_network(replace(physical_network, zone_type=zone_type))

    # -- broadcast URIs ----------------------------------------------------------------------------------

    def test_allocation_skips_taken_uris_and_stays_in_the_ranges(
            self, method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec) -> None:
        network = GuestNetworkSpec(uuid=str(uuid.uuid4()), name="conformance")
        first = call(method, "allocate_broadcast_uri", physical_network, network, frozenset())
        assert call(method, "allocate_broadcast_uri", physical_network, network, frozenset()) == first, \
            "allocate_broadcast_uri must give the same URI for the same arguments"
        second = call(method, "allocate_broadcast_uri", physical_network, network, frozenset({first}))
        assert second != first, f"allocate_broadcast_uri handed out {first}, which was taken"
        scheme = method.capabilities.broadcast_scheme
        for uri in (first, second):
            assert uri.startswith(f"{scheme}://"), f"{uri} does not use the declared scheme {scheme}"
        if method.capabilities.id_range is not None:
            for uri in (first, second):
                number = int(uri.partition("://")[2])
                assert any(number in id_range for id_range in physical_network.id_ranges), \
                    f"{uri} lies outside the physical network's ranges {physical_network.id_ranges}"

    def test_allocation_with_every_id_taken_raises_insufficient_capacity(
            self, method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec) -> None:
        if method.capabilities.id_range is None:
            # No ids to run out of: distinct networks keep getting distinct URIs.
            taken: set[str] = set()
            for number in range(50):
                network = GuestNetworkSpec(uuid=str(uuid.uuid4()), name=f"conformance-{number}")
                uri = call(method, "allocate_broadcast_uri", physical_network, network, frozenset(taken))
                assert uri not in taken, f"allocate_broadcast_uri handed out {uri}, which was taken"
                taken.add(uri)
            return
        first = min(physical_network.id_ranges)
        single = replace(physical_network, id_ranges=(IdRange(first.first, first.first),))
        network = GuestNetworkSpec(uuid=str(uuid.uuid4()), name="conformance")
        only = call(method, "allocate_broadcast_uri", single, network, frozenset())
        error = expect_error(InsufficientCapacity, "when every id of the physical network is taken",
                             method, "allocate_broadcast_uri", single, network, frozenset({only}))
        assert physical_network.name in str(error), f"the error must name the physical network: {error}"

    def test_administrator_ids_are_checked_against_the_declared_range(
            self, method: GuestIsolationMethod, guarded_method: GuestIsolationMethod) -> None:
        bounds = method.capabilities.id_range
        if bounds is None:
            with pytest.raises(UnsupportedOperation, match="id_range"):
                guarded_method.canonical_broadcast_uri("100")
            return
        scheme = method.capabilities.broadcast_scheme
        inside = str(bounds.first + 1)
        uri = call(method, "canonical_broadcast_uri", inside)
        assert uri == f"{scheme}://{inside}"
        assert call(method, "canonical_broadcast_uri", uri) == uri, "a canonical URI must stay as it is"
        error = expect_error(InvalidParameter, f"for an id beyond {bounds}",
                             method, "canonical_broadcast_uri", str(bounds.last + 1), param="vlan")
        assert str(bounds.last + 1) in str(error), f"the error must name the refused id: {error}"

    # -- hosts ---------------------------------------------------------------------------------------------

    def test_implement_plumbs_the_network_on_the_host(self, method: GuestIsolationMethod,
                                                      physical_network: PhysicalNetworkSpec,
                                                      guest_host: GuestHost, plumbed: list) -> None:
        network = self.new_network(method, physical_network)
        host_network = self.implement(method, guest_host, physical_network, network, plumbed)
        assert isinstance(host_network, HostNetwork) and host_network.bridge, "implement_on_host must name a bridge"
        assert host_network.broadcast_uri == network.broadcast_uri
        listed = call(method, "list_host_networks", guest_host, physical_network)
        assert listed.get(network.broadcast_uri) == host_network, \
            f"list_host_networks does not report {network.broadcast_uri} after implement_on_host: {listed}"

    def test_implement_twice_changes_nothing(self, method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec,
                                             guest_host: GuestHost, plumbed: list) -> None:
        network = self.new_network(method, physical_network)
        once = self.implement(method, guest_host, physical_network, network, plumbed)
        before = call(method, "list_host_networks", guest_host, physical_network)
        assert call(method, "implement_on_host", guest_host, physical_network, network) == once
        assert call(method, "list_host_networks", guest_host, physical_network) == before

    def test_two_networks_get_their_own_bridges(self, method: GuestIsolationMethod,
                                                physical_network: PhysicalNetworkSpec,
                                                guest_host: GuestHost, plumbed: list) -> None:
        first = self.new_network(method, physical_network)
        second = self.new_network(method, physical_network, frozenset({first.broadcast_uri}))
        one = self.implement(method, guest_host, physical_network, first, plumbed)
        two = self.implement(method, guest_host, physical_network, second, plumbed)
        assert one.bridge != two.bridge, f"{first.broadcast_uri} and {second.broadcast_uri} share bridge {one.bridge}"

    def test_release_removes_only_that_network_and_is_idempotent(
            self, method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec, guest_host: GuestHost,
            plumbed: list) -> None:
        kept = self.new_network(method, physical_network)
        gone = self.new_network(method, physical_network, frozenset({kept.broadcast_uri}))
        self.implement(method, guest_host, physical_network, kept, plumbed)
        self.implement(method, guest_host, physical_network, gone, plumbed)
        call(method, "release_on_host", guest_host, physical_network, gone)
        listed = call(method, "list_host_networks", guest_host, physical_network)
        assert gone.broadcast_uri not in listed, f"{gone.broadcast_uri} is still plumbed after release_on_host"
        assert kept.broadcast_uri in listed, f"releasing {gone.broadcast_uri} also removed {kept.broadcast_uri}"
        call(method, "release_on_host", guest_host, physical_network, gone)

    def test_a_broadcast_uri_of_another_method_is_refused_naming_broadcast_uri(
            self, method: GuestIsolationMethod, physical_network: PhysicalNetworkSpec, guest_host: GuestHost) -> None:
        network = replace(self.new_network(method, physical_network), broadcast_uri="foreign://7")
        expect_error(InvalidParameter, "for the URI foreign://7", method, "implement_on_host",
                     guest_host, physical_network, network, param="broadcast_uri")
        assert "foreign://7" not in call(method, "list_host_networks", guest_host, physical_network)

    def test_an_undeclared_hypervisor_type_is_refused_before_the_method_runs(
            self, method: GuestIsolationMethod, guarded_method: GuestIsolationMethod,
            physical_network: PhysicalNetworkSpec, guest_host: GuestHost) -> None:
        network = self.new_network(method, physical_network)
        stranger = replace(guest_host, hypervisor_type="NoSuchHypervisor")
        with pytest.raises(UnsupportedOperation, match="NoSuchHypervisor in hypervisor_types"):
            guarded_method.implement_on_host(stranger, physical_network, network)
        assert network.broadcast_uri not in call(method, "list_host_networks", guest_host, physical_network)

    def test_an_unreachable_host_raises_host_unreachable(self, method: GuestIsolationMethod,
                                                        physical_network: PhysicalNetworkSpec,
                                                        unreachable_host: GuestHost) -> None:
        network = self.new_network(method, physical_network)
        expect_error(HostUnreachable, "for a host that does not answer", method, "implement_on_host",
                     unreachable_host, physical_network, network)
        expect_error(HostUnreachable, "for a host that does not answer", method, "list_host_networks",
                     unreachable_host, physical_network)

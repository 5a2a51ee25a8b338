"""The network service suite passes the reference router and appliance and fails broken ones."""

from __future__ import annotations

import textwrap

import pytest

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_rules import DeviceRef, ServiceNetwork
from cirrostack.hookspecs.network_service import validate_device_details
from cirrostack.testing.network_service import NetworkProviderConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.network_service import InMemoryFirewallAppliance, InMemoryVirtualRouter

pytest_plugins = ["pytester"]


def guest_network(uuid: str, device: DeviceRef | None = None) -> ServiceNetwork:
    return ServiceNetwork(uuid, f"net-{uuid}", "10.1.1.0/24", "10.1.1.1", "vlan://120",
                          source_nat_ip="203.0.113.10", device=device)


class TestVirtualRouterReference(NetworkProviderConformance):
    @pytest.fixture
    def fabric(self) -> Fabric:
        fabric = Fabric()
        fabric.take_down("router:net-dead")
        return fabric

    @pytest.fixture
    def network_provider(self, fabric: Fabric) -> InMemoryVirtualRouter:
        return InMemoryVirtualRouter(fabric=fabric)

    @pytest.fixture
    def service_network(self) -> ServiceNetwork:
        return guest_network("net-1")

    @pytest.fixture
    def unreachable_network(self) -> ServiceNetwork:
        return guest_network("net-dead")


DEVICE_DETAILS = {"username": "admin", "password": "pa55"}


class TestFirewallApplianceReference(NetworkProviderConformance):
    @pytest.fixture
    def network_provider(self) -> InMemoryFirewallAppliance:
        fabric = Fabric(reachable=["https://fw-1"])
        fabric.state("https://fw-1")["password"] = "pa55"
        return InMemoryFirewallAppliance(fabric=fabric)

    @pytest.fixture
    def service_network(self) -> ServiceNetwork:
        return guest_network("net-1", DeviceRef("dev-1", "fw-1", "https://fw-1", DEVICE_DETAILS))

    @pytest.fixture
    def unreachable_network(self) -> ServiceNetwork:
        return guest_network("net-2", DeviceRef("dev-2", "fw-2", "https://fw-2", DEVICE_DETAILS))


def test_device_details_are_validated_against_the_provider_declaration() -> None:
    assert validate_device_details(InMemoryFirewallAppliance, {"username": "admin", "password": "x"}) == \
        {"username": "admin", "password": "x", "timeout": 300}
    with pytest.raises(InvalidParameter, match="password \\(Password\\) is required by network service provider "
                                        "InMemoryFirewall"):
        validate_device_details(InMemoryFirewallAppliance, {"username": "admin"})


BROKEN_SUITE = """
import pytest
from cirrostack.hookspecs.network_rules import ServiceNetwork
from cirrostack.testing.network_service import NetworkProviderConformance
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.network_service import InMemoryVirtualRouter

{driver}

class TestBroken(NetworkProviderConformance):
    @pytest.fixture
    def network_provider(self):
        fabric = Fabric()
        fabric.take_down("router:dead")
        return Broken(fabric=fabric)

    @pytest.fixture
    def service_network(self):
        return ServiceNetwork("n1", "net", "10.1.1.0/24", "10.1.1.1", "vlan://120")

    @pytest.fixture
    def unreachable_network(self):
        return ServiceNetwork("dead", "net", "10.1.1.0/24", "10.1.1.1", "vlan://121")
"""


def run_broken(pytester: pytest.Pytester, driver: str) -> pytest.RunResult:
    pytester.makepyfile(test_broken=BROKEN_SUITE.format(driver=textwrap.dedent(driver)))
    return pytester.runpytest("-q", "-p", "no:cacheprovider")


def test_suite_fails_a_provider_that_adds_rules_instead_of_replacing_them(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryVirtualRouter):
            def apply_firewall_rules(self, network, rules):
                config = self._config(network)
                config["firewall_rules"] = config.get("firewall_rules", frozenset()) | frozenset(rules)
    """)
    result.stdout.fnmatch_lines(["*FAILED*test_each_rule_set_is_the_whole_desired_state[[]Firewall[]]*"])
    result.stdout.fnmatch_lines(["*apply_firewall_rules: after applying * the provider enforces *"])


def test_suite_fails_a_provider_whose_shutdown_leaves_rules(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryVirtualRouter):
            def shutdown_network(self, network):
                pass
    """)
    result.stdout.fnmatch_lines(["*after shutdown_network the provider still enforces*"])


def test_suite_fails_an_unimplemented_service_naming_it(pytester: pytest.Pytester) -> None:
    result = run_broken(pytester, """
        class Broken(InMemoryVirtualRouter):
            def apply_dhcp_entries(self, network, entries):
                raise NotImplementedError
    """)
    result.stdout.fnmatch_lines(["*Broken.apply_dhcp_entries is not implemented (raises NotImplementedError)*"])

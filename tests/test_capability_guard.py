"""The core's guard refuses undeclared capabilities before a driver runs and wraps stray exceptions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pluggy
import pytest

from cirrostack.errors import PluginError, UnsupportedOperation
from cirrostack.hookspecs.network_rules import FirewallRule, LoadBalancerRule, ServiceNetwork
from cirrostack.hookspecs.network_service import NetworkServiceProvider
from cirrostack.hookspecs.storage import StorageProvider, StorageRole, StoreRef
from cirrostack.plugins._guard import GuardedDriver
from cirrostack.plugins.registry import PluginRegistry
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.network_service import InMemoryVirtualRouter
from tests.contract_drivers.storage import InMemoryStore

NETWORK = ServiceNetwork("n-1", "net-1", "10.1.1.0/24", "10.1.1.1", "vlan://120")


class RecordingRouter(InMemoryVirtualRouter):
    """A router that records which contract methods actually ran."""

    provider_name = "RecordingRouter"
    calls: list[str]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.calls = []

    def apply_lb_rules(self, network: ServiceNetwork, rules: Sequence[LoadBalancerRule]) -> None:
        self.calls.append("apply_lb_rules")
        super().apply_lb_rules(network, rules)

    def apply_firewall_rules(self, network: ServiceNetwork, rules: Sequence[FirewallRule]) -> None:
        self.calls.append("apply_firewall_rules")
        raise ValueError("vendor SDK exploded")


def guarded_router(**capabilities: object) -> tuple[GuardedDriver, RecordingRouter]:
    router = RecordingRouter(fabric=Fabric())
    if capabilities:
        router.capabilities = replace(router.capabilities, **capabilities)  # type: ignore[misc]
    return GuardedDriver(router, NetworkServiceProvider, "acme-net", "network service provider RecordingRouter"), router


def test_an_undeclared_service_is_refused_with_432_before_the_driver_runs() -> None:
    guarded, router = guarded_router(services=frozenset())
    with pytest.raises(UnsupportedOperation) as caught:
        guarded.apply_lb_rules(NETWORK, [])
    assert caught.value.http_status == 432 and caught.value.cs_error_code == 4390
    assert str(caught.value) == "network service provider RecordingRouter does not declare Lb in services"
    assert router.calls == [], "the driver ran although the guard refused the call"


def test_a_conditional_capability_is_refused_only_for_the_calls_that_need_it() -> None:
    guarded, router = guarded_router()
    router.implement_network(NETWORK)
    plain = LoadBalancerRule("lb-1", "web", "203.0.113.5", 80, 80)
    guarded.apply_lb_rules(NETWORK, [plain])
    with pytest.raises(UnsupportedOperation, match="does not declare lb.ssl_termination"):
        guarded.apply_lb_rules(NETWORK, [LoadBalancerRule("lb-2", "tls", "203.0.113.5", 443, 80, protocol="ssl")])
    assert router.calls == ["apply_lb_rules"]


def test_a_stray_vendor_exception_becomes_a_plugin_error_naming_the_plugin() -> None:
    guarded, router = guarded_router()
    with pytest.raises(PluginError) as caught:
        guarded.apply_firewall_rules(NETWORK, [])
    assert caught.value.plugin == "acme-net"
    assert str(caught.value) == "plugin acme-net failed in apply_firewall_rules: ValueError: vendor SDK exploded"
    assert isinstance(caught.value.__cause__, ValueError)
    assert router.calls == ["apply_firewall_rules"]


def test_a_role_member_requirement_reads_the_call_arguments() -> None:
    provider = InMemoryStore(fabric=Fabric())
    guarded = GuardedDriver(provider, StorageProvider, "acme-store", "storage provider InMemory")
    cache = StoreRef("s-1", "staging", "mem://s", StorageRole.IMAGE_CACHE)
    with pytest.raises(UnsupportedOperation, match="storage provider InMemory does not declare ImageCache in roles"):
        guarded.initialise_store(cache)


def test_the_registry_hands_out_guarded_drivers_named_for_refusals() -> None:
    registrations = {"network-service": {"VirtualRouter": ("acme-net", InMemoryVirtualRouter)},
                     "storage": {"InMemory": ("acme-store", InMemoryStore)}}
    registry = PluginRegistry(pluggy.PluginManager("cirrostack"), [], registrations)
    router = registry.network_provider("virtualrouter")
    assert isinstance(router, GuardedDriver) and router.plugin_name == "acme-net"
    l3vpn = ServiceNetwork("n-2", "net-2", "10.2.0.0/24", "10.2.0.1", "l3vpn://n-2", isolation_method="L3VPN")
    with pytest.raises(UnsupportedOperation, match="^network service provider VirtualRouter does not declare "
                                                   "L3VPN in isolation_methods$"):
        router.implement_network(l3vpn)
    assert registry.storage_providers(StorageRole.IMAGE_CACHE) == []
    assert registry.storage_providers(StorageRole.PRIMARY) == ["InMemory"]

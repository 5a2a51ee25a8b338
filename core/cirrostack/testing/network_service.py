"""Conformance suite for network service providers (`NetworkServiceProvider`).

Subclass it in your plugin's tests and provide three fixtures::

    class TestPaloAlto(NetworkProviderConformance):
        @pytest.fixture
        def network_provider(self):        # your provider instance
            return PaloAltoFirewall(settings)

        @pytest.fixture
        def service_network(self):         # ServiceNetwork of a declared isolation method, not yet
            return ServiceNetwork(...)     # implemented; with its `device` for external providers

        @pytest.fixture
        def unreachable_network(self):     # the same, whose router or device does not answer
            return ServiceNetwork(...)

For each service the provider declares, the suite applies two rule sets and an empty one and
reads them back with `applied_config`; for each it does not declare, it checks that the core's
guard refuses the call. The suite shuts the network down when each test ends.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from cirrostack.errors import HostUnreachable, UnsupportedOperation
from cirrostack.hookspecs.network_rules import (
    AppliedConfig,
    DeviceRef,
    DhcpEntry,
    FirewallRule,
    LoadBalancerMember,
    LoadBalancerRule,
    PortForwardingRule,
    RemoteAccessVpn,
    ServiceNetwork,
    SiteToSiteConnection,
    SslCertificate,
    StaticNatRule,
    VpnConnectionState,
    VpnUser,
)
from cirrostack.hookspecs.network_service import NetworkProviderCapabilities, NetworkService, NetworkServiceProvider
from cirrostack.testing._contract_calls import call_contract as call
from cirrostack.testing._contract_calls import expect_error, guarded


@dataclass(frozen=True)
class ServiceCase:
    """How the suite exercises one service: its apply method, two desired states, and how to read
    the applied state back from AppliedConfig (`empty` is what "nothing applied" reads as)."""

    method: str
    states: Callable[[ServiceNetwork], tuple[Any, Any]]
    read: Callable[[AppliedConfig], Any]
    expected: Callable[[Any], Any]
    empty: Any = ()


def _addresses(network: ServiceNetwork) -> list[str]:
    hosts = ipaddress.ip_network(network.cidr, strict=False).hosts()
    return [str(next(hosts)) for _ in range(12)][2:]


def _public(network: ServiceNetwork, index: int) -> str:
    return f"203.0.113.{10 + index}" if index else (network.source_nat_ip or "203.0.113.10")


def _firewall(network: ServiceNetwork) -> tuple[Any, Any]:
    ssh = FirewallRule("fw-ssh", "tcp", ("198.51.100.0/24",), 22, 22, public_ip=_public(network, 0))
    dns = FirewallRule("fw-dns", "udp", ("0.0.0.0/0",), 53, 53, public_ip=_public(network, 0))
    return [ssh, dns], [dns]


def _port_forwarding(network: ServiceNetwork) -> tuple[Any, Any]:
    vm = _addresses(network)
    web = PortForwardingRule("pf-web", "tcp", _public(network, 1), 8080, 8080, vm[0], 80, 80)
    ssh = PortForwardingRule("pf-ssh", "tcp", _public(network, 1), 2222, 2222, vm[1], 22, 22)
    return [web, ssh], [ssh]


def _static_nat(network: ServiceNetwork) -> tuple[Any, Any]:
    vm = _addresses(network)
    one, two = StaticNatRule(_public(network, 2), vm[2]), StaticNatRule(_public(network, 3), vm[3])
    return [one, two], [two]


def _lb(network: ServiceNetwork) -> tuple[Any, Any]:
    vm = _addresses(network)
    members = (LoadBalancerMember(vm[4], 80), LoadBalancerMember(vm[5], 80))
    web = LoadBalancerRule("lb-web", "web", _public(network, 4), 80, 80, members=members)
    api = LoadBalancerRule("lb-api", "api", _public(network, 4), 8443, 8443, members=members[:1])
    return [web, api], [api]


def _vpn(network: ServiceNetwork) -> tuple[Any, Any]:
    vpn = RemoteAccessVpn(_public(network, 0), "10.1.2.1", "10.1.2.2-10.1.2.8", "psk-conformance",
                          users=(VpnUser("alice", "pw-a"), VpnUser("bob", "pw-b")))
    return vpn, replace(vpn, users=vpn.users[:1])


def _s2s(network: ServiceNetwork) -> tuple[Any, Any]:
    active = SiteToSiteConnection("s2s-a", _public(network, 0), "198.51.100.1", ("192.168.10.0/24",), "psk-a")
    passive = SiteToSiteConnection("s2s-p", _public(network, 0), "198.51.100.2", ("192.168.20.0/24",), "psk-p",
                                   passive=True)
    return [active, passive], [passive]


def _dhcp(network: ServiceNetwork) -> tuple[Any, Any]:
    vm = _addresses(network)
    one = DhcpEntry("02:00:00:00:00:01", vm[6], "vm-one")
    two = DhcpEntry("02:00:00:00:00:02", vm[7], "vm-two")
    return [one, two], [two]


CASES: dict[NetworkService, ServiceCase] = {
    NetworkService.FIREWALL: ServiceCase("apply_firewall_rules", _firewall, lambda c: c.firewall_rules, frozenset),
    NetworkService.PORT_FORWARDING: ServiceCase("apply_port_forwarding_rules", _port_forwarding,
                                                lambda c: c.port_forwarding_rules, frozenset),
    NetworkService.STATIC_NAT: ServiceCase("apply_static_nat_rules", _static_nat, lambda c: c.static_nat_rules,
                                           frozenset),
    NetworkService.LB: ServiceCase("apply_lb_rules", _lb, lambda c: c.lb_rules,
                                   lambda rules: frozenset(rule.uuid for rule in rules)),
    NetworkService.VPN: ServiceCase("apply_remote_access_vpn", _vpn, lambda c: (c.remote_access_vpn_ip, c.vpn_users),
                                    lambda vpn: (vpn.public_ip, frozenset(u.username for u in vpn.users))
                                    if vpn else ("", frozenset()), empty=None),
    NetworkService.S2S_VPN: ServiceCase("apply_site_to_site_vpn", _s2s, lambda c: c.s2s_connections,
                                        lambda conns: frozenset(conn.uuid for conn in conns)),
    NetworkService.DHCP: ServiceCase("apply_dhcp_entries", _dhcp, lambda c: c.dhcp_entries, frozenset),
}


class NetworkProviderConformance:
    """The behaviour every network service provider must show; see the module docstring."""

    @pytest.fixture
    def provider(self, network_provider: NetworkServiceProvider) -> NetworkServiceProvider:
        return network_provider

    @pytest.fixture
    def guarded_provider(self, network_provider: NetworkServiceProvider) -> NetworkServiceProvider:
        return guarded(network_provider, NetworkServiceProvider,
                       f"network service provider {network_provider.provider_name}")

    @pytest.fixture
    def network(self, provider: NetworkServiceProvider, service_network: ServiceNetwork) -> Iterator[ServiceNetwork]:
        """`service_network`, implemented; shut down when the test ends."""
        call(provider, "implement_network", service_network)
        yield service_network
        provider.shutdown_network(service_network)

    def test_declares_a_name_services_and_isolation_methods(self, provider: NetworkServiceProvider) -> None:
        assert isinstance(provider.provider_name, str) and provider.provider_name, "provider_name must be set"
        assert isinstance(provider.capabilities, NetworkProviderCapabilities)
        assert provider.capabilities.services, "capabilities.services must name the services it offers"
        assert provider.capabilities.isolation_methods, "capabilities.isolation_methods must not be empty"
        if provider.capabilities.external_device:
            assert provider.detail_fields, "an external_device provider must declare the detail fields of its device"

    def test_a_network_never_implemented_reads_back_as_not_implemented(
            self, provider: NetworkServiceProvider, service_network: ServiceNetwork) -> None:
        config = call(provider, "applied_config", service_network)
        assert config == AppliedConfig(implemented=False), f"a network never implemented reads back as {config}"

    def test_shutting_down_a_network_never_implemented_succeeds(
            self, provider: NetworkServiceProvider, service_network: ServiceNetwork) -> None:
        call(provider, "shutdown_network", service_network)

    def test_implement_is_idempotent_and_reads_back(self, provider: NetworkServiceProvider,
                                                    network: ServiceNetwork) -> None:
        call(provider, "implement_network", network)
        config = call(provider, "applied_config", network)
        assert config.implemented, "applied_config must report an implemented network as implemented"

    @pytest.mark.parametrize("service", list(CASES), ids=lambda service: service.value)
    def test_each_rule_set_is_the_whole_desired_state(self, provider: NetworkServiceProvider,
                                                      guarded_provider: NetworkServiceProvider,
                                                      network: ServiceNetwork, service: NetworkService) -> None:
        case = CASES[service]
        full, smaller = case.states(network)
        if service not in provider.capabilities.services:
            with pytest.raises(UnsupportedOperation, match=f"{service.value} in services"):
                getattr(guarded_provider, case.method)(network, full)
            return
        for state in (full, full, smaller, case.empty):
            result = call(provider, case.method, network, state)
            applied = case.read(call(provider, "applied_config", network))
            assert applied == case.expected(state), \
                f"{case.method}: after applying {state!r} the provider enforces {applied!r}"
            if service is NetworkService.S2S_VPN:
                self.check_connection_states(state, result)

    @staticmethod
    def check_connection_states(connections: list[SiteToSiteConnection], states: Any) -> None:
        assert set(states) == {conn.uuid for conn in connections}, f"one state per connection, got {states!r}"
        for conn in connections:
            allowed = {VpnConnectionState.DISCONNECTED, VpnConnectionState.CONNECTED} if conn.passive \
                else {VpnConnectionState.CONNECTED, VpnConnectionState.ERROR}
            assert states[conn.uuid] in allowed, f"connection {conn.uuid} is {states[conn.uuid]}"

    def test_egress_rules_follow_the_declaration(self, provider: NetworkServiceProvider,
                                                 guarded_provider: NetworkServiceProvider,
                                                 network: ServiceNetwork) -> None:
        egress = FirewallRule("fw-out", "tcp", ("0.0.0.0/0",), 443, 443, direction="egress")
        if NetworkService.FIREWALL not in provider.capabilities.services or not provider.capabilities.firewall.egress:
            with pytest.raises(UnsupportedOperation):
                guarded_provider.apply_firewall_rules(network, [egress])
            return
        call(provider, "apply_firewall_rules", network, [egress])
        assert call(provider, "applied_config", network).firewall_rules == frozenset({egress})

    def test_ssl_termination_follows_the_declaration(self, provider: NetworkServiceProvider,
                                                     guarded_provider: NetworkServiceProvider,
                                                     network: ServiceNetwork) -> None:
        certificate = SslCertificate("cert-1", "-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----")
        member = LoadBalancerMember(_addresses(network)[4], 80)
        rule = LoadBalancerRule("lb-ssl", "tls", _public(network, 4), 443, 80, protocol="ssl",
                                members=(member,), certificate=certificate)
        lb = NetworkService.LB in provider.capabilities.services
        if not lb or not provider.capabilities.lb.ssl_termination:
            with pytest.raises(UnsupportedOperation, match="Lb in services" if not lb else "lb.ssl_termination"):
                guarded_provider.apply_lb_rules(network, [rule])
            return
        call(provider, "apply_lb_rules", network, [rule])
        assert call(provider, "applied_config", network).lb_rules == frozenset({"lb-ssl"})

    def test_an_undeclared_isolation_method_is_refused_before_the_provider_runs(
            self, guarded_provider: NetworkServiceProvider, service_network: ServiceNetwork) -> None:
        stranger = replace(service_network, isolation_method="NoSuchIsolation")
        with pytest.raises(UnsupportedOperation, match="NoSuchIsolation in isolation_methods"):
            guarded_provider.implement_network(stranger)

    def test_shutdown_removes_everything_and_is_idempotent(self, provider: NetworkServiceProvider,
                                                           network: ServiceNetwork) -> None:
        for service, case in CASES.items():
            if service in provider.capabilities.services:
                call(provider, case.method, network, case.states(network)[0])
        call(provider, "shutdown_network", network)
        call(provider, "shutdown_network", network)
        config = call(provider, "applied_config", network)
        assert config == AppliedConfig(implemented=False), \
            f"after shutdown_network the provider still enforces {config}"

    def test_devices_follow_the_external_device_declaration(self, provider: NetworkServiceProvider,
                                                            guarded_provider: NetworkServiceProvider,
                                                            service_network: ServiceNetwork) -> None:
        device = service_network.device
        if not provider.capabilities.external_device:
            assert device is None, "a provider without external_device serves networks without a device"
            with pytest.raises(UnsupportedOperation, match="external_device"):
                guarded_provider.add_device(DeviceRef("dev-x", "appliance", "https://198.51.100.9"))
            return
        assert device is not None, "service_network must carry its device for an external_device provider"
        first = call(provider, "add_device", device)
        assert call(provider, "add_device", device) == first, "add_device must be idempotent"
        call(provider, "remove_device", device)
        call(provider, "remove_device", device)

    def test_an_unreachable_router_or_device_raises_host_unreachable(
            self, provider: NetworkServiceProvider, unreachable_network: ServiceNetwork) -> None:
        expect_error(HostUnreachable, "when the router or device does not answer", provider, "implement_network",
                     unreachable_network)

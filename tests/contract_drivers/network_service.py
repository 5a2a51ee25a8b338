"""Reference network service providers: a virtual router and a firewall appliance, kept in a `Fabric`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cirrostack.errors import HostUnreachable, InvalidParameter, NetworkRuleConflict
from cirrostack.hookspecs.details import DetailField
from cirrostack.hookspecs.network_rules import (
    AppliedConfig,
    DeviceInfo,
    DeviceRef,
    DhcpEntry,
    FirewallRule,
    LoadBalancerRule,
    PortForwardingRule,
    RemoteAccessVpn,
    ServiceNetwork,
    SiteToSiteConnection,
    StaticNatRule,
    VpnConnectionState,
)
from cirrostack.hookspecs.network_service import (
    FirewallCapabilities,
    NetworkProviderCapabilities,
    NetworkService,
    NetworkServiceProvider,
)
from tests.contract_drivers.fabric import Fabric


class InMemoryVirtualRouter(NetworkServiceProvider):
    """One router per network, on the fabric endpoint "router:<network uuid>"."""

    provider_name = "VirtualRouter"
    capabilities = NetworkProviderCapabilities(
        services=frozenset(NetworkService) - {NetworkService.SECURITY_GROUP, NetworkService.CONNECTIVITY},
        isolation_methods=frozenset({"VLAN", "VXLAN"}),
        firewall=FirewallCapabilities(egress=True),
        vpc=True,
    )

    def __init__(self, settings: Mapping[str, Any] | None = None, fabric: Fabric | None = None) -> None:
        super().__init__(settings)
        self.fabric = fabric if fabric is not None else Fabric()

    def _endpoint(self, network: ServiceNetwork) -> str:
        return f"router:{network.uuid}"

    def _config(self, network: ServiceNetwork) -> dict[str, Any]:
        networks = self.fabric.state(self._endpoint(network)).setdefault("networks", {})
        if network.uuid not in networks:
            raise NetworkRuleConflict(f"network {network.name} is not implemented on {self.provider_name}")
        return networks[network.uuid]

    def implement_network(self, network: ServiceNetwork) -> None:
        self.fabric.add(self._endpoint(network))
        self.fabric.state(self._endpoint(network)).setdefault("networks", {}).setdefault(network.uuid, {})

    def _started(self, network: ServiceNetwork) -> bool:
        """Whether the network's router or device exists; a router is only started by implement_network."""
        return self.fabric.known(self._endpoint(network))

    def applied_config(self, network: ServiceNetwork) -> AppliedConfig:
        if not self._started(network):
            return AppliedConfig(implemented=False)
        networks = self.fabric.state(self._endpoint(network)).get("networks", {})
        if network.uuid not in networks:
            return AppliedConfig(implemented=False)
        return AppliedConfig(implemented=True, **networks[network.uuid])

    def apply_firewall_rules(self, network: ServiceNetwork, rules: Sequence[FirewallRule]) -> None:
        self._config(network)["firewall_rules"] = frozenset(rules)

    def apply_port_forwarding_rules(self, network: ServiceNetwork, rules: Sequence[PortForwardingRule]) -> None:
        taken: set[tuple[str, str, int]] = set()
        for rule in rules:
            for port in range(rule.public_start_port, rule.public_end_port + 1):
                key = (rule.public_ip, rule.protocol, port)
                if key in taken:
                    raise NetworkRuleConflict(f"port forwarding rule {rule.uuid} reuses {rule.public_ip}:{port}")
                taken.add(key)
        self._config(network)["port_forwarding_rules"] = frozenset(rules)

    def apply_static_nat_rules(self, network: ServiceNetwork, rules: Sequence[StaticNatRule]) -> None:
        public = [rule.public_ip for rule in rules]
        if len(public) != len(set(public)):
            raise NetworkRuleConflict(f"a public IP is mapped twice in {public}")
        self._config(network)["static_nat_rules"] = frozenset(rules)

    def apply_lb_rules(self, network: ServiceNetwork, rules: Sequence[LoadBalancerRule]) -> None:
        for rule in rules:
            if rule.algorithm not in self.capabilities.lb.algorithms:
                accepted = ", ".join(sorted(self.capabilities.lb.algorithms))
                raise InvalidParameter("algorithm", f"{rule.algorithm} is not one of {accepted}")
        self._config(network)["lb_rules"] = frozenset(rule.uuid for rule in rules)

    def apply_remote_access_vpn(self, network: ServiceNetwork, vpn: RemoteAccessVpn | None) -> None:
        config = self._config(network)
        config["remote_access_vpn_ip"] = vpn.public_ip if vpn else ""
        config["vpn_users"] = frozenset(user.username for user in vpn.users) if vpn else frozenset()

    def apply_site_to_site_vpn(self, network: ServiceNetwork,
                               connections: Sequence[SiteToSiteConnection]) -> dict[str, VpnConnectionState]:
        self._config(network)["s2s_connections"] = frozenset(conn.uuid for conn in connections)
        return {conn.uuid: VpnConnectionState.DISCONNECTED if conn.passive else VpnConnectionState.CONNECTED
                for conn in connections}

    def apply_dhcp_entries(self, network: ServiceNetwork, entries: Sequence[DhcpEntry]) -> None:
        self._config(network)["dhcp_entries"] = frozenset(entries)

    def shutdown_network(self, network: ServiceNetwork) -> None:
        if not self._started(network):
            return
        self.fabric.state(self._endpoint(network)).get("networks", {}).pop(network.uuid, None)


class InMemoryFirewallAppliance(InMemoryVirtualRouter):
    """An external firewall: networks live on the device the core assigned them to."""

    provider_name = "InMemoryFirewall"
    capabilities = NetworkProviderCapabilities(
        services=frozenset({NetworkService.FIREWALL, NetworkService.PORT_FORWARDING, NetworkService.STATIC_NAT,
                            NetworkService.SOURCE_NAT}),
        isolation_methods=frozenset({"VLAN"}),
        external_device=True,
    )
    detail_fields = (
        DetailField("username", "User name", "the device's administrator account", required=True),
        DetailField("password", "Password", "the administrator's password", required=True, secret=True),
        DetailField("timeout", "Timeout", "seconds to wait for the device's API", type=int, default=300),
    )

    def _endpoint(self, network: ServiceNetwork) -> str:
        if network.device is None:
            raise InvalidParameter("device", f"network {network.name} has no {self.provider_name} device assigned")
        self._login(network.device)
        return network.device.url

    def _login(self, device: DeviceRef) -> dict[str, Any]:
        state = self.fabric.state(device.url)
        if state.get("password") != device.details.get("password"):
            raise HostUnreachable(f"device {device.name} refused the credentials of {device.details.get('username')}")
        return state

    def implement_network(self, network: ServiceNetwork) -> None:
        self.fabric.state(self._endpoint(network)).setdefault("networks", {}).setdefault(network.uuid, {})

    def add_device(self, device: DeviceRef) -> DeviceInfo:
        state = self._login(device)
        return DeviceInfo(model=state.get("model", "in-memory"), version=state.get("version", "1.0"))

    def remove_device(self, device: DeviceRef) -> None:
        """The in-memory device keeps no session open, so there is nothing to close."""

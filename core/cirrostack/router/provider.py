"""VirtualRouter: the network service provider that runs one router per isolated network.

Each `apply_*` call carries one service's complete rule set; the provider keeps the router's
whole desired state (a RouterConfig, in `<router.state.dir>/<network uuid>.json`, private to
root), replaces that service's part and hands the whole config to its backend, which applies it
at once. A router rebuilt from scratch (restartNetwork with cleanup) therefore converges to the
same state as soon as the core pushes its rule sets again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from cirrostack.hookspecs.network_rules import (
    AppliedConfig,
    FirewallRule,
    ServiceNetwork,
)
from cirrostack.hookspecs.network_service import (
    FirewallCapabilities,
    LoadBalancerCapabilities,
    NetworkProviderCapabilities,
    NetworkService,
    NetworkServiceProvider,
)
from cirrostack.router._pushed_services import PushedServices, router_lock
from cirrostack.router._settings import DEFAULT_STATE_DIR, ROUTER_DHCP_LEASE, ROUTER_STATE_DIR
from cirrostack.router.agent import _files
from cirrostack.router.agent.haproxy import ALGORITHMS, PROTOCOLS, STICKINESS_METHODS
from cirrostack.router.backend import RouterBackend
from cirrostack.router.config import RouterConfig
from cirrostack.router.namespace_backend import NamespaceRouterBackend


class VirtualRouter(PushedServices, NetworkServiceProvider):
    """CloudStack's virtual router: DHCP, DNS, NAT, port forwarding, firewall, LB and user data."""

    provider_name = "VirtualRouter"
    capabilities = NetworkProviderCapabilities(
        services=frozenset({NetworkService.DHCP, NetworkService.DNS, NetworkService.SOURCE_NAT,
                            NetworkService.STATIC_NAT, NetworkService.PORT_FORWARDING, NetworkService.LB,
                            NetworkService.FIREWALL, NetworkService.USER_DATA}),
        isolation_methods=frozenset({"VLAN", "VXLAN"}),
        lb=LoadBalancerCapabilities(algorithms=ALGORITHMS, protocols=PROTOCOLS,
                                    stickiness_methods=STICKINESS_METHODS),
        firewall=FirewallCapabilities(protocols=frozenset({"tcp", "udp", "icmp", "all"}), egress=True),
    )

    def __init__(self, settings: Mapping[str, Any] | None = None, backend: RouterBackend | None = None) -> None:
        super().__init__(settings)
        self.backend = backend or NamespaceRouterBackend(self.settings)
        self.state_dir = Path(str(self.settings.get(ROUTER_STATE_DIR) or DEFAULT_STATE_DIR))
        self.lease_seconds = int(self.settings.get(ROUTER_DHCP_LEASE, 3600) or 3600)

    # -- the desired state ---------------------------------------------------------------------

    def _config_file(self, network: ServiceNetwork) -> Path:
        return self.state_dir / f"{network.uuid}.json"

    def desired_config(self, network: ServiceNetwork) -> RouterConfig:
        """The router's whole desired state as last pushed, for `network` as described now."""
        text = _files.read_text(self._config_file(network))
        config = RouterConfig.from_json(text) if text else RouterConfig(network)
        return replace(config.with_network(network), dhcp_lease_seconds=self.lease_seconds)

    def _push(self, network: ServiceNetwork, **service_state: Any) -> list[str]:
        with router_lock(network.uuid):
            config = replace(self.desired_config(network), **service_state)
            done = self.backend.apply(config)
            _files.write_if_changed(self._config_file(network), config.to_json(), 0o600)
            return done

    # -- the contract --------------------------------------------------------------------------

    def implement_network(self, network: ServiceNetwork) -> None:
        with router_lock(network.uuid):
            if self.backend.is_implemented(network):
                self.backend.apply(self.desired_config(network))  # addresses may have changed
                return
            self.backend.implement(network)
            config = self.desired_config(network)
            self.backend.apply(config)
            _files.write_if_changed(self._config_file(network), config.to_json(), 0o600)

    def applied_config(self, network: ServiceNetwork) -> AppliedConfig:
        return self.backend.read(self.desired_config(network))

    def apply_firewall_rules(self, network: ServiceNetwork, rules: Sequence[FirewallRule]) -> None:
        self._push(network, firewall_rules=tuple(rules))






    def apply_config(self, config: RouterConfig) -> list[str]:
        """Push a whole RouterConfig at once (what the per-service calls build up); returns what changed."""
        with router_lock(config.network.uuid):
            done = self.backend.apply(config)
            _files.write_if_changed(self._config_file(config.network), config.to_json(), 0o600)
            return done

    def shutdown_network(self, network: ServiceNetwork) -> None:
        with router_lock(network.uuid):
            self.backend.shutdown(network)
            self._config_file(network).unlink(missing_ok=True)

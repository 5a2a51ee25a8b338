"""VpcVirtualRouter: the network service provider that runs ONE router per VPC for all of the VPC's tiers.

The core describes tiers one at a time (a ServiceNetwork whose `vpc_uuid` names the VPC). The provider keeps
each tier's desired state as a RouterConfig in `<router.state.dir>/vpc-<vpc uuid>/<tier uuid>.json`
(private to root), and on every call hands the VPC's backend all tiers at once. Shutting a tier down takes
its interface and daemons off the router. The router as a whole (namespace, public side, packet filter) is
started with the VPC (`start_router`) or its first tier, and removed only by `stop_router`.

It serves DHCP, DNS, user data, source NAT, static NAT, port forwarding, load balancing (haproxy, on the
one tier of a VPC that may have Lb) and each tier's network ACL. VPN and site-to-site VPN are not served yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_rules import (
    AppliedConfig,
    NetworkAclRule,
    ServiceNetwork,
)
from cirrostack.hookspecs.network_service import (
    LoadBalancerCapabilities,
    NetworkProviderCapabilities,
    NetworkService,
    NetworkServiceProvider,
)
from cirrostack.router._pushed_services import PushedServices, router_lock
from cirrostack.router._settings import DEFAULT_STATE_DIR, ROUTER_DHCP_LEASE, ROUTER_STATE_DIR
from cirrostack.router.agent import _files
from cirrostack.router.agent.haproxy import ALGORITHMS, PROTOCOLS, STICKINESS_METHODS
from cirrostack.router.config import RouterConfig
from cirrostack.router.vpc_backend import VpcNamespaceBackend
from cirrostack.router.vpc_config import VpcRouterConfig, vpc_namespace


def _vpc_of(network: ServiceNetwork) -> str:
    if not network.vpc_uuid:
        raise InvalidParameter("networkofferingid", f"network {network.name} is not a VPC tier; the "
                                                    f"VpcVirtualRouter serves VPC tiers only")
    return network.vpc_uuid


class VpcVirtualRouter(PushedServices, NetworkServiceProvider):
    """CloudStack's VPC virtual router: one router per VPC, routing between its tiers."""

    provider_name = "VpcVirtualRouter"
    capabilities = NetworkProviderCapabilities(
        services=frozenset({NetworkService.DHCP, NetworkService.DNS, NetworkService.USER_DATA,
                            NetworkService.SOURCE_NAT, NetworkService.STATIC_NAT, NetworkService.PORT_FORWARDING,
                            NetworkService.LB, NetworkService.GATEWAY, NetworkService.NETWORK_ACL}),
        isolation_methods=frozenset({"VLAN", "VXLAN"}),
        lb=LoadBalancerCapabilities(algorithms=ALGORITHMS, protocols=PROTOCOLS,
                                    stickiness_methods=STICKINESS_METHODS),
    )

    def __init__(self, settings: Mapping[str, Any] | None = None, backend: VpcNamespaceBackend | None = None) -> None:
        super().__init__(settings)
        self.backend = backend or VpcNamespaceBackend(self.settings)
        self.state_dir = Path(str(self.settings.get(ROUTER_STATE_DIR) or DEFAULT_STATE_DIR))
        self.lease_seconds = int(self.settings.get(ROUTER_DHCP_LEASE, 3600) or 3600)

    # -- the desired state ---------------------------------------------------------------------

    def _config_file(self, vpc_uuid: str, tier_uuid: str) -> Path:
        return self.backend.directory(vpc_uuid) / f"{tier_uuid}.json"

    def tier_config(self, network: ServiceNetwork) -> RouterConfig:
        """The tier's desired state as last pushed, for `network` as described now."""
        text = _files.read_text(self._config_file(_vpc_of(network), network.uuid))
        config = RouterConfig.from_json(text) if text else RouterConfig(network)
        return replace(config.with_network(network), dhcp_lease_seconds=self.lease_seconds)

    def vpc_config(self, network: ServiceNetwork, tier: RouterConfig | None = None) -> VpcRouterConfig:
        """The whole VPC router's desired state: every tier's last pushed config, with `tier` (or the tier of
        `network` as described now) replacing its own; the public side as `network` describes it."""
        vpc_uuid = _vpc_of(network)
        tier = tier or self.tier_config(network)
        tiers = {config.network.uuid: config for config in self.pushed_tiers(vpc_uuid)}
        tiers[tier.network.uuid] = tier
        return VpcRouterConfig(vpc_uuid, network, tuple(tiers[uuid] for uuid in sorted(tiers)))

    def pushed_tiers(self, vpc_uuid: str) -> tuple[RouterConfig, ...]:
        """Every tier's config as last pushed to the VPC's router, sorted by the tier's uuid."""
        directory = self.backend.directory(vpc_uuid)
        paths = sorted(directory.glob("*.json")) if directory.exists() else []
        return tuple(RouterConfig.from_json(path.read_text()) for path in paths)

    def _push(self, network: ServiceNetwork, **service_state: Any) -> list[str]:
        vpc_uuid = _vpc_of(network)
        with router_lock(vpc_uuid):
            tier = replace(self.tier_config(network), **service_state)
            done = self.backend.apply(self.vpc_config(network, tier))
            _files.write_if_changed(self._config_file(vpc_uuid, network.uuid), tier.to_json(), 0o600)
            return done

    # -- the contract --------------------------------------------------------------------------

    def implement_network(self, network: ServiceNetwork) -> None:
        self._push(network)

    def applied_config(self, network: ServiceNetwork) -> AppliedConfig:
        return self.backend.read(self.vpc_config(network), network.uuid)

    def apply_network_acl(self, network: ServiceNetwork, rules: Sequence[NetworkAclRule]) -> None:
        self._push(network, acl_rules=tuple(rules))

    def shutdown_network(self, network: ServiceNetwork) -> None:
        """Take the tier off the VPC's router. The router itself stays, holding the VPC's public side, until
        `stop_router` (CloudStack 4.3 keeps a VPC's router while the VPC lives)."""
        vpc_uuid = _vpc_of(network)
        with router_lock(vpc_uuid):
            self._config_file(vpc_uuid, network.uuid).unlink(missing_ok=True)
            others = tuple(tier for tier in self.vpc_config(network).tiers if tier.network.uuid != network.uuid)
            self.backend.remove_tier(vpc_uuid, network)
            if self.backend.is_implemented(vpc_uuid):
                self.backend.apply(VpcRouterConfig(vpc_uuid, network, others))

    # -- the VPC's router as a whole (createVPC, start/stop/destroyRouter, deleteVPC) ---------------

    def start_router(self, vpc: ServiceNetwork) -> list[str]:
        """Bring up the router of the VPC `vpc` describes (its `vpc_uuid` and public side): the namespace,
        the public interface holding the VPC's addresses and the whole packet filter (everything denied that
        no tier's ACL allows), with every tier last pushed. Returns what changed; [] when it was up already.
        Raises HostUnreachable, ResourceAllocationFailed; a router it had to create is removed again then."""
        vpc_uuid = _vpc_of(vpc)
        with router_lock(vpc_uuid):
            return self.backend.apply(VpcRouterConfig(vpc_uuid, vpc, self.pushed_tiers(vpc_uuid)))

    def stop_router(self, vpc_uuid: str) -> None:
        """Remove the VPC's router with every tier on it, its processes, interfaces and files. Idempotent."""
        with router_lock(vpc_uuid):
            self.backend.shutdown(vpc_uuid)

    def router_problems(self, vpc: ServiceNetwork) -> list[str]:
        """What is wrong with the VPC's router as a whole: gone, no public interface, or tables that differ
        from its configuration. [] for a healthy router (tiers are read back with `applied_config`)."""
        vpc_uuid = _vpc_of(vpc)
        if not self.backend.is_implemented(vpc_uuid):
            return [f"the router is gone: namespace {vpc_namespace(vpc_uuid)} does not exist"]
        return self.backend.router_problems(VpcRouterConfig(vpc_uuid, vpc, self.pushed_tiers(vpc_uuid)))

"""What the per-network and the VPC router providers share: each service's rule set replaces that
service's part of a RouterConfig, which `_push` (each provider's own) stores and applies whole."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from cirrostack.hookspecs.network_rules import (
    DhcpEntry,
    LoadBalancerRule,
    PortForwardingRule,
    ServiceNetwork,
    StaticNatRule,
    VmDataEntry,
)

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def router_lock(key: str) -> threading.Lock:
    """The lock serialising pushes to one router (keyed by its network's or its VPC's uuid)."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


class PushedServices:
    """The `apply_*` methods of NetworkServiceProvider that both routers implement the same way."""

    def _push(self, network: ServiceNetwork, **service_state: Any) -> list[str]:
        raise NotImplementedError

    def apply_port_forwarding_rules(self, network: ServiceNetwork, rules: Sequence[PortForwardingRule]) -> None:
        self._push(network, port_forwarding_rules=tuple(rules))

    def apply_static_nat_rules(self, network: ServiceNetwork, rules: Sequence[StaticNatRule]) -> None:
        self._push(network, static_nat_rules=tuple(rules))

    def apply_lb_rules(self, network: ServiceNetwork, rules: Sequence[LoadBalancerRule]) -> None:
        self._push(network, lb_rules=tuple(rules))

    def apply_dhcp_entries(self, network: ServiceNetwork, entries: Sequence[DhcpEntry]) -> None:
        self._push(network, dhcp_entries=tuple(entries))

    def apply_vm_data(self, network: ServiceNetwork, entries: Sequence[VmDataEntry]) -> None:
        self._push(network, vm_data=tuple(entries))

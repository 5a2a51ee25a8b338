"""RouterConfig: the whole desired state of one router, every service at once.

The provider receives one service's rule set per call; it keeps the router's complete desired
state as a RouterConfig, replaces that service's part and hands the whole config to the router
backend, which applies it in one go. The config is plain data and round-trips through JSON, so
it can be kept next to the router and shipped to an agent elsewhere (a router VM).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import types
import typing
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from cirrostack.hookspecs.network_rules import (
    DhcpEntry,
    FirewallRule,
    LoadBalancerRule,
    NetworkAclRule,
    PortForwardingRule,
    ServiceNetwork,
    StaticNatRule,
    VmDataEntry,
)

FORMAT_VERSION = 1


@dataclass(frozen=True)
class RouterConfig:
    """Everything one network's router enforces. Sets are tuples in the order they arrived."""

    network: ServiceNetwork
    firewall_rules: tuple[FirewallRule, ...] = ()
    port_forwarding_rules: tuple[PortForwardingRule, ...] = ()
    static_nat_rules: tuple[StaticNatRule, ...] = ()
    lb_rules: tuple[LoadBalancerRule, ...] = ()
    dhcp_entries: tuple[DhcpEntry, ...] = ()
    vm_data: tuple[VmDataEntry, ...] = ()
    dhcp_lease_seconds: int = 3600
    acl_rules: tuple[NetworkAclRule, ...] = ()  # a VPC tier's network ACL

    def with_network(self, network: ServiceNetwork) -> RouterConfig:
        """This config for `network` as the core describes it now (addresses, public IPs may change)."""
        return dataclasses.replace(self, network=network)

    def public_addresses(self) -> tuple[str, ...]:
        """Every public IP the router must hold: the network's, and any a rule names, in a stable order."""
        seen: dict[str, None] = {}
        for address in (self.network.source_nat_ip, *self.network.public_ips,
                        *(rule.public_ip for rule in self.firewall_rules if rule.direction == "ingress"),
                        *(rule.public_ip for rule in self.port_forwarding_rules),
                        *(rule.public_ip for rule in self.static_nat_rules),
                        *(rule.public_ip for rule in self.lb_rules)):
            if address:
                seen.setdefault(address, None)
        return tuple(seen)

    def to_json(self) -> str:
        """The config as JSON (secrets included: the file holding it must be private)."""
        return json.dumps({"version": FORMAT_VERSION, "config": _plain(self)}, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> RouterConfig:
        """Read a config written by `to_json`. Raises ValueError for another format version."""
        data = json.loads(text)
        if data.get("version") != FORMAT_VERSION:
            raise ValueError(f"router config format {data.get('version')!r}; this agent reads {FORMAT_VERSION}")
        return _build(cls, data["config"])


def plain_data(value: Any) -> Any:
    """`value` (dataclasses, tuples, sets, mappings, bytes) as JSON-ready data."""
    return _plain(value)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(item) for item in value]
    if isinstance(value, typing.Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _build(kind: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _build(options[0], data)
    if origin is tuple:
        item_type = typing.get_args(kind)[0]
        return tuple(_build(item_type, item) for item in data)
    if kind is bytes:
        return base64.b64decode(data["base64"])
    if isinstance(kind, type) and is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{name: _build(hints[name], value) for name, value in data.items() if name in hints})
    if origin is not None and issubclass(origin, typing.Mapping):
        return dict(data)
    return data

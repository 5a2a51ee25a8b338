"""The core's VLAN isolation method, registered through the `cirrostack.plugins` entry point `vlan`."""

from __future__ import annotations

from collections.abc import Callable

from cirrostack.hookspecs import PluginInfo, hookimpl
from cirrostack.hookspecs.isolation import GuestIsolationMethod


@hookimpl
def describe_plugin() -> PluginInfo:
    return PluginInfo("VLAN guest isolation: 802.1Q ids 0-4095 per zone, guest bridges on the hosts")


@hookimpl
def register_isolation_methods(register: Callable[[type[GuestIsolationMethod]], None]) -> None:
    from cirrostack.isolation.vlan import VlanIsolation

    register(VlanIsolation)

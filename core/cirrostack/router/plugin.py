"""The virtual router's plugin module: registers the VirtualRouter provider and its settings.

Registered by the core distribution through the `cirrostack.plugins` entry point
`virtualrouter`, as a third-party plugin registers.
"""

from __future__ import annotations

from collections.abc import Callable

from cirrostack.hookspecs import PluginInfo, Setting, hookimpl
from cirrostack.hookspecs.network_service import NetworkServiceProvider


@hookimpl
def describe_plugin() -> PluginInfo:
    return PluginInfo("VirtualRouter: a router per guest network in a Linux network namespace (dnsmasq, "
                      "iptables, haproxy, user data); VpcVirtualRouter: one such router per VPC for all its tiers")


@hookimpl
def register_network_providers(register: Callable[[type[NetworkServiceProvider]], None]) -> None:
    from cirrostack.router.provider import VirtualRouter
    from cirrostack.router.vpc_provider import VpcVirtualRouter

    register(VirtualRouter)
    register(VpcVirtualRouter)


@hookimpl
def register_settings(register: Callable[[Setting], None]) -> None:
    from cirrostack.router._settings import SETTINGS

    for setting in SETTINGS:
        register(setting)

"""The security group provider's plugin module: registers SecurityGroupProvider.

Registered by the core distribution through the `cirrostack.plugins` entry point `securitygroups`,
as a third-party plugin registers.
"""

from __future__ import annotations

from collections.abc import Callable

from cirrostack.hookspecs import PluginInfo, hookimpl
from cirrostack.hookspecs.network_service import NetworkServiceProvider


@hookimpl
def describe_plugin() -> PluginInfo:
    return PluginInfo("SecurityGroupProvider: the SecurityGroup service of shared networks, enforced per VM by "
                      "the hypervisor hosts (apply_security_rules)")


@hookimpl
def register_network_providers(register: Callable[[type[NetworkServiceProvider]], None]) -> None:
    from cirrostack.security_groups.provider import SecurityGroupProvider

    register(SecurityGroupProvider)

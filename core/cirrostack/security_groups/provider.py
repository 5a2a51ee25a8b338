"""SecurityGroupProvider: CloudStack's provider of the SecurityGroup service on shared networks.

Nothing of a security group lives on the network itself: each member VM's hypervisor host enforces the VM's
rule set on its NICs (`HypervisorDriver.apply_security_rules`), pushed by the core when the VM starts, when
rules change and when a host answers again (`cirrostack.services.security_groups.enforcement`). The network's
DHCP, DNS and user data come from the provider the offering names for them (the VirtualRouter in
DefaultSharedNetworkOfferingWithSGService). So implementing a network only takes it into service, and
shutting it down takes it out; `applied_config` reports which networks are in service since this
management server started.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from cirrostack.hookspecs.network_rules import AppliedConfig, ServiceNetwork
from cirrostack.hookspecs.network_service import (
    NetworkProviderCapabilities,
    NetworkService,
    NetworkServiceProvider,
)


class SecurityGroupProvider(NetworkServiceProvider):
    """The SecurityGroup service, delivered by the hypervisor hosts of the network's VMs."""

    provider_name = "SecurityGroupProvider"
    capabilities = NetworkProviderCapabilities(services=frozenset({NetworkService.SECURITY_GROUP}),
                                               isolation_methods=frozenset({"VLAN", "VXLAN"}))

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        super().__init__(settings)
        self._lock = threading.Lock()
        self._in_service: set[str] = set()

    def implement_network(self, network: ServiceNetwork) -> None:
        """Take `network` into service. The hosts get each VM's rules as the VM starts on them."""
        with self._lock:
            self._in_service.add(network.uuid)

    def applied_config(self, network: ServiceNetwork) -> AppliedConfig:
        """Whether `network` is in service; rules are per VM and read back from the hosts, not here."""
        with self._lock:
            return AppliedConfig(implemented=network.uuid in self._in_service)

    def shutdown_network(self, network: ServiceNetwork) -> None:
        """Take `network` out of service. The rules of its VMs leave the hosts as the VMs stop."""
        with self._lock:
            self._in_service.discard(network.uuid)

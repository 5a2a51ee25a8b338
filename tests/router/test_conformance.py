"""The VirtualRouter through the network service provider conformance kit, on real namespaces."""

from __future__ import annotations

import pytest

from cirrostack.hookspecs.network_rules import ServiceNetwork
from cirrostack.router.provider import VirtualRouter
from cirrostack.testing import NetworkProviderConformance
from tests.router.conftest import service_network, sh


class TestVirtualRouterConformance(NetworkProviderConformance):
    @pytest.fixture
    def network_provider(self, router: VirtualRouter) -> VirtualRouter:
        return router

    @pytest.fixture
    def service_network(self) -> ServiceNetwork:
        return service_network(source_nat_ip="203.0.113.10", public_gateway="203.0.113.1",
                               public_ips=("203.0.113.10",))

    @pytest.fixture
    def unreachable_network(self, host_namespace: str) -> ServiceNetwork:
        sh("ip", "netns", "del", host_namespace)  # the network host is gone
        return service_network()


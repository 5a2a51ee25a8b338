"""The vendor conformance kit: contract test suites a plugin's own tests reuse.

Installed with the core as the pytest plugin `cirrostack` (see `cirrostack.testing.pytest_plugin`);
docs/conformance-kit.md explains how a vendor points a suite at their driver.
"""

from cirrostack.testing.hypervisor import HypervisorConformance
from cirrostack.testing.isolation import IsolationMethodConformance
from cirrostack.testing.network_service import NetworkProviderConformance
from cirrostack.testing.storage import StorageProviderConformance
from cirrostack.testing.vm_snapshot import VMSnapshotStrategyConformance

__all__ = [
    "HypervisorConformance",
    "IsolationMethodConformance",
    "NetworkProviderConformance",
    "StorageProviderConformance",
    "VMSnapshotStrategyConformance",
]

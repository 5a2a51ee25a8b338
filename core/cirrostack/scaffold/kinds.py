"""The kinds of plugin `cirro plugin new` can scaffold, and where each one's contract lives.

A kind names its contract class, the hook that registers it, the class attribute holding the
name the plugin claims, and the conformance suite in `cirrostack.testing` its tests reuse. The
contract is read at scaffold time, so a generated driver always matches the installed core.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class ScaffoldKind:
    kind: str  # as given to --kind
    contract: str  # "module:Class"
    register_hook: str
    claim_attribute: str  # class attribute holding the claimed name, e.g. hypervisor_type
    class_suffix: str  # the generated class is <Name><suffix>, e.g. AcmeHvHypervisor
    conformance: str  # suite class in cirrostack.testing, e.g. HypervisorConformance
    noun: str  # in prose: "hypervisor", "network service provider", ...

    @property
    def test_template(self) -> str:
        """The template of tests/test_conformance.py: each suite asks for its own fixtures."""
        return f"tests/test_{self.kind.replace('-', '_')}.py.tmpl"

    def contract_class(self) -> type:
        module_name, class_name = self.contract.split(":")
        return getattr(importlib.import_module(module_name), class_name)


SCAFFOLD_KINDS: dict[str, ScaffoldKind] = {
    kind.kind: kind
    for kind in (
        ScaffoldKind("hypervisor", "cirrostack.hookspecs.hypervisor:HypervisorDriver", "register_hypervisors",
                     "hypervisor_type", "Hypervisor", "HypervisorConformance", "hypervisor"),
        ScaffoldKind("isolation", "cirrostack.hookspecs.isolation:GuestIsolationMethod",
                     "register_isolation_methods", "isolation_method", "Isolation", "IsolationMethodConformance",
                     "guest network isolation method"),
        ScaffoldKind("network-service", "cirrostack.hookspecs.network_service:NetworkServiceProvider",
                     "register_network_providers", "provider_name", "NetworkProvider",
                     "NetworkProviderConformance", "network service provider"),
        ScaffoldKind("storage", "cirrostack.hookspecs.storage:StorageProvider", "register_storage_providers",
                     "provider_name", "StorageProvider", "StorageProviderConformance", "storage provider"),
        ScaffoldKind("vm-snapshot", "cirrostack.hookspecs.vm_snapshot:VMSnapshotStrategy",
                     "register_vm_snapshot_strategies", "strategy_name", "SnapshotStrategy",
                     "VMSnapshotStrategyConformance", "VM snapshot strategy"),
    )
}

"""The installed plugin registers the Hyperv driver and its settings, imports no SDK at discovery, and
the README's support matrix is the one `support_matrix` generates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cirrostack_hv_hyperv import support_matrix

from cirrostack.plugins import PluginRegistry, PluginStatus, load_plugins


def test_hyperv_is_discovered_and_registers_its_driver_and_settings() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "hyperv"), None)
    assert record is not None, "entry point 'hyperv' not found: install cirrostack-hv-hyperv first"
    assert record.status is PluginStatus.OK, record.reason
    claimed = {name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "hyperv"}
    assert "Hyperv" in claimed and "hyperv.transport" in claimed
    assert PluginRegistry.load().hypervisor_class("Hyperv").capabilities == support_matrix.CAPABILITIES


def test_discovery_does_not_import_pywinrm() -> None:
    probe = ("import sys; from cirrostack.plugins import PluginRegistry; registry = PluginRegistry.load(); "
             "registry.hypervisor_class('Hyperv'); print(sorted(m for m in ('winrm', 'spnego', 'requests_ntlm') "
             "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_the_readme_support_matrix_is_fresh() -> None:
    # the plugin's source tree, not the installed package (a plain `pip install` ships no README beside it)
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert support_matrix.readme_with_table(text) == text, (
        "README.md's support matrix is stale: run python -m cirrostack_hv_hyperv.support_matrix --write")


def test_the_matrix_has_every_unsupported_row_of_the_release_notes() -> None:
    refused = {capability for capability, _feature in support_matrix.ROWS
               if not getattr(support_matrix.CAPABILITIES, capability)}
    assert refused == {"scale_running_vm", "affinity_groups", "network_throttling", "security_groups_in_advanced_zone",
                       "ipv6", "vm_snapshots", "volume_snapshots", "pvlan", "vpc", "guest_ha", "redundant_router",
                       "object_store", "mixed_hypervisor_zone", "zone_wide_primary_storage", "nic_bonding"}
    assert support_matrix.CAPABILITIES.live_migration
    assert support_matrix.CAPABILITIES.storage_protocols == {"SMB", "Filesystem"}

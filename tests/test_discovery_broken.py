"""Broken plugin distributions, installed for real next to good ones, are reported and left out.

One throwaway venv holds the core, the repo's KVM plugin and four broken distributions from
tests/data; `cirro plugins list --json` runs in it as an operator would run it. A second venv
checks installing and uninstalling a plugin without touching the core.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.fixtures.throwaway_venv import REPO_ROOT, TEST_DATA, ThrowawayVenv

#: What the core distribution itself registers: the simulator, VLAN isolation, the virtual router and the
#: security group provider.
CORE_PLUGINS = {"simulator", "vlan", "virtualrouter", "securitygroups"}
BROKEN = ("broken_import", "bad_hook_signature", "second_simulator", "needs_newer_core")
CORE_VERSION = version("cirrostack")  # the throwaway venvs install the core from this same tree


@pytest.fixture(scope="module")
def mixed_venv(throwaway_venv_factory) -> ThrowawayVenv:
    return throwaway_venv_factory("mixed", REPO_ROOT / "plugins" / "hv_kvm", *(TEST_DATA / name for name in BROKEN))


@pytest.fixture(scope="module")
def listed(mixed_venv: ThrowawayVenv) -> dict[str, dict]:
    return mixed_venv.plugins_list()


def test_good_plugins_still_load_next_to_broken_ones(listed: dict[str, dict]) -> None:
    assert listed["simulator"]["status"] == "ok", listed["simulator"]["reason"]
    assert listed["simulator"]["provides"]["hypervisor"] == ["Simulator"]
    assert listed["kvm"]["status"] == "ok", listed["kvm"]["reason"]
    assert listed["kvm"]["provides"]["hypervisor"] == ["KVM"]


def _broken(listed: dict[str, dict], name: str) -> tuple[str, str, str, str]:
    entry = listed[name]
    return entry["status"], entry["distribution"], entry["version"], entry["reason"]


def test_plugin_failing_to_import_is_broken_with_the_import_error(listed: dict[str, dict]) -> None:
    assert _broken(listed, "broken-import") == (
        "broken", "cirrostack-test-broken-import", "0.3.1",
        "import failed: ModuleNotFoundError: No module named 'cirrostack_missing_dependency'",
    )


def test_plugin_with_wrong_hook_signature_is_broken_naming_the_argument(listed: dict[str, dict]) -> None:
    status, distribution, version, reason = _broken(listed, "bad-hook")
    assert (status, distribution, version) == ("broken", "cirrostack-test-bad-hook", "1.2.0")
    assert reason == (
        "hook validation failed: Plugin 'bad-hook' for hook 'describe_plugin'\n"
        "hookimpl definition: describe_plugin(verbose: bool) -> cirrostack.hookspecs.plugin_info.PluginInfo\n"
        "Argument(s) {'verbose'} are declared in the hookimpl but can not be found in the hookspec"
    )


def test_plugin_claiming_a_taken_hypervisor_type_is_broken_naming_the_owner(listed: dict[str, dict]) -> None:
    assert _broken(listed, "second-simulator") == (
        "broken", "cirrostack-test-second-simulator", "0.0.7",
        "registration failed: LookupError: hypervisor 'Simulator' is already provided by plugin simulator",
    )
    assert listed["second-simulator"]["provides"] == {}


def test_plugin_needing_a_newer_core_is_broken_naming_both_versions(listed: dict[str, dict]) -> None:
    assert _broken(listed, "needs-newer-core") == (
        "broken", "cirrostack-test-needs-newer-core", "2.0.0",
        f"requires cirrostack>=99, but the installed core is {CORE_VERSION}",
    )


def test_every_installed_entry_point_is_listed_once(listed: dict[str, dict], mixed_venv: ThrowawayVenv) -> None:
    raw = json.loads(mixed_venv.run(mixed_venv.root / "bin" / "cirro", "plugins", "list", "--json").stdout)
    assert sorted(entry["name"] for entry in raw) == sorted(
        [*CORE_PLUGINS, "kvm", "broken-import", "bad-hook", "second-simulator", "needs-newer-core"]
    )


def test_broken_plugins_get_one_log_line_each_and_no_traceback(mixed_venv: ThrowawayVenv) -> None:
    stderr = mixed_venv.run(mixed_venv.root / "bin" / "cirro", "plugins", "list").stderr
    left_out = [line for line in stderr.splitlines() if "left out:" in line]
    assert len(left_out) == 4, stderr
    assert "Traceback" not in stderr
    assert any(line.startswith("WARNING") and "plugin broken-import (cirrostack-test-broken-import 0.3.1, "
               "cirrostack_test_broken_import.plugin) left out" in line for line in left_out)


# -- disabling by configuration -----------------------------------------------------------------


def _probe(venv: ThrowawayVenv, **env: str) -> tuple[dict[str, dict], list[str]]:
    """Plugins as listed, and which of the test plugins' packages the listing imported."""
    modules = ["cirrostack_test_broken_import", "cirrostack_test_bad_hook", "cirrostack_hv_kvm"]
    output = venv.run(venv.python, TEST_DATA / "probe_imports.py", *modules, **env).stdout
    *listing, last = output.strip().splitlines()
    return {e["name"]: e for e in json.loads("\n".join(listing))}, json.loads(last)["imported"]


def test_plugins_named_in_cirro_disabled_plugins_are_disabled_and_not_imported(mixed_venv: ThrowawayVenv) -> None:
    listed, imported = _probe(mixed_venv, CIRRO_DISABLED_PLUGINS="broken-import, kvm")
    assert (listed["broken-import"]["status"], listed["kvm"]["status"]) == ("disabled", "disabled")
    assert listed["kvm"]["reason"] == "disabled by configuration (disabled_plugins)"
    assert "cirrostack_test_broken_import" not in imported
    assert "cirrostack_hv_kvm" not in imported
    assert "cirrostack_test_bad_hook" in imported  # the probe does see imports of plugins left enabled
    assert listed["simulator"]["status"] == "ok"


def test_plugins_named_in_the_config_file_are_disabled(mixed_venv: ThrowawayVenv, tmp_path: Path) -> None:
    config = tmp_path / "cirrostack.toml"
    config.write_text('disabled_plugins = ["bad-hook", "second-simulator"]\n')
    by_flag = mixed_venv.plugins_list("--config", str(config))
    by_env = mixed_venv.plugins_list(CIRRO_CONFIG=str(config))
    for listed in (by_flag, by_env):
        assert listed["bad-hook"]["status"] == "disabled"
        assert listed["second-simulator"]["status"] == "disabled"
        assert listed["broken-import"]["status"] == "broken"
        assert listed["simulator"]["status"] == "ok"


# -- installing and uninstalling ------------------------------------------------------------------


def _core_record(venv: ThrowawayVenv) -> str:
    (dist_info,) = venv.site_packages.glob("cirrostack-*.dist-info")
    return (dist_info / "RECORD").read_text()


def test_installing_and_uninstalling_a_plugin_leaves_the_core_alone(throwaway_venv_factory) -> None:
    venv = throwaway_venv_factory("install-uninstall")
    core_before = _core_record(venv)
    assert set(venv.plugins_list()) == CORE_PLUGINS

    venv.install(REPO_ROOT / "plugins" / "hv_kvm")
    listed = venv.plugins_list()
    assert set(listed) == {*CORE_PLUGINS, "kvm"}
    assert (listed["kvm"]["distribution"], listed["kvm"]["status"]) == ("cirrostack-hv-kvm", "ok")
    assert _core_record(venv) == core_before

    venv.uninstall("cirrostack-hv-kvm")
    assert set(venv.plugins_list()) == CORE_PLUGINS
    assert _core_record(venv) == core_before

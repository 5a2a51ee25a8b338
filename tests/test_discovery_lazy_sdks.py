"""Discovery imports no vendor SDK: those load when a driver is first used, not at start-up.

Every plugin of the repository is installed into a throwaway venv; `cirro plugins list` runs
in-process there and the probe then reads `sys.modules`. Where an SDK is not installed, a plugin
importing it at discovery would be listed as broken, which the first test also catches.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.throwaway_venv import REPO_PLUGINS, TEST_DATA, ThrowawayVenv

VENDOR_SDKS = ("libvirt", "XenAPI", "pyVmomi", "pyVim", "winrm", "boto3", "botocore", "ldap3")


@pytest.fixture(scope="module")
def all_plugins_venv(throwaway_venv_factory) -> ThrowawayVenv:
    return throwaway_venv_factory("all-plugins", *REPO_PLUGINS)


@pytest.fixture(scope="module")
def probed(all_plugins_venv: ThrowawayVenv) -> tuple[dict[str, dict], list[str]]:
    output = all_plugins_venv.run(all_plugins_venv.python, TEST_DATA / "probe_imports.py", *VENDOR_SDKS).stdout
    *listing, last = output.strip().splitlines()
    return {entry["name"]: entry for entry in json.loads("\n".join(listing))}, json.loads(last)["imported"]


def test_every_repo_plugin_loads(probed: tuple[dict[str, dict], list[str]]) -> None:
    listed, _imported = probed
    assert len(REPO_PLUGINS) == 10
    repo_entries = {name: entry for name, entry in listed.items() if entry["distribution"] != "cirrostack"}
    assert len(repo_entries) == len(REPO_PLUGINS)
    not_loaded = {name: entry["reason"] for name, entry in listed.items() if entry["status"] not in ("ok", "pending")}
    assert not_loaded == {}


def test_discovery_imports_no_vendor_sdk(probed: tuple[dict[str, dict], list[str]]) -> None:
    _listed, imported = probed
    assert imported == []


def test_probe_sees_modules_that_discovery_does_import(all_plugins_venv: ThrowawayVenv) -> None:
    # Guards the test above against a probe that could never report anything.
    output = all_plugins_venv.run(all_plugins_venv.python, TEST_DATA / "probe_imports.py",
                                  "pluggy", "cirrostack_hv_kvm", "cirrostack_storage_s3").stdout
    assert json.loads(output.strip().splitlines()[-1])["imported"] == [
        "cirrostack_hv_kvm", "cirrostack_storage_s3", "pluggy",
    ]

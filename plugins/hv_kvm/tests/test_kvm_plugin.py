"""Discovery: the installed plugin is `ok` with libvirt-python, `broken` without it, and says
what to install; registering it imports no libvirt."""

from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cirrostack_hv_kvm import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def _kvm_record():
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "kvm"), None)
    assert record is not None, "entry point 'kvm' not found: install cirrostack-hv-kvm first"
    return record, registrations


def test_kvm_is_discovered_ok_and_registers_its_driver_and_settings() -> None:
    record, registrations = _kvm_record()
    assert (record.distribution, record.entry_point) == ("cirrostack-hv-kvm", "cirrostack_hv_kvm.plugin")
    assert record.status is PluginStatus.OK, record.reason
    assert record.summary == plugin.SUMMARY
    assert registrations["hypervisor"]["KVM"][0] == "kvm"
    kvm_settings = {key for key, (owner, _s) in registrations.get("setting", {}).items() if owner == "kvm"}
    assert {"kvm.stop.timeout", "kvm.guest.domain.type", "kvm.template.volume.prefix"} <= kvm_settings


def test_without_libvirt_python_the_plugin_is_broken_and_names_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "libvirt", None)  # find_spec then reports it missing
    record, registrations = _kvm_record()
    assert record.status is PluginStatus.BROKEN
    assert "libvirt-python is not installed" in record.reason
    assert "pip install 'cirrostack-hv-kvm[libvirt]'" in record.reason
    assert "libvirt-dev pkg-config" in record.reason
    assert "KVM" not in registrations.get("hypervisor", {})


def test_discovery_and_registration_import_no_libvirt() -> None:
    probe = ("import sys; from cirrostack.plugins import PluginRegistry; "
             "r = PluginRegistry.load(); r.hypervisor_class('KVM'); print('libvirt' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "False"


def test_without_libvirts_c_library_the_plugin_is_broken_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if name == "virt" else "lib" + name)
    record, _registrations = _kvm_record()
    assert record.status is PluginStatus.BROKEN
    assert "libvirt's C library (libvirt.so.0) is not installed" in record.reason
    assert "libvirt0" in record.reason


def test_cirro_plugins_list_shows_kvm_ok_providing_the_kvm_hypervisor() -> None:
    cirro = Path(sys.executable).with_name("cirro")
    result = subprocess.run([str(cirro), "plugins", "list", "--json"], capture_output=True, text=True, timeout=60,
                            check=True)
    listed = {entry["name"]: entry for entry in json.loads(result.stdout)}
    assert listed["kvm"]["status"] == "ok", listed["kvm"]["reason"]
    assert listed["kvm"]["provides"]["hypervisor"] == ["KVM"]

"""Hook implementations of the KVM hypervisor plugin: the driver, its settings and its VM snapshot
strategy.

libvirt-python is not imported here. Whether it can be imported is checked without importing it;
when it cannot, the plugin raises at registration, so `cirro plugins list` shows it `broken` with
what to install.
"""

from __future__ import annotations

from collections.abc import Callable

from cirrostack.hookspecs import PluginInfo, Setting, hookimpl
from cirrostack.hookspecs.hypervisor import HypervisorDriver
from cirrostack.hookspecs.vm_snapshot import VMSnapshotStrategy
from cirrostack_hv_kvm._availability import require_libvirt

SUMMARY = "KVM hosts managed through libvirt"


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary; raises ImportError naming what to install when libvirt is missing."""
    require_libvirt()
    return PluginInfo(summary=SUMMARY)


@hookimpl
def register_hypervisors(register: Callable[[type[HypervisorDriver]], None]) -> None:
    """Register KvmHypervisor (the module imports no libvirt)."""
    from cirrostack_hv_kvm.driver import KvmHypervisor

    register(KvmHypervisor)


@hookimpl
def register_settings(register: Callable[[Setting], None]) -> None:
    """Register the `kvm.*` settings."""
    from cirrostack_hv_kvm._settings import SETTINGS

    for setting in SETTINGS:
        register(setting)


@hookimpl
def register_vm_snapshot_strategies(register: Callable[[type[VMSnapshotStrategy]], None]) -> None:
    """Register KvmInternalSnapshots, the VM snapshot strategy of KVM VMs."""
    from cirrostack_hv_kvm.snapshot_strategy import KvmInternalSnapshots

    register(KvmInternalSnapshots)

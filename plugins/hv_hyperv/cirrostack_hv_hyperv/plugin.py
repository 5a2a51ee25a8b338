"""Hook implementations of the Hyper-V hypervisor plugin: the driver class and its settings.

Nothing heavy is imported here; pywinrm is imported on the first call that reaches a host.
"""

from __future__ import annotations

from collections.abc import Callable

from cirrostack.hookspecs import PluginInfo, Setting, hookimpl
from cirrostack.hookspecs.hypervisor import HypervisorDriver
from cirrostack.hookspecs.storage import StorageProvider

SUMMARY = "Hyper-V hosts managed over WinRM"


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary."""
    return PluginInfo(summary=SUMMARY)


@hookimpl
def register_hypervisors(register: Callable[[type[HypervisorDriver]], None]) -> None:
    """Register the "Hyperv" driver."""
    from cirrostack_hv_hyperv.driver import HypervDriver

    register(HypervDriver)


@hookimpl
def register_settings(register: Callable[[Setting], None]) -> None:
    """Register the hyperv.* settings (WinRM transport, TLS, timeout, guest switch)."""
    from cirrostack_hv_hyperv._settings import SETTINGS

    for setting in SETTINGS:
        register(setting)


@hookimpl
def register_storage_providers(register: Callable[[type[StorageProvider]], None]) -> None:
    """Register the "SMB" image store provider (secondary storage on SMB shares)."""
    from cirrostack_hv_hyperv.smb_store import SmbImageStore

    register(SmbImageStore)

"""The hook specifications and capability contracts plugins implement.

One module per capability. Each holds a thin registration hook (where to plug in) and the
typed contract class a vendor subclasses (what to do), documented where it is declared.
"""

from cirrostack.hookspecs import api, events, hypervisor, plugin_info, settings
from cirrostack.hookspecs._capability import requires
from cirrostack.hookspecs._markers import PROJECT_NAME, hookimpl, hookspec
from cirrostack.hookspecs.events import LifecycleEvent
from cirrostack.hookspecs.hypervisor import (
    DiskSpec,
    HostInfo,
    HostRef,
    HostState,
    HypervisorCapabilities,
    HypervisorDriver,
    NicSpec,
    PowerState,
    SnapshotInfo,
    SnapshotSpec,
    VMRef,
    VMSpec,
    VMStatus,
)
from cirrostack.hookspecs.plugin_info import PluginInfo
from cirrostack.hookspecs.settings import Setting, SettingScope

#: Every module holding hook specifications, in the order they are added to the manager.
SPEC_MODULES = (plugin_info, settings, events, api, hypervisor)

__all__ = [
    "PROJECT_NAME",
    "SPEC_MODULES",
    "DiskSpec",
    "HostInfo",
    "HostRef",
    "HostState",
    "HypervisorCapabilities",
    "HypervisorDriver",
    "LifecycleEvent",
    "NicSpec",
    "PluginInfo",
    "PowerState",
    "Setting",
    "SettingScope",
    "SnapshotInfo",
    "SnapshotSpec",
    "VMRef",
    "VMSpec",
    "VMStatus",
    "hookimpl",
    "hookspec",
    "requires",
]

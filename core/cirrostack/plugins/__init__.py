"""Plugin discovery (stevedore + pluggy) and the registry the core asks for drivers."""

from cirrostack.plugins.discovery import ENTRY_POINT_GROUP, load_plugins
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.plugins.report import PluginRecord, PluginStatus

__all__ = ["ENTRY_POINT_GROUP", "PluginRecord", "PluginRegistry", "PluginStatus", "load_plugins"]

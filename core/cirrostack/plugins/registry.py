"""The typed facade over loaded plugins: what the rest of the core asks for by name."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import pluggy

from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.events import LifecycleEvent
from cirrostack.hookspecs.hypervisor import HypervisorDriver
from cirrostack.hookspecs.settings import Setting
from cirrostack.plugins._guard import GuardedDriver
from cirrostack.plugins.discovery import Registrations, load_plugins
from cirrostack.plugins.report import PluginRecord

log = logging.getLogger(__name__)


class PluginRegistry:
    """Loaded plugins and what they registered. One per process (see `cirrostack.plugins.registry_for`)."""

    def __init__(self, manager: pluggy.PluginManager, records: list[PluginRecord],
                 registrations: Registrations) -> None:
        self.manager = manager
        self.records = records
        self._registrations = registrations
        self._drivers: dict[tuple[str, str], GuardedDriver] = {}
        self._settings_values: Mapping[str, Any] = {}

    @classmethod
    def load(cls, disabled: Iterable[str] = ()) -> PluginRegistry:
        return cls(*load_plugins(disabled))

    # -- generic -----------------------------------------------------------------------------

    def provided(self, kind: str) -> dict[str, tuple[str, Any]]:
        """Claimed name -> (plugin name, registered object) for one kind."""
        return dict(self._registrations.get(kind, {}))

    def record(self, plugin_name: str) -> PluginRecord | None:
        return next((r for r in self.records if r.name == plugin_name), None)

    def use_settings(self, values: Mapping[str, Any]) -> None:
        """Current setting values handed to drivers created from now on."""
        self._settings_values = values
        self._drivers.clear()

    def driver(self, kind: str, name: str, contract: type) -> GuardedDriver:
        """A guarded driver instance for `name` of `kind`, created on first use."""
        key = (kind, name)
        cached = self._drivers.get(key)
        if cached is not None:
            return cached
        entry = self._lookup(kind, name)
        plugin, cls = entry
        guarded = GuardedDriver(cls(self._settings_values), contract, plugin, f"{kind} {name}")
        self._drivers[key] = guarded
        return guarded

    def _lookup(self, kind: str, name: str) -> tuple[str, Any]:
        entries = self._registrations.get(kind, {})
        if name in entries:
            return entries[name]
        folded = {claimed.lower(): claimed for claimed in entries}
        if name.lower() in folded:
            return entries[folded[name.lower()]]
        available = ", ".join(sorted(entries)) or "none"
        raise InvalidParameter(kind, f"no installed plugin provides {kind} {name!r} (available: {available})")

    # -- typed accessors -----------------------------------------------------------------------

    def hypervisor_types(self) -> list[str]:
        return sorted(self._registrations.get("hypervisor", {}))

    def hypervisor_class(self, hypervisor_type: str) -> type[HypervisorDriver]:
        return self._lookup("hypervisor", hypervisor_type)[1]

    def hypervisor(self, hypervisor_type: str) -> HypervisorDriver:
        """The driver for `hypervisor_type`, behind the core's capability guard."""
        canonical = self.hypervisor_class(hypervisor_type).hypervisor_type
        return self.driver("hypervisor", canonical, HypervisorDriver)  # type: ignore[return-value]

    def settings(self) -> list[Setting]:
        return [setting for _plugin, setting in self._registrations.get("setting", {}).values()]

    def api_commands(self) -> list[Any]:
        return [command for _plugin, command in self._registrations.get("api-command", {}).values()]

    # -- lifecycle -----------------------------------------------------------------------------

    def _each_impl(self, hook: str, **kwargs: Any) -> None:
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            try:
                impl.function(**kwargs)
            except Exception:
                log.exception("plugin %s raised in %s", impl.plugin_name, hook)

    def startup(self, settings: Mapping[str, Any]) -> None:
        self._each_impl("on_startup", settings=settings)

    def shutdown(self) -> None:
        self._each_impl("on_shutdown")

    def notify(self, event: LifecycleEvent) -> None:
        self._each_impl("on_event", event=event)

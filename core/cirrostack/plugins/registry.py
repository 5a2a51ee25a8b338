"""The typed facade over loaded plugins: what the rest of the core asks for by name."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import pluggy

from cirrostack.errors import InvalidParameter, UnsupportedOperation
from cirrostack.hookspecs.events import LifecycleEvent
from cirrostack.hookspecs.hypervisor import HypervisorDriver
from cirrostack.hookspecs.isolation import GuestIsolationMethod
from cirrostack.hookspecs.network_service import NetworkServiceProvider
from cirrostack.hookspecs.settings import Setting
from cirrostack.hookspecs.storage import StorageProvider, StorageRole
from cirrostack.hookspecs.vm_snapshot import SnapshotTarget, StrategyPriority, VMSnapshotStrategy
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

    def driver(self, kind: str, name: str, contract: type, subject: str | None = None) -> GuardedDriver:
        """A guarded driver instance for `name` of `kind`, created on first use.

        `subject` is how refusals name it ("network service provider PaloAlto"); by default
        "<kind> <name>".
        """
        key = (kind, name)
        cached = self._drivers.get(key)
        if cached is not None:
            return cached
        entry = self._lookup(kind, name)
        plugin, cls = entry
        guarded = GuardedDriver(cls(self._settings_values), contract, plugin, subject or f"{kind} {name}")
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

    def isolation_methods(self) -> list[str]:
        return sorted(self._registrations.get("isolation", {}))

    def isolation_method(self, name: str) -> GuestIsolationMethod:
        """The isolation method claiming `name` ("VLAN", "VXLAN"), behind the capability guard."""
        canonical = self._lookup("isolation", name)[1].isolation_method
        return self.driver("isolation", canonical, GuestIsolationMethod,  # type: ignore[return-value]
                           f"isolation method {canonical}")

    def network_providers(self) -> list[str]:
        return sorted(self._registrations.get("network-service", {}))

    def network_provider_class(self, name: str) -> type[NetworkServiceProvider]:
        """The provider class, e.g. to validate device details before any device exists."""
        return self._lookup("network-service", name)[1]

    def network_provider(self, name: str) -> NetworkServiceProvider:
        """The network service provider `name` ("VirtualRouter", "PaloAlto"), behind the guard."""
        canonical = self.network_provider_class(name).provider_name
        return self.driver("network-service", canonical, NetworkServiceProvider,  # type: ignore[return-value]
                           f"network service provider {canonical}")

    def storage_providers(self, role: StorageRole | None = None) -> list[str]:
        """Names of the storage providers, only those able to take `role` when given
        (listStorageProviders type=primary|image|imagecache)."""
        entries = self._registrations.get("storage", {})
        return sorted(name for name, (_plugin, cls) in entries.items()
                      if role is None or role in cls.capabilities.roles)

    def storage_provider_class(self, name: str) -> type[StorageProvider]:
        """The provider class, e.g. to validate addImageStore `details` before calling it."""
        return self._lookup("storage", name)[1]

    def storage_provider(self, name: str) -> StorageProvider:
        """The storage provider `name` ("NFS", "S3", "DefaultPrimary"), behind the guard."""
        canonical = self.storage_provider_class(name).provider_name
        return self.driver("storage", canonical, StorageProvider,  # type: ignore[return-value]
                           f"storage provider {canonical}")

    def vm_snapshot_strategies(self) -> list[str]:
        return sorted(self._registrations.get("vm-snapshot", {}))

    def vm_snapshot_strategy(self, name: str) -> VMSnapshotStrategy:
        """The VM snapshot strategy claiming `name`, behind the guard."""
        canonical = self._lookup("vm-snapshot", name)[1].strategy_name
        return self.driver("vm-snapshot", canonical, VMSnapshotStrategy,  # type: ignore[return-value]
                           f"VM snapshot strategy {canonical}")

    def vm_snapshot_strategy_for(self, target: SnapshotTarget) -> VMSnapshotStrategy:
        """The strategy answering the highest priority for `target`; ties go to the first name
        in alphabetical order, so the choice does not depend on installation order.

        Raises UnsupportedOperation naming the VM, its hypervisor type and storage providers when
        every strategy answers CANT_HANDLE; PluginError when a strategy's `can_handle` raises.
        """
        best: tuple[StrategyPriority, str] | None = None
        for name in self.vm_snapshot_strategies():
            priority = StrategyPriority(self.vm_snapshot_strategy(name).can_handle(target))
            if priority > StrategyPriority.CANT_HANDLE and (best is None or priority > best[0]):
                best = (priority, name)
        if best is None:
            storage = ", ".join(sorted(target.storage_providers)) or "unknown storage"
            installed = ", ".join(self.vm_snapshot_strategies()) or "none"
            raise UnsupportedOperation(
                f"VM {target.vm.instance_name}: no VM snapshot strategy handles hypervisor "
                f"{target.hypervisor_type} with volumes on {storage} (installed strategies: {installed})")
        return self.vm_snapshot_strategy(best[1])

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

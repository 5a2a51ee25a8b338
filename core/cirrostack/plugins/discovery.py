"""Finding, loading and validating plugins.

stevedore loads the entry points of the `cirrostack.plugins` group; pluggy registers each loaded
module and validates its hook implementations against the specifications. Every step that can
fail for one plugin is confined to that plugin: it is reported (distribution, version, entry
point, exact reason) and left out, and every other plugin still loads.

Order of checks, before anything is imported: disabled by configuration, then the core version
the distribution requires. Then import (stevedore), hook validation (pluggy), and finally the
names it registers, which must not collide with names an earlier plugin already claimed.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import pluggy
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version
from stevedore import NamedExtensionManager

import cirrostack
from cirrostack import hookspecs
from cirrostack.plugins._kinds import KINDS, Kind, check_type
from cirrostack.plugins.report import PluginRecord, PluginStatus

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "cirrostack.plugins"
CORE_DISTRIBUTION = "cirrostack"

Registrations = dict[str, dict[str, tuple[str, Any]]]  # kind -> claimed name -> (plugin, object)


def new_plugin_manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    for module in hookspecs.SPEC_MODULES:
        manager.add_hookspecs(module)
    return manager


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    found = list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))

    def order(ep: importlib.metadata.EntryPoint) -> tuple[int, str, str]:
        dist = ep.dist.name if ep.dist else ""
        return (0 if _normalise(dist) == CORE_DISTRIBUTION else 1, ep.name, dist)

    return sorted(found, key=order)


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-")


def _record_for(ep: importlib.metadata.EntryPoint) -> PluginRecord:
    dist = ep.dist
    return PluginRecord(
        name=ep.name,
        distribution=dist.name if dist else "?",
        version=dist.version if dist else "?",
        entry_point=ep.value,
        summary=(dist.metadata.get("Summary") or "") if dist else "",
    )


def _core_requirement_problem(ep: importlib.metadata.EntryPoint) -> str | None:
    """Why this distribution cannot run on the installed core, or None when it can."""
    dist = ep.dist
    if dist is None or _normalise(dist.name) == CORE_DISTRIBUTION:
        return None
    installed = Version(cirrostack.__version__)
    for text in dist.requires or ():
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        if _normalise(requirement.name) != CORE_DISTRIBUTION:
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        try:
            if not requirement.specifier.contains(installed, prereleases=True):
                return (
                    f"requires {requirement.name}{requirement.specifier}, "
                    f"but the installed core is {installed}"
                )
        except InvalidVersion:
            return f"has an unreadable core requirement {text!r}"
    return None


def _import_plugins(names: list[str], records: dict[str, PluginRecord]) -> dict[str, ModuleType]:
    """Import the named entry points with stevedore; failures mark their record broken."""
    if not names:
        return {}

    def failed(_manager: Any, ep: importlib.metadata.EntryPoint, exc: BaseException) -> None:
        record = records.get(ep.name)
        if record is not None:
            record.mark_broken(f"import failed: {type(exc).__name__}: {exc}")
            log.debug("import of plugin %s failed", ep.name, exc_info=exc)

    manager = NamedExtensionManager(
        ENTRY_POINT_GROUP,
        names=names,
        invoke_on_load=False,
        on_load_failure_callback=failed,
        on_missing_entrypoints_callback=None,
    )
    return {ext.name: ext.plugin for ext in manager.extensions if ext.name in records}


def _call_own_impls(manager: pluggy.PluginManager, plugin_name: str, hook: str, **kwargs: Any) -> list[Any]:
    caller = getattr(manager.hook, hook)
    return [impl.function(**kwargs) for impl in caller.get_hookimpls() if impl.plugin_name == plugin_name]


def _unknown_hooks(manager: pluggy.PluginManager, plugin: object) -> list[str]:
    callers = manager.get_hookcallers(plugin) or []
    return sorted(caller.name for caller in callers if caller.spec is None)


def _collect(manager: pluggy.PluginManager, record: PluginRecord, accepted: Registrations) -> Registrations:
    """Everything `record`'s plugin registers, checked for type and for clashes with `accepted`."""
    mine: Registrations = {}
    for kind in KINDS:
        found: dict[str, tuple[str, Any]] = {}

        def register(obj: Any, _kind: Kind = kind, _found: dict[str, tuple[str, Any]] = found) -> None:
            check_type(_kind, obj)
            claim = _kind.claim(obj)
            owner = accepted.get(_kind.name, {}).get(claim)
            if owner is not None:
                raise LookupError(f"{_kind.name} {claim!r} is already provided by plugin {owner[0]}")
            if claim in _found:
                raise LookupError(f"{_kind.name} {claim!r} is registered twice")
            _found[claim] = (record.name, obj)

        _call_own_impls(manager, record.name, kind.hook, register=register)
        if found:
            mine[kind.name] = found
    return mine


def load_plugins(disabled: Iterable[str] = ()) -> tuple[pluggy.PluginManager, list[PluginRecord], Registrations]:
    """Discover, load and validate every installed plugin.

    Returns the pluggy manager holding the plugins that loaded, a record per entry point
    (loaded or not), and what the loaded plugins registered, by kind and claimed name.
    Never raises for a plugin's fault.
    """
    disabled_names = {name.strip() for name in disabled if name.strip()}
    records: dict[str, PluginRecord] = {}
    ordered: list[PluginRecord] = []
    for ep in _entry_points():
        record = _record_for(ep)
        ordered.append(record)
        if ep.name in records:
            record.mark_broken(f"entry point name {ep.name!r} is already used by {records[ep.name].distribution}")
            continue
        records[ep.name] = record
        if ep.name in disabled_names:
            record.status = PluginStatus.DISABLED
            record.reason = "disabled by configuration (disabled_plugins)"
            continue
        problem = _core_requirement_problem(ep)
        if problem:
            record.mark_broken(problem)

    wanted = [r.name for r in ordered if r.status is PluginStatus.OK and records.get(r.name) is r]
    modules = _import_plugins(wanted, records)

    manager = new_plugin_manager()
    accepted: Registrations = {}
    for record in ordered:
        if record.status is not PluginStatus.OK or records.get(record.name) is not record:
            continue
        module = modules.get(record.name)
        if module is None:
            if record.status is PluginStatus.OK:
                record.mark_broken("entry point could not be loaded")
            continue
        _register_one(manager, record, module, accepted)

    for record in ordered:
        if record.status is PluginStatus.BROKEN:
            log.warning(record.log_line())
    return manager, ordered, accepted


def _register_one(manager: pluggy.PluginManager, record: PluginRecord, module: ModuleType,
                  accepted: Registrations) -> None:
    try:
        manager.register(module, name=record.name)
    except Exception as exc:  # pluggy.PluginValidationError and ValueError for a reused name
        record.mark_broken(f"hook validation failed: {exc}")
        return
    try:
        unknown = _unknown_hooks(manager, module)
        if unknown:
            raise TypeError(f"implements hooks that do not exist: {', '.join(unknown)}")
        info = _call_own_impls(manager, record.name, "describe_plugin")
        if info:
            if not isinstance(info[0], hookspecs.PluginInfo):
                raise TypeError("describe_plugin must return a cirrostack.hookspecs.PluginInfo")
            record.summary = info[0].summary or record.summary
            if info[0].pending:
                record.status = PluginStatus.PENDING
                record.reason = info[0].pending
        mine = _collect(manager, record, accepted)
    except Exception as exc:
        manager.unregister(module)
        record.mark_broken(f"registration failed: {type(exc).__name__}: {exc}")
        log.debug("registration of plugin %s failed", record.name, exc_info=exc)
        return
    for kind_name, claims in mine.items():
        accepted.setdefault(kind_name, {}).update(claims)
    record.provides = {
        kind.name: sorted(mine[kind.name]) for kind in KINDS if kind.listed and kind.name in mine
    }

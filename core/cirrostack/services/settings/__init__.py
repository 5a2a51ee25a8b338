"""Configuration values: what listConfigurations shows and every service reads.

Definitions are `Setting` objects: the core's catalogue (`catalog.CORE_SETTINGS`) plus what
plugins register (`use_plugin_settings(registry.settings())`, done once at server start).
Values live in the `configuration` table, one row per key and scope; names compare
case-insensitively, as CloudStack's MySQL collation made them.

Public functions other services call:

    value(session, key, *, zone_id=None, cluster_id=None, account_id=None, storage_id=None,
          secrets=None) -> Any
        The value at the most specific scope the key supports (zone, cluster, account or
        storage pool, when that id is given), else the global value, else the declared default,
        converted to the declared type. Secret keys need `secrets` (a SecretBox) to decrypt.

    set_value(session, caller, key, value, *, zone_id=None, cluster_id=None, account_id=None,
              storage_id=None, secrets=None) -> Setting
        Validates `value` (text or a typed value) and stores it at global scope or at the one
        scope given; None or "" removes the value there (back to global/default). Records a
        CONFIGURATION.VALUE.EDIT event. Errors: 431 naming `name` (unknown key), `value` (wrong
        type or range, naming the key and the expected type) or the scope parameter.

    definition(key) -> Setting;  definitions() -> list[Setting]
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from cirrostack.db.models import ConfigurationValue
from cirrostack.errors import CirroError, InvalidParameter
from cirrostack.hookspecs.settings import Setting, SettingScope
from cirrostack.services.context import Caller
from cirrostack.services.settings import _cache
from cirrostack.services.settings._convert import expected, parse, to_text
from cirrostack.services.settings.catalog import CORE_SETTINGS, STATIC_KEYS

log = logging.getLogger(__name__)

MASK = "********"

#: API parameter naming each scope, as updateConfiguration and listConfigurations call it.
SCOPE_PARAMS = {SettingScope.ZONE: "zoneid", SettingScope.CLUSTER: "clusterid",
                SettingScope.ACCOUNT: "accountid", SettingScope.STORAGE: "storageid"}

_core: dict[str, Setting] = {setting.key.lower(): setting for setting in CORE_SETTINGS}
_plugins: dict[str, Setting] = {}


def use_plugin_settings(settings: Iterable[Setting]) -> None:
    """Make plugin-registered keys known (the server passes `registry.settings()` at start).

    A plugin key equal to a core key is ignored with a warning: the core's definition stays.
    """
    _plugins.clear()
    for setting in settings:
        lowered = setting.key.lower()
        if lowered in _core:
            log.warning("plugin setting %s clashes with the core's setting of that name; the core's is kept",
                        setting.key)
            continue
        _plugins[lowered] = setting


def definitions() -> list[Setting]:
    """Every known setting, core and plugins, sorted by key."""
    return sorted([*_core.values(), *_plugins.values()], key=lambda s: s.key.lower())


def is_plugin_setting(setting: Setting) -> bool:
    return setting.key.lower() in _plugins


def is_dynamic(setting: Setting) -> bool:
    """False for the few keys read only when the server starts (a change needs a restart)."""
    return setting.key.lower() not in STATIC_KEYS


def definition(key: str, param: str = "name") -> Setting:
    """The setting called `key` (any case); an unknown key is a 431 naming `param`."""
    found = _core.get(key.lower()) or _plugins.get(key.lower())
    if found is None:
        raise InvalidParameter(param, f"there is no configuration setting called {key!r}")
    return found


def value(session: Session, key: str, *, zone_id: int | None = None, cluster_id: int | None = None,
          account_id: int | None = None, storage_id: int | None = None, secrets: Any = None) -> Any:
    """The effective value of `key` for the given objects (see the module docstring)."""
    setting = definition(key)
    ids = {SettingScope.ZONE: zone_id, SettingScope.CLUSTER: cluster_id,
           SettingScope.ACCOUNT: account_id, SettingScope.STORAGE: storage_id}
    scope_id = ids[setting.scope] if setting.scope is not SettingScope.GLOBAL else None
    text = _effective_text(session, setting, scope_id)
    if text is None:
        return setting.default
    if setting.secret:
        if secrets is None:
            raise CirroError(f"setting {setting.key} is a secret; reading it needs the server's secret key")
        text = secrets.decrypt(text)
    try:
        return parse(setting, text)
    except InvalidParameter:
        raise CirroError(f"setting {setting.key} holds {text!r}, but it expects {expected(setting)}") from None


def stored_text(session: Session, setting: Setting, scope: SettingScope, scope_id: int) -> str | None:
    """The raw stored text of `setting` at one scope (encrypted for secrets), None when unset."""
    row = _row(session, setting, scope, scope_id)
    return None if row is None else row.value


def set_value(session: Session, caller: Caller | None, key: str, new_value: Any, *, zone_id: int | None = None,
              cluster_id: int | None = None, account_id: int | None = None, storage_id: int | None = None,
              secrets: Any = None) -> Setting:
    """Validate and store a value (see the module docstring); returns the setting's definition."""
    from cirrostack.services import events

    setting = definition(key)
    scope, scope_id = _target_scope(setting, {SettingScope.ZONE: zone_id, SettingScope.CLUSTER: cluster_id,
                                              SettingScope.ACCOUNT: account_id, SettingScope.STORAGE: storage_id})
    text = new_value if isinstance(new_value, str) or new_value is None else to_text(setting, new_value)
    row = _row(session, setting, scope, scope_id)
    _cache.note_change(session)
    if text is None or text.strip() == "":
        if row is not None:
            session.delete(row)
        shown = "the default" if scope is SettingScope.GLOBAL else "the global value"
        description = f"Reset configuration {setting.key} at {_where(scope, scope_id)} to {shown}"
    else:
        stored = to_text(setting, parse(setting, text))
        if setting.secret:
            if secrets is None:
                raise CirroError(f"setting {setting.key} is a secret; storing it needs the server's secret key")
            stored = secrets.encrypt(stored)
        if row is None:
            row = ConfigurationValue(name=setting.key, category=setting.category, scope=scope.value,
                                     scope_id=scope_id)
            session.add(row)
        row.value = stored
        description = f"Set configuration {setting.key} at {_where(scope, scope_id)}"
    session.flush()
    events.record(session, caller, "CONFIGURATION.VALUE.EDIT", description, resource_type="Configuration")
    return setting


@dataclass(frozen=True)
class Shown:
    """One row of listConfigurations: a setting and its value as the API shows it."""

    setting: Setting
    value: str | None
    scope_id: int | None  # the object's id when listed for one zone/cluster/account/pool


def shown_values(session: Session, *, name: str | None = None, category: str | None = None,
                 keyword: str | None = None, scope: SettingScope | None = None,
                 scope_id: int | None = None) -> list[Shown]:
    """Settings matching the filters with their values as listConfigurations shows them.

    With a `scope` (and that object's id) only keys of that scope are listed, each with the
    value there or else the global one. Secret values are masked. `name` matches part of the
    key, case-insensitively, as CloudStack's filter does.
    """
    found = []
    for setting in definitions():
        if name and name.lower() not in setting.key.lower():
            continue
        if category and category.lower() != setting.category.lower():
            continue
        if keyword and keyword.lower() not in setting.key.lower():
            continue
        if scope is not None and setting.scope is not scope:
            continue
        text = None
        if scope is not None and scope_id is not None:
            text = stored_text(session, setting, scope, scope_id)
        if text is None:
            text = stored_text(session, setting, SettingScope.GLOBAL, 0)
        if text is None:
            text = to_text(setting, setting.default)
        elif setting.secret:
            text = MASK
        found.append(Shown(setting, text, scope_id if scope is not None else None))
    return found


def plugin_values(session: Session, secrets: Any = None) -> dict[str, Any]:
    """Global values of every plugin-registered key (what `registry.use_settings` hands drivers)."""
    return {s.key: value(session, s.key, secrets=secrets) for s in _plugins.values()
            if not s.secret or secrets is not None}


def _effective_text(session: Session, setting: Setting, scope_id: int | None) -> str | None:
    """The stored text at the setting's own scope for `scope_id` if there is one, else the global text.
    One query reads both (services read settings in every deploy and list request), and its answer is
    cached for a few seconds (`_cache`)."""
    return _cache.cached_text(session, (setting.key.lower(), scope_id),
                              lambda: _read_effective_text(session, setting, scope_id))


def _read_effective_text(session: Session, setting: Setting, scope_id: int | None) -> str | None:
    at = [and_(ConfigurationValue.scope == SettingScope.GLOBAL.value, ConfigurationValue.scope_id == 0)]
    if scope_id is not None:
        at.append(and_(ConfigurationValue.scope == setting.scope.value, ConfigurationValue.scope_id == scope_id))
    stored = dict(session.execute(select(ConfigurationValue.scope, ConfigurationValue.value).where(
        func.lower(ConfigurationValue.name) == setting.key.lower(), or_(*at))).all())
    if scope_id is not None and stored.get(setting.scope.value) is not None:
        return stored[setting.scope.value]
    return stored.get(SettingScope.GLOBAL.value)


def _row(session: Session, setting: Setting, scope: SettingScope, scope_id: int) -> ConfigurationValue | None:
    return session.scalar(select(ConfigurationValue).where(
        func.lower(ConfigurationValue.name) == setting.key.lower(),
        ConfigurationValue.scope == scope.value, ConfigurationValue.scope_id == scope_id))


def _target_scope(setting: Setting, ids: dict[SettingScope, int | None]) -> tuple[SettingScope, int]:
    given = [(scope, object_id) for scope, object_id in ids.items() if object_id is not None]
    if not given:
        return SettingScope.GLOBAL, 0
    if len(given) > 1:
        names = ", ".join(SCOPE_PARAMS[scope] for scope, _ in given)
        raise InvalidParameter(names, "give at most one of zoneid, clusterid, accountid and storageid")
    scope, object_id = given[0]
    if scope is not setting.scope:
        raise InvalidParameter(SCOPE_PARAMS[scope], f"{setting.key} has {setting.scope.value} scope; it cannot "
                                                    f"be set per {scope.value}")
    return scope, object_id


def _where(scope: SettingScope, scope_id: int) -> str:
    return "global scope" if scope is SettingScope.GLOBAL else f"{scope.value} {scope_id}"


__all__ = ["MASK", "SCOPE_PARAMS", "Setting", "SettingScope", "Shown", "definition", "definitions", "is_dynamic",
           "is_plugin_setting", "plugin_values", "set_value", "shown_values", "stored_text", "use_plugin_settings",
           "value"]

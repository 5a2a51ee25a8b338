"""Settings: configuration keys the core and plugins register, shown by listConfigurations."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cirrostack.hookspecs._markers import hookspec


class SettingScope(enum.Enum):
    """Where a value may be overridden, as CloudStack scopes its configuration."""

    GLOBAL = "global"
    ZONE = "zone"
    CLUSTER = "cluster"
    STORAGE = "storagepool"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Setting:
    """One configuration key.

    `type` is one of bool, int, float, str; values arriving as text are converted and
    validated against it (a bad value is a 431 naming the key and the expected type).
    `secret` values are encrypted at rest and never shown in clear by the API.
    """

    key: str
    default: Any
    type: type
    description: str
    scope: SettingScope = SettingScope.GLOBAL
    category: str = "Advanced"
    secret: bool = False
    minimum: float | None = None
    maximum: float | None = None


@hookspec
def register_settings(register: Callable[[Setting], None]) -> None:
    """Call `register(setting)` for each configuration key the plugin reads.

    Keys are global names, so prefix them with the plugin's area (`kvm.`, `hyperv.`).
    A key another plugin (or the core) already registered is a conflict: the plugin is left out.
    """

"""The kinds of things plugins register, and how the core tells two registrations apart.

Each kind names its registration hook, the base class (or type) a registered object must be,
and how to get the name it claims. Two plugins claiming the same name of one kind conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cirrostack.hookspecs.hypervisor import HypervisorDriver
from cirrostack.hookspecs.isolation import GuestIsolationMethod
from cirrostack.hookspecs.network_service import NetworkServiceProvider
from cirrostack.hookspecs.settings import Setting
from cirrostack.hookspecs.storage import StorageProvider
from cirrostack.hookspecs.vm_snapshot import VMSnapshotStrategy


@dataclass(frozen=True)
class Kind:
    name: str  # as `cirro plugins list` shows it: "hypervisor", "setting", ...
    hook: str  # the registration hook's name
    base: type
    claim: Callable[[Any], str]  # the name a registered object claims
    is_class: bool = True  # registered objects are classes (drivers) rather than instances
    listed: bool = True  # shown as a capability in `cirro plugins list`


def _class_attribute(attribute: str) -> Callable[[Any], str]:
    def claim(cls: Any) -> str:
        value = getattr(cls, attribute, None)
        if not isinstance(value, str) or not value:
            raise TypeError(f"{cls.__qualname__} must set the class attribute {attribute!r} to a non-empty str")
        return value

    return claim


def _command_name(command: Any) -> str:
    name = getattr(command, "name", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{command!r} is not an API command declaration (no name)")
    return name


def _api_command_base() -> type:
    from cirrostack.api.declaration import Command

    return Command


KINDS: list[Kind] = [
    Kind("hypervisor", "register_hypervisors", HypervisorDriver, _class_attribute("hypervisor_type")),
    Kind("isolation", "register_isolation_methods", GuestIsolationMethod, _class_attribute("isolation_method")),
    Kind("network-service", "register_network_providers", NetworkServiceProvider, _class_attribute("provider_name")),
    Kind("storage", "register_storage_providers", StorageProvider, _class_attribute("provider_name")),
    Kind("vm-snapshot", "register_vm_snapshot_strategies", VMSnapshotStrategy, _class_attribute("strategy_name")),
    Kind("setting", "register_settings", Setting, lambda s: s.key.lower(), is_class=False, listed=False),
]

#: API commands are checked against `cirrostack.api.declaration.Command`, imported on first use
#: so that discovery does not load Flask.
API_COMMAND_KIND = Kind("api-command", "register_api_commands", object, _command_name, is_class=False)
KINDS.append(API_COMMAND_KIND)


def check_type(kind: Kind, obj: Any) -> None:
    """Raise TypeError when `obj` is not what `kind` registers."""
    base = _api_command_base() if kind is API_COMMAND_KIND else kind.base
    if kind.is_class:
        if not (isinstance(obj, type) and issubclass(obj, base)):
            raise TypeError(f"{kind.hook} registered {obj!r}, which is not a subclass of {base.__qualname__}")
        abstract = sorted(getattr(obj, "__abstractmethods__", ()))
        if abstract:
            raise TypeError(f"{obj.__qualname__} leaves contract methods unimplemented: {', '.join(abstract)}")
    elif not isinstance(obj, base):
        raise TypeError(f"{kind.hook} registered {obj!r}, which is not a {base.__qualname__}")

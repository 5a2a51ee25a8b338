"""Which hypervisor types the installed plugins provide, and why one is missing."""

from __future__ import annotations

from cirrostack.errors import InvalidParameter
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.plugins.report import PluginStatus


def installed_type(registry: PluginRegistry, value: str, param: str = "hypervisor") -> str:
    """The hypervisor type as its plugin spells it ("kvm" -> "KVM").

    A type no loaded plugin provides is a 431 naming `param`: when a plugin that looks like its
    provider failed to load, the message gives that plugin's recorded reason; otherwise it lists
    the installed types.
    """
    wanted = value.strip()
    for claimed in registry.hypervisor_types():
        if claimed.lower() == wanted.lower():
            return registry.hypervisor_class(claimed).hypervisor_type
    installed = ", ".join(registry.hypervisor_types()) or "none"
    broken = _failed_provider(registry, wanted)
    if broken is not None:
        raise InvalidParameter(param, f"plugin {broken[0]} for hypervisor {wanted} is not loaded: {broken[1]} "
                                      f"(installed hypervisor types: {installed})")
    raise InvalidParameter(param, f"no installed plugin provides hypervisor {wanted!r} "
                                  f"(installed hypervisor types: {installed})")


def _failed_provider(registry: PluginRegistry, hypervisor: str) -> tuple[str, str] | None:
    """(plugin name, reason) of a plugin that did not load and whose name or distribution names
    the hypervisor; a failed plugin's registrations are unknown, so its name is the only clue."""
    key = hypervisor.lower()
    for record in registry.records:
        if record.status is not PluginStatus.BROKEN:
            continue
        if key in record.name.lower() or key in record.distribution.lower().replace("-", "_"):
            return record.name, record.reason or "no reason recorded"
    return None

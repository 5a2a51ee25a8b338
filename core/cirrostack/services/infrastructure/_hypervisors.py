"""Which hypervisor types the installed plugins provide, and why one is missing."""

from __future__ import annotations

from cirrostack.errors import InvalidParameter
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.plugins.report import PluginStatus


def installed_type(registry: PluginRegistry, value: str, param: str = "hypervisor") -> str:
    """The hypervisor type as its plugin spells it ("kvm" -> "KVM").

    A type no loaded plugin provides is a 431 naming `param` and the installed types; when a
    plugin that looks like its provider is broken, disabled or pending, the message says so with
    the reason from its plugin record.
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
    """(plugin name, reason) of a plugin that provides no hypervisor and whose name or distribution
    names this one: broken, disabled, or pending. A failed plugin's registrations are unknown, so
    its name is the only clue."""
    key = hypervisor.lower()
    for record in registry.records:
        if record.status is PluginStatus.OK or record.provides.get("hypervisor"):
            continue
        if key in record.name.lower() or key in record.distribution.lower().replace("-", "_"):
            return record.name, _why(record.status, record.reason or record.summary)
    return None


def _why(status: PluginStatus, reason: str) -> str:
    if status is PluginStatus.DISABLED:
        return "it is disabled in the server configuration"
    if status is PluginStatus.PENDING:
        return f"it does not provide a driver yet ({reason or 'pending'})"
    return reason or "no reason recorded"

"""What a plugin says about itself, for `cirro plugins list` and the operator."""

from __future__ import annotations

from dataclasses import dataclass

from cirrostack.hookspecs._markers import hookspec


@dataclass(frozen=True)
class PluginInfo:
    """A plugin's own description.

    `pending` names, in plain words, what the plugin does not deliver yet. A plugin with a
    `pending` text is listed with status `pending`: it loads, but operators see what is missing.
    """

    summary: str
    pending: str = ""


@hookspec(firstresult=True)
def describe_plugin() -> PluginInfo:
    """Return this plugin's PluginInfo. Optional: without it the distribution summary is shown."""

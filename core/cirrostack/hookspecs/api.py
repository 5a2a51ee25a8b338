"""Plugin-contributed API commands.

A plugin declares a command exactly as the core declares its own (see `cirrostack.api.Command`):
name, description, typed parameters, response, async or not, roles. The dispatcher, validation,
`listApis` and the generated API reference read that one declaration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cirrostack.hookspecs._markers import hookspec


@hookspec
def register_api_commands(register: Callable[[Any], None]) -> None:
    """Call `register(command)` for each `cirrostack.api.Command` the plugin adds.

    A command name the core or another plugin already declares is a conflict: the plugin is
    left out and reported. Handlers call core services; they never touch Flask.
    """

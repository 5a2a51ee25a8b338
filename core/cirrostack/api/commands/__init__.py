"""The core's API commands, one module per command or small group.

Every module-level `Command` in this package (and its subpackages) is a core command;
`core_commands()` collects them, so adding a command means adding a module, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil

from cirrostack.api.declaration import Command


def core_commands() -> list[Command]:
    """Every `Command` declared at module level in this package, sorted by name.

    Raises ValueError when two modules declare the same command name.
    """
    found: dict[int, Command] = {}
    for module_info in pkgutil.walk_packages(__path__, prefix=__name__ + "."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, Command):
                found[id(value)] = value
    commands = sorted(found.values(), key=lambda command: command.name)
    names = [command.name for command in commands]
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise ValueError(f"API commands declared twice in cirrostack.api.commands: {', '.join(duplicated)}")
    return commands

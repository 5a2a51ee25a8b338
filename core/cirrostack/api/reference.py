"""The API reference in docs/api/, generated from the command declarations.

One markdown page per command plus `index.md`. `cirro api-docs` rewrites the folder;
`cirro api-docs --check` (and the test suite) fail when it is stale or when a command, parameter
or response field has no description.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from cirrostack.api.commands.list_apis import param_entity, related_commands
from cirrostack.api.declaration import Command, CommandKind, Field
from cirrostack.services.context import ROLE_BIT

_KIND_TEXT = {CommandKind.LIST: "list", CommandKind.OBJECT: "object", CommandKind.SUCCESS: "success"}


def missing_descriptions(commands: Iterable[Command]) -> list[str]:
    """`command`, `command.param` and `command:field` names that lack a description."""
    missing: list[str] = []
    for command in commands:
        if not command.description.strip():
            missing.append(command.name)
        missing += [f"{command.name}.{p.name}" for p in command.params if not p.doc.strip()]
        missing += [f"{command.name}:{name}" for name in _undocumented_fields(command.response.fields)]
    return missing


def _undocumented_fields(fields: Iterable[Field], prefix: str = "") -> list[str]:
    out: list[str] = []
    for field in fields:
        if not field.doc.strip():
            out.append(prefix + field.name)
        out += _undocumented_fields(field.children, f"{prefix}{field.name}.")
    return out


def render_reference(commands: Iterable[Command]) -> dict[str, str]:
    """File name -> markdown text for every command page and the index."""
    table = {command.name: command for command in commands}
    pages = {f"{name}.md": render_command(command, table) for name, command in sorted(table.items())}
    pages["index.md"] = render_index(table)
    return pages


def _roles(mask: int) -> str:
    return ", ".join(t.name.lower().replace("_", " ") for t, bit in ROLE_BIT.items() if bit & mask)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _kind(command: Command) -> str:
    if command.is_async:
        return "async create (replies id and jobid)" if command.creates else "async (replies jobid)"
    return f"sync {_KIND_TEXT[command.kind]}"


def render_index(table: Mapping[str, Command]) -> str:
    lines = ["# API reference", "",
             "Generated from the command declarations by `cirro api-docs`; do not edit by hand.",
             "Requests go to `/client/api`; see `docs/configuration.md` for the server and the protocol notes.", "",
             "| Command | Kind | Roles | Description |", "|---|---|---|---|"]
    for name, command in sorted(table.items()):
        lines.append(f"| [{name}]({name}.md) | {_kind(command)} | {_roles(command.roles)} | "
                     f"{_cell(command.description)} |")
    return "\n".join(lines) + "\n"


def render_command(command: Command, table: Mapping[str, Command]) -> str:
    lines = [f"# {command.name}", "", command.description.strip(), "",
             f"- Kind: {_kind(command)}",
             f"- Roles: {_roles(command.roles)}",
             f"- Response name: `{command.wire_response_name}`"
             + (f", object `{command.response.object_name}`" if command.kind is not CommandKind.SUCCESS else "")]
    if command.since:
        lines.append(f"- Since: {command.since}")
    if not command.listed:
        lines.append("- Not listed by listApis and never signed; answered before authentication.")
    related = related_commands(command, table)
    if related:
        lines.append("- Related: " + ", ".join(f"[{name}]({name}.md)" for name in related))
    lines += ["", "## Parameters", ""]
    if command.params:
        lines += ["| Name | Type | Required | Description |", "|---|---|---|---|"]
        for param in command.params:
            extra = []
            if param_entity(param):
                extra.append(f"names a {param_entity(param)}")
            if param.since:
                extra.append(f"since {param.since}")
            if param.roles != command.roles and param.roles & command.roles != command.roles:
                extra.append(f"only for {_roles(param.roles)}")
            note = f" ({'; '.join(extra)})" if extra else ""
            lines.append(f"| `{param.name}` | {param.type.wire_name} | {'yes' if param.required else 'no'} | "
                         f"{_cell(param.doc)}{note} |")
    else:
        lines.append("None.")
    lines += ["", "## Response", "", "| Field | Type | Description |", "|---|---|---|"]
    lines += _field_rows(command.response.fields)
    return "\n".join(lines) + "\n"


def _field_rows(fields: Iterable[Field], prefix: str = "") -> list[str]:
    rows: list[str] = []
    for field in fields:
        rows.append(f"| `{prefix}{field.name}` | {field.type} | {_cell(field.doc)} |")
        rows += _field_rows(field.children, f"{prefix}{field.name}.")
    return rows


def write_reference(commands: Iterable[Command], folder: Path) -> list[str]:
    """Write the pages to `folder`, deleting pages of commands that no longer exist.
    Returns the names of files written or removed."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = render_reference(commands)
    changed = []
    for name, text in pages.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(name)
    for path in folder.glob("*.md"):
        if path.name not in pages:
            path.unlink()
            changed.append(path.name)
    return sorted(changed)


def stale_pages(commands: Iterable[Command], folder: Path) -> list[str]:
    """Pages in `folder` that differ from what the declarations generate, are missing, or are extra."""
    pages = render_reference(commands)
    stale = [name for name, text in pages.items()
             if not (folder / name).exists() or (folder / name).read_text(encoding="utf-8") != text]
    stale += [path.name for path in folder.glob("*.md") if path.name not in pages]
    return sorted(stale)

"""`cirro plugins list`: every installed plugin, what it provides and whether it loaded."""

from __future__ import annotations

import json

import click

from cirrostack.config import ServerConfig


@click.group()
def plugins() -> None:
    """Inspect installed plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
              help="Configuration file (its disabled_plugins are honoured).")
def list_plugins(as_json: bool, config_file: str | None) -> None:
    """List plugins with distribution, version, capabilities and status (ok, pending, disabled, broken)."""
    from cirrostack.plugins import load_plugins

    try:
        config = ServerConfig.load(config_file)
    except (OSError, ValueError) as exc:  # a missing or unreadable file, a bad key or value
        raise click.ClickException(f"configuration: {exc}") from None
    _manager, records, _registrations = load_plugins(config.disabled_plugins)
    if as_json:
        click.echo(json.dumps([record.as_dict() for record in records], indent=2))
        return
    if not records:
        click.echo("no plugins installed")
        return
    rows = [("PLUGIN", "DISTRIBUTION", "VERSION", "STATUS", "PROVIDES", "NOTE")]
    for record in records:
        provides = "; ".join(f"{kind}: {', '.join(names)}" for kind, names in record.provides.items()) or "-"
        rows.append((record.name, record.distribution, record.version, record.status.value, provides,
                     record.reason or record.summary))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    for row in rows:
        click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:5])) + "  " + row[5])

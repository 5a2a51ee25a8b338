"""`cirro plugin new`: scaffold a plugin distribution that installs, is discovered and runs the kit."""

from __future__ import annotations

from pathlib import Path

import click

from cirrostack.scaffold import SCAFFOLD_KINDS, PluginNames, ScaffoldError, write_plugin


@click.group()
def plugin() -> None:
    """Create plugins."""


@plugin.command("new")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(sorted(SCAFFOLD_KINDS)),
              help="Which contract the plugin implements.")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the distribution (must be new or empty). Default: ./NAME")
def new(name: str, kind: str, directory: Path | None) -> None:
    """Write a new plugin distribution NAME (e.g. acme-hv).

    It becomes the distribution cirrostack-NAME with the import package cirrostack_NAME (dashes
    as underscores) and the entry point NAME. Its driver subclasses the contract of --kind with
    every method documented and raising NotImplementedError; its tests run the conformance suite.
    """
    try:
        names = PluginNames.from_name(name)
        target = directory if directory is not None else Path(name)
        written = write_plugin(SCAFFOLD_KINDS[kind], names, target)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"wrote {names.distribution} ({kind}) to {target}:")
    for path in written:
        click.echo(f"  {path.relative_to(target)}")
    click.echo(f"next: pip install -e {target} && cirro plugins list && pytest {target / 'tests'}")

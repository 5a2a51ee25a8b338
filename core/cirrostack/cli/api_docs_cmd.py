"""`cirro api-docs`: regenerate (or check) the API reference in docs/api/ from the declarations."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("api-docs")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path), default=Path("docs/api"),
              show_default=True, help="Folder of the generated reference.")
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 if the folder is stale or a description is missing.")
def api_docs(output: Path, check: bool) -> None:
    """Write one markdown page per core API command, plus an index."""
    from cirrostack.api.commands import core_commands
    from cirrostack.api.reference import missing_descriptions, stale_pages, write_reference

    commands = core_commands()
    missing = missing_descriptions(commands)
    if missing:
        raise click.ClickException("these lack a description: " + ", ".join(missing))
    if check:
        stale = stale_pages(commands, output)
        if stale:
            raise click.ClickException(f"{output} is stale ({', '.join(stale)}); run `cirro api-docs`")
        click.echo(f"{output} is up to date ({len(commands)} commands)")
        return
    changed = write_reference(commands, output)
    click.echo(f"{output}: {len(changed)} files changed, {len(commands)} commands")

"""`cirro report`: reports read straight from the management server's database."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def report() -> None:
    """Reports over the cloud's inventory."""


@report.command()
@click.option("--db", "db_url", default=None, help="SQLAlchemy URL (default: CIRRO_DB, else SQLite in the data "
                                                   "directory).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Data directory holding the SQLite database (default: CIRRO_DATA_DIR).")
@click.option("--config", "config_file", default=None, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="TOML configuration file (default: CIRRO_CONFIG).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def sockets(db_url: str | None, data_dir: Path | None, config_file: Path | None, as_json: bool) -> None:
    """Per hypervisor type: the number of hypervisor hosts and of their CPU sockets."""
    import json

    from sqlalchemy.exc import SQLAlchemyError

    from cirrostack.config import ServerConfig
    from cirrostack.db import Database
    from cirrostack.plugins.registry import PluginRegistry
    from cirrostack.services.sockets_report import sockets_report

    try:
        config = ServerConfig.load(config_file, overrides={"db": db_url, "data_dir": data_dir})
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    database = Database(config.db_url)
    shown = database.url.render_as_string(hide_password=True)
    try:
        if database.is_empty():
            raise click.ClickException(f"the database {shown} holds no cirrostack schema (run `cirro db upgrade`)")
        installed = PluginRegistry.load(config.disabled_plugins).hypervisor_types()
        with database.session() as session:
            rows = sockets_report(session, installed)
    except SQLAlchemyError as error:
        raise click.ClickException(f"cannot read {shown}: {error.__class__.__name__}: "
                                   f"{error.args[0] if error.args else error}") from None
    finally:
        database.dispose()
    if as_json:
        click.echo(json.dumps([{"hypervisor": r.hypervisor, "hosts": r.hosts, "cpusockets": r.sockets}
                               for r in rows], indent=2))
        return
    width = max([len("HYPERVISOR"), *(len(row.hypervisor) for row in rows)])
    click.echo(f"{'HYPERVISOR':<{width}}  {'HOSTS':>6}  {'SOCKETS':>7}")
    for row in rows:
        click.echo(f"{row.hypervisor:<{width}}  {row.hosts:>6}  {row.sockets:>7}")
    click.echo(f"{'Total':<{width}}  {sum(r.hosts for r in rows):>6}  {sum(r.sockets for r in rows):>7}")

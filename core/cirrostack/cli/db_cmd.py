"""`cirro db`: migrate the database schema and show its revision."""

from __future__ import annotations

from pathlib import Path

import click


def _database(db_url: str | None, data_dir: Path | None, config_file: Path | None):
    from cirrostack.config import ServerConfig
    from cirrostack.db import Database

    try:
        config = ServerConfig.load(config_file, overrides={"db": db_url, "data_dir": data_dir})
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    return Database(config.db_url), config


_db_option = click.option("--db", "db_url", default=None,
                          help="SQLAlchemy URL (default: CIRRO_DB, else SQLite in the data directory).")
_data_dir_option = click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                                help="Data directory holding the SQLite database (default: CIRRO_DATA_DIR, "
                                     "else the user's data directory).")
_config_option = click.option("--config", "config_file", default=None,
                              type=click.Path(dir_okay=False, exists=True, path_type=Path),
                              help="TOML configuration file (default: CIRRO_CONFIG).")


@click.group()
def db() -> None:
    """Database schema: migrate it, show its revision."""


@db.command()
@_db_option
@_data_dir_option
@_config_option
def upgrade(db_url: str | None, data_dir: Path | None, config_file: Path | None) -> None:
    """Migrate the database to the newest schema revision (safe to repeat)."""
    from sqlalchemy.exc import SQLAlchemyError

    database, config = _database(db_url, data_dir, config_file)
    try:
        before = database.current_revision()
        database.upgrade()
        after = database.current_revision()
    except SQLAlchemyError as error:
        raise click.ClickException(f"cannot migrate {database.url.render_as_string(hide_password=True)}: "
                                   f"{error.__class__.__name__}: {error.args[0] if error.args else error}") from None
    finally:
        database.dispose()
    if before == after:
        click.echo(f"database already at revision {after}")
    else:
        click.echo(f"database migrated from {before or 'empty'} to {after}")


@db.command()
@_db_option
@_data_dir_option
@_config_option
def current(db_url: str | None, data_dir: Path | None, config_file: Path | None) -> None:
    """Print the database's schema revision and the newest one this version ships."""
    from sqlalchemy.exc import SQLAlchemyError

    database, _config = _database(db_url, data_dir, config_file)
    try:
        revision = database.current_revision()
    except SQLAlchemyError as error:
        raise click.ClickException(f"cannot read {database.url.render_as_string(hide_password=True)}: "
                                   f"{error.__class__.__name__}: {error.args[0] if error.args else error}") from None
    finally:
        database.dispose()
    head = database.head_revision()
    state = "up to date" if revision == head else "needs `cirro db upgrade`"
    click.echo(f"current: {revision or 'empty'}  newest: {head}  ({state})")

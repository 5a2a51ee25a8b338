"""`cirro serve`: run the management server (API, async jobs) under waitress."""

from __future__ import annotations

import logging
from pathlib import Path

import click


@click.command()
@click.option("--host", default=None, help="Address the API listens on (default 127.0.0.1; CIRRO_HOST).")
@click.option("--port", type=int, default=None, help="API port (default 8080; CIRRO_PORT; 0 picks a free one).")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the SQLite database and the key file live (default: the user's data directory).")
@click.option("--db", "db_url", default=None, help="SQLAlchemy URL, e.g. mysql+pymysql://user:pw@host/cloud "
                                                   "(default: SQLite in the data directory).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="TOML configuration file (default: CIRRO_CONFIG, else <data-dir>/cirrostack.toml if present).")
@click.option("--integration-port", type=int, default=None,
              help="Also serve the unauthenticated root-admin API on this port (default 0 = off).")
@click.option("--demo", is_flag=True, default=None,
              help="On a cloud that never had a zone, build a simulator zone with hosts, storage and a template "
                   "before listening (CIRRO_DEMO; see docs/demo.md).")
def serve(host: str | None, port: int | None, data_dir: Path | None, db_url: str | None,
          config_file: Path | None, integration_port: int | None, demo: bool | None) -> None:
    """Run the management server until SIGTERM or SIGINT.

    On first start it migrates the empty database and creates user admin in domain ROOT (password
    from CIRRO_ADMIN_PASSWORD, else generated and printed once). With --demo, a cloud that never had
    a zone gets a ready simulator zone. See docs/configuration.md and docs/demo.md.
    """
    from cirrostack.api.http import SchemaOutOfDate
    from cirrostack.api.serving import serve as run
    from cirrostack.config import ServerConfig
    from cirrostack.demo import DEMO_NETWORK_HOST, DemoFailed, build_demo_zone, wants_guest_networking

    try:
        config = ServerConfig.load(config_file, overrides={"host": host, "port": port, "data_dir": data_dir,
                                                           "db": db_url, "integration_port": integration_port,
                                                           "demo": demo or None})
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    logging.getLogger().setLevel(config.log_level.upper())

    def build_demo(server) -> None:
        announce = lambda line: click.echo(line)  # noqa: E731
        build_demo_zone(server, announce=announce,
                        guest_networking=wants_guest_networking(config.demo_networking, announce),
                        network_host=DEMO_NETWORK_HOST)

    try:
        run(config, announce=lambda line: click.echo(line), before_listening=build_demo if config.demo else None)
    except (SchemaOutOfDate, DemoFailed) as error:
        raise click.ClickException(str(error)) from None

"""The `cirro` command line. Subcommands live in their own modules and load on first use."""

from __future__ import annotations

import importlib
import logging

import click

#: command name -> "module:attribute" of its click command; imported only when invoked.
SUBCOMMANDS = {
    "plugins": "cirrostack.cli.plugins_cmd:plugins",
    "plugin": "cirrostack.cli.scaffold_cmd:plugin",
    "serve": "cirrostack.cli.serve_cmd:serve",
    "db": "cirrostack.cli.db_cmd:db",
    "api-docs": "cirrostack.cli.api_docs_cmd:api_docs",
    "report": "cirrostack.cli.report_cmd:report",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        return getattr(importlib.import_module(module_name), attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="cirrostack", prog_name="cirro")
@click.option("--log-level", default="WARNING", show_default=True, envvar="CIRRO_CLI_LOG_LEVEL",
              help="Logging level for messages printed to stderr.")
def cli(log_level: str) -> None:
    """cirrostack: the management server of an IaaS cloud, with a CloudStack-compatible API."""
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    cli(prog_name="cirro")

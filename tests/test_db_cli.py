"""`cirro db upgrade` and `cirro db current` against SQLite and MariaDB."""

from __future__ import annotations

from click.testing import CliRunner

from cirrostack.cli import cli
from cirrostack.db import Database


def test_db_upgrade_migrates_then_reports_up_to_date(database_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["db", "current", "--db", database_url])
    assert first.exit_code == 0, first.output
    assert "current: empty" in first.output and "needs `cirro db upgrade`" in first.output

    migrated = runner.invoke(cli, ["db", "upgrade", "--db", database_url])
    assert migrated.exit_code == 0, migrated.output
    assert f"migrated from empty to {Database.head_revision()}" in migrated.output

    again = runner.invoke(cli, ["db", "upgrade", "--db", database_url])
    assert "already at revision" in again.output
    assert "(up to date)" in runner.invoke(cli, ["db", "current", "--db", database_url]).output
    database = Database(database_url)
    assert database.current_revision() == Database.head_revision()
    database.dispose()


def test_db_upgrade_uses_sqlite_in_the_data_dir_by_default(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade", "--data-dir", str(tmp_path / "data")],
                                env={"CIRRO_DB": None, "CIRRO_CONFIG": None})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "cirrostack.db").exists()


def test_db_upgrade_names_the_database_it_cannot_reach() -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", "mysql+pymysql://cirro:secret@127.0.0.1:1/cloud"])
    assert result.exit_code == 1
    assert "cannot migrate mysql+pymysql://cirro:***@127.0.0.1:1/cloud" in result.output
    assert "secret" not in result.output

"""`cirro plugins list` in this environment: the JSON and the table agree with discovery itself.

Throwaway-venv tests (test_discovery_broken.py) cover broken and (un)installed plugins; these run
in-process against whatever the test environment has installed (at least the core's simulator).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cirrostack.cli import cli
from cirrostack.plugins import load_plugins

FIELDS = {"name", "distribution", "version", "entry_point", "status", "reason", "summary", "provides"}


@pytest.fixture(autouse=True)
def _no_configuration_from_the_caller(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for variable in ("CIRRO_CONFIG", "CIRRO_DISABLED_PLUGINS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CIRRO_DATA_DIR", str(tmp_path / "data"))  # no cirrostack.toml found there


def _list(*args: str) -> tuple[int, str]:
    """Exit code, and stdout on success (log lines about broken plugins go to stderr) or all output."""
    result = CliRunner().invoke(cli, ["plugins", "list", *args])
    return result.exit_code, result.stdout if result.exit_code == 0 else result.output


def test_json_lists_every_record_discovery_makes() -> None:
    code, output = _list("--json")
    assert code == 0, output
    listed = json.loads(output)
    _manager, records, _registrations = load_plugins()
    assert listed == [record.as_dict() for record in records]
    assert all(set(entry) == FIELDS for entry in listed)
    simulator = next(entry for entry in listed if entry["name"] == "simulator")
    assert (simulator["distribution"], simulator["status"]) == ("cirrostack", "ok")
    assert "Simulator" in simulator["provides"]["hypervisor"]


def test_table_has_a_row_per_plugin_with_status_and_note() -> None:
    code, output = _list()
    assert code == 0, output
    header, *rows = output.splitlines()
    assert header.split()[:6] == ["PLUGIN", "DISTRIBUTION", "VERSION", "STATUS", "PROVIDES", "NOTE"]
    _manager, records, _registrations = load_plugins()
    assert len(rows) == len(records)
    for record, row in zip(records, rows, strict=True):
        assert row.split()[:4] == [record.name, record.distribution, record.version, record.status.value]
        assert row.endswith(record.reason or record.summary)


def test_disabled_plugins_from_the_config_file_are_listed_disabled(tmp_path: Path) -> None:
    config = tmp_path / "cirrostack.toml"
    config.write_text('disabled_plugins = ["simulator"]\n')
    code, output = _list("--json", "--config", str(config))
    assert code == 0, output
    simulator = next(entry for entry in json.loads(output) if entry["name"] == "simulator")
    assert (simulator["status"], simulator["provides"]) == ("disabled", {})


def test_a_config_file_with_an_unknown_key_is_refused_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "cirrostack.toml"
    config.write_text('disabled_plugin = ["simulator"]\n')
    code, output = _list("--config", str(config))
    assert code == 1
    assert "Error: configuration: unknown configuration keys: disabled_plugin (known: " in output
    assert "Traceback" not in output


def test_a_missing_config_file_is_refused_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    code, output = _list("--config", str(missing))
    assert code == 1
    assert f"Error: configuration: [Errno 2] No such file or directory: '{missing}'" in output

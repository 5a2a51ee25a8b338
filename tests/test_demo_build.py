"""The demo zone is made once, only on a cloud that never had a zone, and all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.db.models import Event
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.demo import DEMO_HOSTS, ZONE_NAME, DemoFailed, build_demo_zone
from tests.fixtures.server import start_server


def _config(tmp_path: Path, database_url: str, **options) -> ServerConfig:
    return ServerConfig(data_dir=tmp_path / "data", db=database_url, admin_password="pw", job_workers=1,
                        server_id="demo-test:1", **options)


def _count(server, model) -> int:
    with server.database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_demo_is_built_once_and_a_second_run_adds_nothing(database_url, tmp_path):
    server = build_server(_config(tmp_path, database_url))
    try:
        printed: list[str] = []
        demo = build_demo_zone(server, announce=printed.append)
        assert demo is not None and demo.zone["allocationstate"] == "Enabled"
        assert printed == demo.summary() and printed[0].startswith(f"Demo zone {ZONE_NAME}")
        assert build_demo_zone(server, announce=printed.append) is None
        assert (_count(server, Zone), _count(server, Host)) == (1, len(DEMO_HOSTS))
        assert len(printed) == len(demo.summary())
    finally:
        server.close()


def test_a_cloud_whose_only_zone_was_deleted_gets_no_demo(operator_api):
    status, body = operator_api.root("createZone", name="old", networktype="Basic", dns1="8.8.8.8",
                                     internaldns1="10.0.0.2")
    assert status == 200, body
    assert operator_api.root("deleteZone", id=body["zone"]["id"])[0] == 200
    assert build_demo_zone(operator_api.server, announce=print) is None
    status, body = operator_api.root("listZones")
    assert status == 200 and "zone" not in body and _count(operator_api.server, Zone) == 1  # the removed one


def test_a_failing_step_names_the_command_and_keeps_nothing(database_url, tmp_path):
    server = build_server(_config(tmp_path, database_url, disabled_plugins=["simulator"]))
    try:
        with pytest.raises(DemoFailed) as failed:
            build_demo_zone(server, announce=print)
        assert failed.value.message.startswith("demo zone: addCluster failed (431): hypervisor:")
        assert "simulator" in failed.value.message and "disabled" in failed.value.message
        assert _count(server, Zone) == 0
        with server.database.session() as session:
            assert session.scalar(select(func.count()).select_from(Event).where(Event.type == "ZONE.CREATE")) == 0
    finally:
        server.close()


def test_serve_demo_fails_with_the_reason_when_the_simulator_is_disabled(tmp_path):
    with pytest.raises(AssertionError) as exited:
        start_server(tmp_path / "data", extra_args=("--demo",), env={"CIRRO_DISABLED_PLUGINS": "simulator"})
    assert "exited with 1" in str(exited.value) and "demo zone: addCluster failed" in str(exited.value)


def test_restarting_with_demo_keeps_one_zone_and_says_why(database_url, tmp_path):
    first = start_server(tmp_path / "data", database_url, extra_args=("--demo",))
    assert first.stop() == 0
    second = start_server(tmp_path / "data", database_url, env={"CIRRO_DEMO": "true"})
    try:
        assert not any(line.startswith("Demo zone") for line in second.stdout_lines)
        assert "the demo zone is only made on an empty database" in second.log_text()
    finally:
        assert second.stop() == 0
    server = build_server(_config(tmp_path, database_url))
    try:
        assert (_count(server, Zone), _count(server, Host)) == (1, len(DEMO_HOSTS))
    finally:
        server.close()


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("1", True), ("on", True), ("no", False),
                                               ("", False)])
def test_cirro_demo_environment_variable_is_a_boolean(raw, expected):
    assert ServerConfig.load(environ={"CIRRO_DEMO": raw}).demo is expected


def test_a_demo_value_that_is_no_boolean_names_the_key(tmp_path):
    config_file = tmp_path / "cirrostack.toml"
    config_file.write_text("demo = true\n")
    assert ServerConfig.load(config_file, environ={}).demo is True
    with pytest.raises(ValueError, match="demo: expected true or false .* got 'maybe'"):
        ServerConfig.load(environ={"CIRRO_DEMO": "maybe"})

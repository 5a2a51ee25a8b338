"""`cirro serve` as an operator runs it: first start, restart, logs, SIGTERM, the integration port."""

from __future__ import annotations

import re
import socket

import requests

from tests.fixtures.server import log_in, start_server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_first_start_prints_a_generated_admin_password_once_and_restart_keeps_it(tmp_path):
    server = start_server(tmp_path / "data", env={"CIRRO_ADMIN_PASSWORD": None})
    try:
        printed = [line for line in server.stdout_lines if "password" in line]
        password = re.search(r"password: (\S+)", printed[0]).group(1)
        _http, login = log_in(server.endpoint, "admin", password)
        assert login["username"] == "admin" and login["type"] == "1"
    finally:
        assert server.stop() == 0
    again = start_server(tmp_path / "data", env={"CIRRO_ADMIN_PASSWORD": None})
    try:
        assert not [line for line in again.stdout_lines if "password" in line]
        log_in(again.endpoint, "admin", password)
    finally:
        assert again.stop() == 0
    assert password not in server.log_text() + again.log_text()


def test_sigterm_stops_cleanly_and_the_request_log_names_commands_but_no_secrets(tmp_path):
    server = start_server(tmp_path / "data")
    http, login = log_in(server.endpoint, "admin", "adm1n-Test-pw")
    reply = http.get(server.endpoint, params={"command": "listCapabilities", "sessionkey": login["sessionkey"]})
    assert reply.status_code == 200
    assert server.stop() == 0
    log = server.log_text()
    assert re.search(r"GET command=listCapabilities status=200 [0-9.]+ms", log)
    assert "POST command=login status=200" in log
    assert "adm1n-Test-pw" not in log and login["sessionkey"] not in log
    assert "stopped" in log


def test_unknown_paths_and_methods_get_a_json_envelope_not_html(tmp_path):
    server = start_server(tmp_path / "data")
    try:
        missing = requests.get(server.endpoint.replace("/client/api", "/client/nothing"), timeout=10)
        assert missing.status_code == 404 and missing.headers["Content-Type"].startswith("text/javascript")
        assert missing.json()["errorresponse"]["errorcode"] == 404
        wrong_method = requests.delete(server.endpoint, timeout=10)
        assert wrong_method.status_code == 405 and "<html" not in wrong_method.text.lower()
        assert wrong_method.json()["errorresponse"]["errorcode"] == 405
    finally:
        server.stop()


def test_integration_port_acts_as_root_admin_without_credentials_on_loopback(tmp_path):
    port = _free_port()
    server = start_server(tmp_path / "data", extra_args=("--integration-port", str(port)))
    try:
        assert server.integration_endpoint == f"http://127.0.0.1:{port}/client/api"
        apis = requests.get(server.integration_endpoint, params={"command": "listApis"}, timeout=10)
        assert apis.status_code == 200, apis.text
        assert "listApis" in [api["name"] for api in apis.json()["listapisresponse"]["api"]]
        # the normal port still demands credentials for the same request
        refused = requests.get(server.endpoint, params={"command": "listApis"}, timeout=10)
        assert refused.status_code == 401
    finally:
        assert server.stop() == 0


def test_serve_refuses_a_database_at_another_schema_revision_and_names_the_fix(tmp_path):
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    engine = create_engine(f"sqlite:///{data_dir / 'cirrostack.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        connection.execute(text("INSERT INTO alembic_version VALUES ('0000old')"))
    engine.dispose()
    result = subprocess.run([sys.executable, "-m", "cirrostack.cli", "serve", "--port", "0", "--data-dir",
                             str(data_dir)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "0000old" in result.stderr and "cirro db upgrade" in result.stderr
    assert "Traceback" not in result.stderr

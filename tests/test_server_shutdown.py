"""Closing an in-process server, or failing to start one, ends every thread it started: periodic tasks, job
workers, heartbeat, alert mailer."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.services import alerts, events
from cirrostack.services.accounts import root_admin_caller
from cirrostack.services.networks.router_monitor import RouterMonitor

#: Threads build_server starts at once, by name (job workers start with the first jobs).
STARTED_AT_ONCE = {"heartbeat-shutdown:1", "cirrostack-alert-mail", "cirrostack-host-monitor",
                   "cirrostack-capacity-monitor", "cirrostack-expunger", "cirrostack-vm-state-sync",
                   "cirrostack-router-monitor"}


def _threads_except(known: set[int]) -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.ident not in known and thread.is_alive()]


def test_closing_the_server_ends_every_thread_it_started(tmp_path: Path) -> None:
    before = {thread.ident for thread in threading.enumerate() if thread.ident is not None}
    server = build_server(ServerConfig(data_dir=tmp_path / "data", admin_password="pw", job_workers=2,
                                       server_id="shutdown:1"))
    try:
        with server.database.session() as session:
            caller = root_admin_caller(session)
        jobs = [server.jobs.submit(caller, "noop", "org.example.Noop", {}, "", "", lambda _uuid: None)
                for _ in range(4)]
        assert all(server.jobs.wait(job, timeout=10).result_code == 0 for job in jobs)
        started = {thread.name for thread in _threads_except(before)}
        assert STARTED_AT_ONCE <= started, f"expected threads missing: {sorted(STARTED_AT_ONCE - started)}"
        assert any(name.startswith("job-shutdown:1") for name in started), sorted(started)
        assert alerts.current_mailer() is server.alert_mailer and events.current_notifier() is server.registry
    finally:
        server.close()
    survivors = sorted(thread.name for thread in _threads_except(before))
    assert survivors == [], f"threads still running after close(): {survivors}"
    assert alerts.current_mailer() is None and events.current_notifier() is None


def test_a_server_that_fails_to_start_stops_what_it_had_started(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse_to_start(_task: object) -> None:
        raise RuntimeError("router monitor: cannot start")

    monkeypatch.setattr(RouterMonitor, "start", refuse_to_start)
    before = {thread.ident for thread in threading.enumerate() if thread.ident is not None}
    with pytest.raises(RuntimeError, match="router monitor: cannot start"):
        build_server(ServerConfig(data_dir=tmp_path / "data", admin_password="pw", job_workers=2,
                                  server_id="shutdown:2"))
    survivors = sorted(thread.name for thread in _threads_except(before))
    assert survivors == [], f"threads still running after a failed start: {survivors}"
    assert alerts.current_mailer() is None and events.current_notifier() is None

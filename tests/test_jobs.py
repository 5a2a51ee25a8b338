"""The job executor on SQLite and MariaDB: results, failures, bounded workers, recovery after a crash."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from cirrostack.db import Database
from cirrostack.db.models import AsyncJob, JobStatus, ManagementServer
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter
from cirrostack.jobs import JobExecutor, register_cleanup
from cirrostack.services import accounts


@pytest.fixture
def database(database_url: str):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        accounts.bootstrap(session, "admin-pw")
    yield database
    database.dispose()


@pytest.fixture
def root(database: Database):
    with database.session() as session:
        return accounts.root_admin_caller(session)


@pytest.fixture
def executor(database: Database):
    jobs = JobExecutor(database, workers=2, server_id="ms-test", heartbeat_interval=0.2)
    yield jobs
    jobs.shutdown()


def test_a_job_is_pending_at_once_and_keeps_its_result(database, root, executor) -> None:
    release = threading.Event()

    def work(job_uuid: str) -> dict:
        release.wait(10)
        return {"account": {"id": "a-1", "name": "alice"}}

    job_uuid = executor.submit(root, "disableAccount", "org.example.DisableAccountCmd", {"lock": "false"},
                               "Account", "a-1", work)
    with database.session() as session:
        pending = session.scalars(select(AsyncJob).where(AsyncJob.uuid == job_uuid)).one()
        assert (pending.status, pending.result, pending.server_id) == (JobStatus.PENDING, None, "ms-test")
        assert json.loads(pending.cmd_info) == {"lock": "false"}
    release.set()
    done = executor.wait(job_uuid, timeout=10)
    assert (done.status, done.result_code, done.result_type) == (JobStatus.SUCCEEDED, 0, "object")
    assert json.loads(done.result) == {"account": {"id": "a-1", "name": "alice"}}
    assert (done.instance_type, done.instance_uuid, done.account_id) == ("Account", "a-1", root.account_id)


def test_failures_report_the_api_error_code_or_a_generic_internal_error(root, executor) -> None:
    def invalid(job_uuid: str) -> None:
        raise InvalidParameter("lock", "must be true or false")

    def broken(job_uuid: str) -> None:
        raise KeyError("internal detail")

    refused = executor.wait(executor.submit(root, "x", "X", {}, "", "", invalid), timeout=10)
    assert (refused.status, refused.result_code) == (JobStatus.FAILED, 530)
    assert json.loads(refused.result) == {"errorcode": 431, "errortext": "lock: must be true or false"}
    crashed = executor.wait(executor.submit(root, "x", "X", {}, "", "", broken), timeout=10)
    assert json.loads(crashed.result)["errorcode"] == 530
    assert "internal detail" not in crashed.result and "Traceback" not in crashed.result


def test_no_more_jobs_run_at_once_than_there_are_workers(root, executor) -> None:
    lock, running, peak, release = threading.Lock(), [0], [0], threading.Event()

    def work(job_uuid: str) -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(10)
        with lock:
            running[0] -= 1

    job_uuids = [executor.submit(root, "x", "X", {}, "", "", work) for _ in range(5)]
    deadline = time.monotonic() + 10
    while running[0] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)  # room for a third job to start if the pool were not bounded
    release.set()
    for job_uuid in job_uuids:
        assert executor.wait(job_uuid, timeout=10).status == JobStatus.SUCCEEDED
    assert peak[0] == 2


CLEANED: list[tuple[str, dict]] = []


def _record_cleanup(session, job: AsyncJob) -> None:
    CLEANED.append((job.uuid, json.loads(job.cmd_info)))


def _broken_cleanup(session, job: AsyncJob) -> None:
    raise RuntimeError("storage unreachable")


register_cleanup("test.blockingWork", _record_cleanup)
register_cleanup("test.brokenCleanup", _broken_cleanup)

CRASHING_SERVER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from cirrostack.db import Database
    from cirrostack.jobs import JobExecutor
    from cirrostack.services import accounts

    database = Database(sys.argv[1])
    with database.session() as session:
        caller = accounts.root_admin_caller(session)
    jobs = JobExecutor(database, workers=1, server_id="ms-a", heartbeat_interval=0.2)

    def work(job_uuid):
        # write then rename, so the test never reads a marker that exists but is still empty
        Path(sys.argv[2] + ".tmp").write_text(job_uuid)
        Path(sys.argv[2] + ".tmp").rename(sys.argv[2])
        time.sleep(3600)

    print(jobs.submit(caller, "test.blockingWork", "org.example.BlockingCmd", {"id": "d-1"}, "", "", work),
          flush=True)
    time.sleep(3600)
""")


def test_a_job_left_running_by_a_killed_server_is_failed_and_cleaned_up_on_restart(database, tmp_path) -> None:
    marker = tmp_path / "started"
    server = subprocess.Popen([sys.executable, "-c", CRASHING_SERVER, str(database.url.render_as_string(False)),
                               str(marker)], stdout=subprocess.PIPE, text=True)
    try:
        job_uuid = server.stdout.readline().strip()
        deadline = time.monotonic() + 60
        while not marker.exists() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.read_text() == job_uuid
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    assert server.returncode == -signal.SIGKILL
    with database.session() as session:
        assert session.scalars(select(AsyncJob).where(AsyncJob.uuid == job_uuid)).one().status == JobStatus.PENDING

    CLEANED.clear()
    restarted = JobExecutor(database, workers=1, server_id="ms-a")
    try:
        assert restarted.recover() == 1
        assert restarted.recover() == 0  # nothing left to recover
    finally:
        restarted.shutdown()
    assert CLEANED == [(job_uuid, {"id": "d-1"})]
    with database.session() as session:
        job = session.scalars(select(AsyncJob).where(AsyncJob.uuid == job_uuid)).one()
    assert (job.status, job.result_code, job.completed is not None) == (JobStatus.FAILED, 530, True)
    assert json.loads(job.result) == {
        "errorcode": 530, "errortext": "the management server ms-a stopped while the job ran; the job did not "
                                       "complete and what it had started was cleaned up"}


def _pending_job_of(database: Database, root, server_id: str, heartbeat_age: timedelta) -> str:
    with database.session() as session:
        session.add(ManagementServer(server_id=server_id, run_id="run-1", last_heartbeat=utcnow() - heartbeat_age))
        job = AsyncJob(user_id=root.user_id, account_id=root.account_id, command="x", server_id=server_id,
                       server_run="run-1")
        session.add(job)
        session.flush()
        return job.uuid


def test_recovery_leaves_live_servers_jobs_alone_and_fails_silent_ones(database, root) -> None:
    alive = _pending_job_of(database, root, "ms-alive", timedelta(seconds=1))
    silent = _pending_job_of(database, root, "ms-silent", timedelta(minutes=10))
    recovering = JobExecutor(database, workers=1, server_id="ms-new", dead_after=60)
    try:
        assert recovering.recover() == 1
    finally:
        recovering.shutdown()
    with database.session() as session:
        status = {job.uuid: job.status for job in session.scalars(select(AsyncJob))}
    assert status == {alive: JobStatus.PENDING, silent: JobStatus.FAILED}


def test_a_failing_cleanup_still_fails_the_job_and_says_so(database, root) -> None:
    job_uuid = _pending_job_of(database, root, "ms-gone", timedelta(hours=1))

    with database.session() as session:
        session.scalars(select(AsyncJob).where(AsyncJob.uuid == job_uuid)).one().command = "test.brokenCleanup"
    recovering = JobExecutor(database, workers=1, server_id="ms-new")
    try:
        assert recovering.recover() == 1
    finally:
        recovering.shutdown()
    with database.session() as session:
        job = session.scalars(select(AsyncJob).where(AsyncJob.uuid == job_uuid)).one()
    assert job.status == JobStatus.FAILED
    assert "its cleanup failed too: storage unreachable" in json.loads(job.result)["errortext"]


def test_shutdown_refuses_new_jobs_and_marks_the_server_stopped(database, root) -> None:
    jobs = JobExecutor(database, workers=1, server_id="ms-stop")
    jobs.shutdown()
    with pytest.raises(Exception, match="shutting down"):
        jobs.submit(root, "x", "X", {}, "", "", lambda job_uuid: None)
    with database.session() as session:
        server = session.scalars(select(ManagementServer).where(ManagementServer.server_id == "ms-stop")).one()
    assert server.state == "Down"

"""The in-process job executor: persisted async jobs run by a bounded pool of worker threads."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid as uuid_module
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.database import Database
from cirrostack.db.models import AsyncJob, JobStatus
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import CirroError
from cirrostack.jobs import servers
from cirrostack.jobs.cleanup import cleanup_for
from cirrostack.services._after_commit import after_commit
from cirrostack.services.context import Caller

log = logging.getLogger(__name__)

INTERNAL_ERROR_TEXT = "Internal error executing command, please contact your system administrator"
FAILED_RESULT_CODE = 530


class JobExecutor:
    """Runs async jobs for one management server and keeps their state in the database.

    `server_id` names the server (stable across restarts); each executor is a new run of it.
    A heartbeat every `heartbeat_interval` seconds tells other servers it is alive; a server
    silent for `dead_after` seconds counts as dead when another one recovers jobs.
    """

    def __init__(self, database: Database, workers: int, server_id: str, *, heartbeat_interval: float = 10.0,
                 dead_after: float = 60.0) -> None:
        if workers < 1:
            raise ValueError(f"job_workers: at least 1 worker is needed, got {workers}")
        self.database = database
        self.server_id = server_id
        self.run_id = str(uuid_module.uuid4())
        self.dead_after = dead_after
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"job-{server_id}")
        self._futures: dict[str, Future[None]] = {}
        self._recorded: set[str] = set()  # jobs whose work recorded their success itself (succeed_in)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        with database.session() as session:
            servers.register_run(session, server_id, self.run_id)
        self._heartbeat = threading.Thread(target=self._beat_until_stopped, args=(heartbeat_interval,),
                                           name=f"heartbeat-{server_id}", daemon=True)
        self._heartbeat.start()

    # -- start-up ------------------------------------------------------------------------------

    def recover(self) -> int:
        """Fail every pending job whose server run is over (this server's earlier run included)
        with jobstatus 2 / jobresultcode 530 and a text saying the server stopped, then run the
        cleanup registered for its command. Returns how many jobs were failed."""
        with self.database.session() as session:
            orphans = [(job.id, job.server_id) for job in servers.orphaned_jobs(session, self.dead_after)]
        failed = 0
        for job_id, owner in orphans:
            reason = (f"the management server {owner} stopped while the job ran; the job did not complete "
                      "and what it had started was cleaned up")
            failed += self._fail_orphan(job_id, reason)
        if failed:
            log.warning("failed %d job(s) left pending by stopped management servers", failed)
        return failed

    def _fail_orphan(self, job_id: int, reason: str) -> int:
        try:
            with self.database.session() as session:
                if not self._claim_failed(session, job_id, reason):
                    return 0  # another server recovered it first
                job = session.get(AsyncJob, job_id)
                cleanup = cleanup_for(job.command)
                if cleanup is not None:
                    cleanup(session, job)
            return 1
        except Exception as exc:
            log.exception("cleanup after interrupted job %s failed", job_id)
            with self.database.session() as session:
                claimed = self._claim_failed(session, job_id, f"{reason}; its cleanup failed too: {exc}")
            return int(claimed)

    @staticmethod
    def _claim_failed(session: Any, job_id: int, reason: str) -> bool:
        now = utcnow()
        result = session.execute(
            update(AsyncJob).where(AsyncJob.id == job_id, AsyncJob.status == JobStatus.PENDING.value)
            .values(status=JobStatus.FAILED.value, result_code=FAILED_RESULT_CODE, result_type="object",
                    result=json.dumps({"errorcode": FAILED_RESULT_CODE, "errortext": reason}),
                    updated=now, completed=now))
        return result.rowcount == 1

    # -- running jobs --------------------------------------------------------------------------

    def submit(self, caller: Caller, command: str, java_class: str, params: dict[str, Any], instance_type: str,
               instance_uuid: str, work: Callable[[str], object], *, session: Session | None = None) -> str:
        """Persist a pending job (jobstatus 0) and return its uuid at once; a worker then runs
        `work(job_uuid)`. Its return value (a JSON-able dict such as {"account": {...}}; None
        means {"success": True}) becomes `jobresult`. A CirroError fails the job with its HTTP
        code as `jobresult.errorcode` and its message as `errortext`; any other exception fails
        it with 530 and a generic text (the traceback goes to the log only).

        With `session`, the job row joins that session's transaction and the job is queued once it
        commits (never if it rolls back), so the request's changes and its job commit together."""
        if self._stopping.is_set():
            raise CirroError(f"{command}: the management server is shutting down and accepts no new jobs")
        job = AsyncJob(uuid=str(uuid_module.uuid4()), user_id=caller.user_id, account_id=caller.account_id,
                       command=command, cmd=java_class, cmd_info=json.dumps(params, default=str, sort_keys=True),
                       instance_type=instance_type or None, instance_uuid=instance_uuid or None,
                       server_id=self.server_id, server_run=self.run_id)
        job_uuid = job.uuid
        if session is not None:
            session.add(job)
            after_commit(session, lambda: self._queue(job_uuid, work))
            return job_uuid
        with self.database.session() as own_session:
            own_session.add(job)
        self._queue(job_uuid, work)
        return job_uuid

    def _queue(self, job_uuid: str, work: Callable[[str], object]) -> None:
        try:
            with self._lock:
                future = self._pool.submit(self._run, job_uuid, work)
                self._futures[job_uuid] = future
        except RuntimeError:  # the pool was shut down after the job row was written
            self._finish(job_uuid, JobStatus.FAILED, {"errorcode": FAILED_RESULT_CODE, "errortext":
                                                      "the management server shut down before the job could start"})
            return
        future.add_done_callback(lambda _done, key=job_uuid: self._forget(key))

    def _forget(self, job_uuid: str) -> None:
        with self._lock:
            self._futures.pop(job_uuid, None)

    def _run(self, job_uuid: str, work: Callable[[str], object]) -> None:
        try:
            result = work(job_uuid)
        except CirroError as exc:
            log.info("job %s failed: %s", job_uuid, exc.message)
            self._finish(job_uuid, JobStatus.FAILED, {"errorcode": exc.http_status, "errortext": exc.message})
        except Exception:
            log.exception("job %s failed with an unexpected error", job_uuid)
            self._finish(job_uuid, JobStatus.FAILED, {"errorcode": FAILED_RESULT_CODE,
                                                      "errortext": INTERNAL_ERROR_TEXT})
        else:
            with self._lock:
                recorded = job_uuid in self._recorded
                self._recorded.discard(job_uuid)
            if not recorded:
                self._finish(job_uuid, JobStatus.SUCCEEDED, {"success": True} if result is None else result)

    def succeed_in(self, session: Session, job_uuid: str, result: object) -> None:
        """Record job `job_uuid`'s success and `result` in `session`, so that they commit with the job's own
        changes (one transaction less per job). Call it last in the work function, which must then return
        normally; if that transaction does not commit, the job fails as any other job whose work raised."""
        now = utcnow()
        session.execute(update(AsyncJob).where(AsyncJob.uuid == job_uuid).values(
            status=JobStatus.SUCCEEDED.value, result_code=0, result_type="object",
            result=json.dumps(result, default=str), updated=now, completed=now))
        after_commit(session, lambda: self._mark_recorded(job_uuid))

    def _mark_recorded(self, job_uuid: str) -> None:
        with self._lock:
            self._recorded.add(job_uuid)

    def _finish(self, job_uuid: str, status: JobStatus, result: object) -> None:
        now = utcnow()
        code = 0 if status is JobStatus.SUCCEEDED else FAILED_RESULT_CODE
        try:
            with self.database.session() as session:
                session.execute(update(AsyncJob).where(AsyncJob.uuid == job_uuid).values(
                    status=status.value, result_code=code, result_type="object",
                    result=json.dumps(result, default=str), updated=now, completed=now))
        except Exception:
            log.exception("could not record the end of job %s (status %s)", job_uuid, status.name)

    def wait(self, job_uuid: str, timeout: float) -> AsyncJob:
        """Block until the job has ended (or `timeout` seconds pass: TimeoutError); returns its row."""
        deadline = time.monotonic() + timeout
        with self._lock:
            future = self._futures.get(job_uuid)
        if future is not None:
            try:
                future.result(timeout=timeout)
            except FutureTimeout:
                raise TimeoutError(f"job {job_uuid} still runs after {timeout} s") from None
        while True:
            with self.database.session() as session:
                job = session.scalars(select(AsyncJob).where(AsyncJob.uuid == job_uuid)).first()
                if job is None:
                    raise LookupError(f"no job {job_uuid}")
                if job.status != JobStatus.PENDING:
                    return job
            if time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_uuid} still runs after {timeout} s")
            time.sleep(0.05)

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def is_stopping(self) -> bool:
        """True once `shutdown` began: long-running work should end early and say so."""
        return self._stopping.is_set()

    def _beat_until_stopped(self, interval: float) -> None:
        while not self._stopping.wait(interval):
            try:
                with self.database.session() as session:
                    servers.beat(session, self.server_id, self.run_id)
            except Exception:
                log.exception("heartbeat of management server %s failed", self.server_id)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs, let running ones finish when `wait`, and record this run as stopped."""
        self._stopping.set()
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
        self._heartbeat.join(timeout=5)
        if wait:
            with self.database.session() as session:
                servers.mark_stopped(session, self.server_id, self.run_id)

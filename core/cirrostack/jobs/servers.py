"""Which management servers are alive, so that their jobs are left alone and dead ones' are not.

Every executor registers its run (server id + a fresh run id) and beats a heartbeat. A pending
job is orphaned when its server is unknown, was restarted since (another run id), stopped, or
has not beaten for `dead_after` seconds.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import AsyncJob, JobStatus, ManagementServer
from cirrostack.db.timestamps import utcnow


def register_run(session: Session, server_id: str, run_id: str) -> None:
    """Record that `server_id` is up with a new run `run_id` (its earlier run is over)."""
    server = session.scalars(select(ManagementServer).where(ManagementServer.server_id == server_id)).first()
    if server is None:
        server = ManagementServer(server_id=server_id)
        session.add(server)
    now = utcnow()
    server.run_id, server.state, server.started, server.last_heartbeat = run_id, "Up", now, now
    server.hostname, server.pid = socket.gethostname(), os.getpid()
    session.flush()


def beat(session: Session, server_id: str, run_id: str) -> None:
    """Refresh the server's heartbeat and the `updated` time of the jobs it is running."""
    now = utcnow()
    session.execute(update(ManagementServer).where(ManagementServer.server_id == server_id,
                                                   ManagementServer.run_id == run_id).values(last_heartbeat=now))
    session.execute(update(AsyncJob).where(AsyncJob.server_id == server_id, AsyncJob.server_run == run_id,
                                           AsyncJob.status == JobStatus.PENDING.value).values(updated=now))


def mark_stopped(session: Session, server_id: str, run_id: str) -> None:
    session.execute(update(ManagementServer).where(ManagementServer.server_id == server_id,
                                                   ManagementServer.run_id == run_id).values(state="Down"))


def orphaned_jobs(session: Session, dead_after: float) -> list[AsyncJob]:
    """Pending jobs whose server run is over: restarted, stopped, unknown or silent for `dead_after` s."""
    stale = utcnow() - timedelta(seconds=dead_after)
    statement = (select(AsyncJob)
                 .outerjoin(ManagementServer, ManagementServer.server_id == AsyncJob.server_id)
                 .where(AsyncJob.status == JobStatus.PENDING.value,
                        or_(ManagementServer.id.is_(None), ManagementServer.run_id != AsyncJob.server_run,
                            ManagementServer.state != "Up", ManagementServer.last_heartbeat < stale))
                 .order_by(AsyncJob.id))
    return list(session.scalars(statement).unique())

"""Cleanups for jobs cut short by a dying server, registered per API command.

When a management server restarts, every job a dead server left pending is failed and the
cleanup registered for its command runs, so the workflow can undo what it half made
(e.g. deleteDomain marks the domain it had deactivated active again).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from cirrostack.db.models import AsyncJob

#: fn(session, job): undo what the interrupted job left half done; runs in the recovering server's transaction.
JobCleanup = Callable[[Session, AsyncJob], None]

_CLEANUPS: dict[str, JobCleanup] = {}


def register_cleanup(command_name: str, cleanup: JobCleanup) -> None:
    """Run `cleanup(session, job)` for jobs of `command_name` failed by recovery.

    Registering the same function twice is harmless; a different one for a taken name raises ValueError.
    """
    existing = _CLEANUPS.get(command_name)
    if existing is not None and existing is not cleanup:
        raise ValueError(f"a job cleanup for {command_name} is already registered ({existing.__qualname__})")
    _CLEANUPS[command_name] = cleanup


def cleanup_for(command_name: str) -> JobCleanup | None:
    return _CLEANUPS.get(command_name)

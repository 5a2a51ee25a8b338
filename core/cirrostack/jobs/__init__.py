"""Async jobs: persisted in the database, run by an in-process bounded worker pool.

    executor    JobExecutor: submit, run, wait, recover on start, shutdown
    servers     which management server runs are alive (heartbeats)
    cleanup     per-command cleanups for jobs a dying server left half done
"""

from cirrostack.jobs.cleanup import JobCleanup, cleanup_for, register_cleanup
from cirrostack.jobs.executor import JobExecutor

__all__ = ["JobCleanup", "JobExecutor", "cleanup_for", "register_cleanup"]

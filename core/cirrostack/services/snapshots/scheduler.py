"""The snapshot scheduler: takes the snapshots snapshot policies ask for and keeps at most `maxsnaps` each.

Every `snapshot.poll.interval` seconds each policy whose `next_run` has come takes one snapshot of its
volume (named after the moment it was due), in its own transaction, and its `next_run` moves to the
schedule's next moment after now, so a server that was down takes one snapshot per policy, not the missed
backlog. Then the policy's oldest snapshots beyond `maxsnaps` are deleted. A policy whose volume is gone
is removed with it; a refused or failed snapshot is logged as an ERROR event and the policy waits for its
next moment. Tests call `run_once(now)` instead of waiting for the thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import Volume
from cirrostack.db.models.snapshots import IntervalType, SnapshotPolicy
from cirrostack.db.timestamps import utcnow
from cirrostack.services import events, settings
from cirrostack.services.periodic import PeriodicTask
from cirrostack.services.snapshots import service
from cirrostack.services.snapshots.schedule import next_run, parse_schedule, time_zone
from cirrostack.services.vms.lifecycle import Drivers

log = logging.getLogger(__name__)

INTERVAL_KEY = "snapshot.poll.interval"
DEFAULT_INTERVAL_SECONDS = 300.0


@dataclass
class PolicyRound:
    """What one round did for one policy: the snapshot taken (uuid, "" if none), the snapshots deleted to
    keep `maxsnaps`, and why nothing was taken when so."""

    policy_uuid: str
    snapshot_uuid: str = ""
    deleted: list[str] = field(default_factory=list)
    problem: str = ""


class SnapshotScheduler(PeriodicTask):
    """Runs the snapshot policies that are due; `interval` (seconds) overrides `snapshot.poll.interval`."""

    task_name = "snapshot-scheduler"
    default_interval = DEFAULT_INTERVAL_SECONDS

    def __init__(self, database: Any, registry: Any, secrets: Any, interval: float | None = None) -> None:
        super().__init__(database, interval)
        self._drivers = Drivers(registry, secrets)

    def interval_from_settings(self, session: Session) -> float:
        return float(settings.value(session, INTERVAL_KEY))

    def run_round(self) -> list[PolicyRound]:
        return self.run_once()

    def run_once(self, now: datetime | None = None) -> list[PolicyRound]:
        """Run every policy due at `now` (naive UTC, default the current time); returns what each did."""
        now = now or utcnow()
        with self._database.session() as session:
            due = list(session.scalars(select(SnapshotPolicy.id).where(
                SnapshotPolicy.removed.is_(None), SnapshotPolicy.next_run <= now).order_by(SnapshotPolicy.next_run)))
        return [self._run_policy(policy_id, now) for policy_id in due]

    def _run_policy(self, policy_id: int, now: datetime) -> PolicyRound:
        with self._database.session() as session:
            policy = session.get(SnapshotPolicy, policy_id)
            outcome = PolicyRound(policy.uuid)
            volume = session.get(Volume, policy.volume_id)
            due_at = policy.next_run
            policy.next_run = next_run(parse_schedule(IntervalType(policy.interval_type), policy.schedule),
                                       time_zone(policy.timezone), now)
            if volume is None or volume.removed is not None:
                policy.mark_removed()
                session.commit()
                outcome.problem = "its volume was deleted; the policy went with it"
                return outcome
            try:
                snapshot = service.allocate(session, None, self._drivers.registry, volume, policy=policy, at=due_at)
                outcome.snapshot_uuid = snapshot.uuid
                service.take(session, None, self._drivers, snapshot)
                session.commit()
            except Exception as error:  # one policy's failure must not stop the others
                session.rollback()
                outcome.problem = str(error)
                self._record_failure(session, policy, volume, error, now)
                return outcome
            outcome.deleted = self._prune(session, policy)
        return outcome

    def _prune(self, session: Session, policy: SnapshotPolicy) -> list[str]:
        """Delete the policy's oldest snapshots beyond `max_snaps`, each in its own transaction."""
        deleted: list[str] = []
        live = service.live_snapshots_of_policy(session, policy)
        for snapshot in live[:max(0, len(live) - policy.max_snaps)]:
            try:
                service.delete(session, None, self._drivers, snapshot)
                session.commit()
                deleted.append(snapshot.uuid)
            except Exception:
                session.rollback()
                log.exception("snapshot scheduler: deleting old snapshot %s of policy %s failed; it is tried "
                              "again next time", snapshot.name, policy.uuid)
        return deleted

    def _record_failure(self, session: Session, policy: SnapshotPolicy, volume: Volume, error: Exception,
                        now: datetime) -> None:
        """Keep the policy's next moment and record why this snapshot was not taken."""
        policy = session.get(SnapshotPolicy, policy.id)
        policy.next_run = next_run(parse_schedule(IntervalType(policy.interval_type), policy.schedule),
                                   time_zone(policy.timezone), now)
        events.record(session, None, "SNAPSHOT.CREATE", f"Scheduled {policy.interval_type} snapshot of volume "
                                                        f"{volume.name} was not taken: {error}", level="ERROR",
                      account_id=volume.account_id, domain_id=volume.domain_id, resource_type="SnapshotPolicy",
                      resource_uuid=policy.uuid)
        session.commit()

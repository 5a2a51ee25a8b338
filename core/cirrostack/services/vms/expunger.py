"""The expunge thread: removes VMs that have stayed Destroyed longer than `expunge.delay` seconds.

A VM destroyed without `expunge=true` stays Destroyed, and recoverable, until the delay has passed
since its destroy (its latest VM.DESTROY usage event; its creation time if it has none). Every
`expunge.interval` seconds (both CloudStack settings, re-read each round) the thread expunges the VMs
due, through the life cycle's own expunge: the hypervisor forgets the VM, the ROOT volume is removed
(pool space and volume limits given back, VOLUME.DELETE recorded) and the row is marked removed.

Each VM is expunged in its own transaction by one of `expunge.workers` threads. A VM recovered
meanwhile loses the life cycle's conditional claim and is left alone; a VM whose expunge fails
stays Destroyed (the transaction is rolled back), gets an ERROR event VM.EXPUNGE and is tried
again in the next round, while the others go on.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.db.models.usage import UsageEvent
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidState
from cirrostack.services import events, settings
from cirrostack.services.periodic import PeriodicTask
from cirrostack.services.vms import lifecycle

log = logging.getLogger(__name__)

DELAY_KEY = "expunge.delay"
INTERVAL_KEY = "expunge.interval"
WORKERS_KEY = "expunge.workers"
DEFAULT_INTERVAL_SECONDS = 86400.0


class Outcome(Enum):
    EXPUNGED = "expunged"
    SKIPPED = "skipped"  # recovered, expunged by someone else or gone before its turn
    FAILED = "failed"


@dataclass(frozen=True)
class ExpungeResult:
    """What one round did to one VM; `reason` says why it was skipped or failed."""

    vm_uuid: str
    vm_name: str
    outcome: Outcome
    reason: str = ""


class Expunger(PeriodicTask):
    """Expunges destroyed VMs past their delay. `start()` runs `run_once()` in a daemon thread until
    `stop()`; `interval` (seconds) overrides the `expunge.interval` setting."""

    task_name = "expunger"
    default_interval = DEFAULT_INTERVAL_SECONDS

    def __init__(self, database: Any, registry: Any, secrets: Any, interval: float | None = None) -> None:
        super().__init__(database, interval)
        self._drivers = lifecycle.Drivers(registry, secrets)

    def run_once(self, now: datetime | None = None) -> list[ExpungeResult]:
        """Expunge every VM destroyed at least `expunge.delay` seconds before `now` (naive UTC,
        default the current time), each in its own transaction; returns what happened to each."""
        with self._database.session() as session:
            due = due_for_expunge(session, now or utcnow())
            workers = max(1, int(settings.value(session, WORKERS_KEY)))
        if not due:
            return []
        if workers == 1 or len(due) == 1:
            return [self._expunge_one(vm_id) for vm_id in due]
        with ThreadPoolExecutor(max_workers=min(workers, len(due)), thread_name_prefix="cirrostack-expunge") as pool:
            return list(pool.map(self._expunge_one, due))

    def interval_from_settings(self, session: Session) -> float:
        return float(settings.value(session, INTERVAL_KEY))

    def run_round(self) -> list[ExpungeResult]:
        return self.run_once()

    def _expunge_one(self, vm_id: int) -> ExpungeResult:
        uuid, name = "", f"id {vm_id}"
        try:
            with self._database.session() as session:
                vm = session.get(VirtualMachine, vm_id)
                if vm is None or vm.removed is not None or vm.state != VMState.DESTROYED.value:
                    state = "removed" if vm is None or vm.removed is not None else vm.state
                    return ExpungeResult(vm.uuid if vm else "", vm.name if vm else "", Outcome.SKIPPED,
                                         f"it is {state} now")
                uuid, name = vm.uuid, vm.name
                lifecycle.expunge(session, None, vm, self._drivers)
        except InvalidState as lost:  # recovered or expunged between the query and the claim
            return ExpungeResult(uuid, name, Outcome.SKIPPED, str(lost))
        except Exception as error:  # one VM's failure must not stop the others
            log.exception("expunger: expunging VM %s (%s) failed; it stays Destroyed", name, uuid)
            self._record_failure(vm_id, error)
            return ExpungeResult(uuid, name, Outcome.FAILED, str(error))
        log.info("expunger: expunged VM %s (%s)", name, uuid)
        return ExpungeResult(uuid, name, Outcome.EXPUNGED)

    def _record_failure(self, vm_id: int, error: Exception) -> None:
        try:
            with self._database.session() as session:
                vm = session.get(VirtualMachine, vm_id)
                events.record(session, None, "VM.EXPUNGE",
                              f"Failed to expunge VM {vm.name} ({vm.uuid}), it stays Destroyed and is tried "
                              f"again in the next round: {error}", level="ERROR", account_id=vm.account_id,
                              domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
        except Exception:
            log.exception("expunger: cannot record the failed expunge of VM id %s", vm_id)



def due_for_expunge(session: Session, now: datetime) -> list[int]:
    """Ids of the live Destroyed VMs whose latest destroy is `expunge.delay` seconds or more before `now`."""
    cutoff = now - timedelta(seconds=int(settings.value(session, DELAY_KEY)))
    destroyed_at = (select(func.max(UsageEvent.created))
                    .where(UsageEvent.resource_id == VirtualMachine.id, UsageEvent.type == "VM.DESTROY")
                    .correlate(VirtualMachine).scalar_subquery())
    return list(session.scalars(
        select(VirtualMachine.id)
        .where(VirtualMachine.state == VMState.DESTROYED.value, VirtualMachine.removed.is_(None),
               func.coalesce(destroyed_at, VirtualMachine.created) <= cutoff)
        .order_by(VirtualMachine.id)))

"""The host monitor: a thread of the management server that asks each host's plugin whether the
host answers, every `ping.interval` seconds (CloudStack's setting, default 60).

A host that stops answering becomes Down (Disconnected when its plugin is not loaded, Alert
when the plugin fails), with a WARN event HOST.DOWN and an ALERT.COMPUTE.HOST alert; one that
answers again becomes Up with an event HOST.UP. Events of the monitor belong to the system's
root admin account (the first one), where listEvents of the root admin shows them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Host, HostState
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import CirroError
from cirrostack.hookspecs.hypervisor import HostState as ReportedState
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import alerts, settings
from cirrostack.services.context import AccountType
from cirrostack.services.events import record as record_event
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.periodic import PeriodicTask
from cirrostack.services.security_groups import enforcement as security_group_enforcement

log = logging.getLogger(__name__)

PING_INTERVAL_KEY = "ping.interval"
DEFAULT_PING_INTERVAL = 60


@dataclass(frozen=True)
class StateChange:
    host_uuid: str
    host_name: str
    old: str
    new: str
    reason: str


class HostMonitor(PeriodicTask):
    """Polls every live host. `start()` runs `poll_once()` in a daemon thread until `stop()`;
    `interval` (seconds) overrides the `ping.interval` setting, which is re-read each round."""

    task_name = "host-monitor"
    default_interval = DEFAULT_PING_INTERVAL

    def __init__(self, database: Any, registry: PluginRegistry, secrets: Any, interval: float | None = None) -> None:
        super().__init__(database, interval)
        self._registry = registry
        self._secrets = secrets

    def poll_once(self) -> list[StateChange]:
        """Ask about every live host once; returns the state changes made (each committed alone)."""
        with self._database.session() as session:
            host_ids = list(session.scalars(select(Host.id).where(Host.removed.is_(None)).order_by(Host.id)))
        changes = []
        for host_id in host_ids:
            if self.stopping:
                break
            try:
                with self._database.session() as session:
                    change = self._poll_host(session, session.get(Host, host_id))
            except Exception:  # one host's failure must not stop the monitor
                log.exception("host monitor: polling host %s failed", host_id)
                continue
            if change is not None:
                changes.append(change)
        return changes

    def interval_from_settings(self, session: Session) -> float:
        return float(settings.value(session, PING_INTERVAL_KEY))

    def run_round(self) -> list[StateChange]:
        # hosts were connected when added (or at the last round), so the first round waits one interval
        return self.poll_once()

    def _poll_host(self, session: Session, host: Host | None) -> StateChange | None:
        if host is None or host.removed is not None:
            return None
        observed, reason = self._observe(host)
        if observed == HostState.UP.value:
            host.last_ping = utcnow()
        if observed == host.state:
            return None
        change = StateChange(host.uuid, host.name, host.state, observed, reason)
        host.state = observed
        host.disconnected = None if observed == HostState.UP.value else utcnow()
        self._announce(session, host, change)
        if observed == HostState.UP.value:  # it missed rule sets while away: push them again
            security_group_enforcement.retry_on_host(session, self._registry, self._secrets, host)
        return change

    def _observe(self, host: Host) -> tuple[str, str]:
        try:
            driver = self._registry.hypervisor(host.hypervisor_type)
        except CirroError as exc:
            return HostState.DISCONNECTED.value, f"its hypervisor plugin is not loaded: {exc}"
        try:
            reported = driver.host_state(host_ref(host, self._secrets))
        except CirroError as exc:
            return HostState.ALERT.value, f"the {host.hypervisor_type} plugin failed to report it: {exc}"
        if reported is ReportedState.UP:
            return HostState.UP.value, "it answers again"
        if reported is ReportedState.DISCONNECTED:
            return HostState.DISCONNECTED.value, "its hypervisor reports it disconnected"
        return HostState.DOWN.value, "it does not answer"

    def _announce(self, session: Session, host: Host, change: StateChange) -> None:
        owner = session.scalars(select(Account).where(Account.type == AccountType.ROOT_ADMIN.value,
                                                      Account.removed.is_(None)).order_by(Account.id)).first()
        up = change.new == HostState.UP.value
        description = f"Host {host.name} ({host.uuid}) is {change.new}, was {change.old}: {change.reason}"
        record_event(session, None, "HOST.UP" if up else "HOST.DOWN", description, level="INFO" if up else "WARN",
                     account_id=owner.id if owner else None, domain_id=owner.domain_id if owner else None,
                     resource_type="Host", resource_uuid=host.uuid)
        if not up:
            alerts.raise_alert(session, alerts.AlertType.COMPUTE_HOST, f"Host is {change.new}: {host.name}",
                               description, zone_id=host.zone_id, pod_id=host.pod_id, cluster_id=host.cluster_id)
        log.log(logging.INFO if up else logging.WARNING, "%s", description)

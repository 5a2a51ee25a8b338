"""The router monitor: every `router.check.interval` seconds, reads each running router's health back from
its provider (`applied_config().problems`).

A router whose provider reports problems is marked (health "Failed", the problems kept on the row and
shown by listRouters), and an ALERT.SERVICE.DOMAINROUTER alert and a ROUTER.HEALTH.FAILED event are
recorded once per new set of problems. The monitor does not restart anything: a router back to health
is marked "Passed" again (with a ROUTER.HEALTH.PASSED event), and restarting is left to the operator
(rebootRouter, restartNetwork) until the router monitoring work automates it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.networks import Network, Router, RouterState
from cirrostack.db.timestamps import utcnow
from cirrostack.services import settings
from cirrostack.services.alerts import AlertType, raise_alert
from cirrostack.services.events import record as record_event
from cirrostack.services.networks.providers import ROUTER_PROVIDERS
from cirrostack.services.networks.service_network import offering_providers, service_network
from cirrostack.services.periodic import PeriodicTask

log = logging.getLogger(__name__)

INTERVAL_KEY = "router.check.interval"


@dataclass(frozen=True)
class RouterHealth:
    """What one round found for one router."""

    router_uuid: str
    healthy: bool
    problems: tuple[str, ...] = ()


class RouterMonitor(PeriodicTask):
    """Checks running routers; `interval` (seconds) overrides `router.check.interval`."""

    task_name = "router-monitor"
    default_interval = 30.0

    def __init__(self, database: Any, registry: Any, secrets: Any, interval: float | None = None) -> None:
        super().__init__(database, interval)
        self._registry = registry
        self._secrets = secrets

    def interval_from_settings(self, session: Session) -> float:
        return float(settings.value(session, INTERVAL_KEY))

    def run_round(self) -> list[RouterHealth]:
        return self.check_all()

    def check_all(self) -> list[RouterHealth]:
        """Check every Running router, each in its own transaction; returns what was found."""
        with self._database.session() as session:
            router_ids = list(session.scalars(select(Router.id).where(Router.removed.is_(None),
                                                                      Router.state == RouterState.RUNNING.value)))
        found = []
        for router_id in router_ids:
            try:
                with self._database.session() as session:
                    found.append(self._check(session, session.get(Router, router_id)))
            except Exception:  # one router's failure must not stop the others
                log.exception("router monitor: checking router id %s failed", router_id)
        return found

    def _check(self, session: Session, router: Router) -> RouterHealth:
        network = session.get(Network, router.network_id)
        described = service_network(session, network, self._secrets)
        problems: list[str] = []
        for name in sorted(set(offering_providers(session, network.network_offering_id)) & set(ROUTER_PROVIDERS)):
            if name not in self._registry.network_providers():
                problems.append(f"provider {name} is not installed")
                continue
            try:
                problems.extend(self._registry.network_provider(name).applied_config(described).problems)
            except Exception as error:  # an unreachable router is a problem to report, not a crash
                problems.append(f"provider {name} did not answer: {error}")
        router.last_checked = utcnow()
        text = "; ".join(problems)
        if problems and text != router.problems:
            router.health, router.problems = "Failed", text
            raise_alert(session, AlertType.SERVICE_DOMAINROUTER, f"Router {router.name} of network {network.name} "
                        f"is unhealthy", text, zone_id=router.zone_id)
            record_event(session, None, "ROUTER.HEALTH.FAILED", f"Router {router.name}: {text}", level="ERROR",
                         account_id=router.account_id, domain_id=router.domain_id, resource_type="DomainRouter",
                         resource_uuid=router.uuid)
        elif not problems and router.health != "Passed":
            router.health, router.problems = "Passed", ""
            record_event(session, None, "ROUTER.HEALTH.PASSED", f"Router {router.name} is healthy",
                         account_id=router.account_id, domain_id=router.domain_id, resource_type="DomainRouter",
                         resource_uuid=router.uuid)
        session.flush()
        return RouterHealth(router.uuid, not problems, tuple(problems))

"""The router monitor: every `router.check.interval` seconds, reads each running router's health back from
its provider (`applied_config().problems`). A router the provider no longer implements (its namespace is
gone) is a problem too. A VPC's router is read back as a whole (namespace, public side, tables) and once per
tier it serves (the VPC's implemented tiers); one without tiers in use is healthy when the whole is.

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
from cirrostack.db.models.vpc import Vpc
from cirrostack.db.timestamps import utcnow
from cirrostack.services import settings
from cirrostack.services.alerts import AlertType, raise_alert
from cirrostack.services.events import record as record_event
from cirrostack.services.networks.providers import ROUTER_PROVIDERS
from cirrostack.services.networks.service_network import offering_providers, service_network
from cirrostack.services.periodic import PeriodicTask
from cirrostack.services.vpc import router_rows, vpc_router

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
        if router.vpc_id is not None:
            vpc = session.get(Vpc, router.vpc_id)
            owner = f"VPC {vpc.name}"
            problems = self._vpc_router_problems(session, vpc)
            problems += [problem for tier in router_rows.implemented_tiers(session, vpc.id)
                         for problem in self._problems(session, tier, (router_rows.PROVIDER_NAME,),
                                                       f"tier {tier.name}: ")]
        else:
            network = session.get(Network, router.network_id)
            owner = f"network {network.name}"
            problems = self._problems(session, network, ROUTER_PROVIDERS, "")
        router.last_checked = utcnow()
        text = "; ".join(problems)
        if problems and text != router.problems:
            router.health, router.problems = "Failed", text
            raise_alert(session, AlertType.SERVICE_DOMAINROUTER, f"Router {router.name} of {owner} is unhealthy",
                        text, zone_id=router.zone_id)
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

    def _vpc_router_problems(self, session: Session, vpc: Vpc) -> list[str]:
        """What is wrong with the VPC's router as a whole, with or without tiers in use."""
        try:
            return vpc_router.problems(session, self._registry, vpc)
        except Exception as error:  # an unreachable router is a problem to report, not a crash
            return [f"provider {router_rows.PROVIDER_NAME} did not answer: {error}"]

    def _problems(self, session: Session, network: Network, providers: tuple[str, ...], prefix: str) -> list[str]:
        """What those of `providers` that serve `network` report wrong with its router, each prefixed with
        `prefix`."""
        described = service_network(session, network, self._secrets)
        problems: list[str] = []
        for name in sorted(set(offering_providers(session, network.network_offering_id)) & set(providers)):
            if name not in self._registry.network_providers():
                problems.append(f"{prefix}provider {name} is not installed")
                continue
            try:
                applied = self._registry.network_provider(name).applied_config(described)
            except Exception as error:  # an unreachable router is a problem to report, not a crash
                problems.append(f"{prefix}provider {name} did not answer: {error}")
                continue
            if not applied.implemented:
                problems.append(f"{prefix}the router is gone: provider {name} does not implement network "
                                f"{network.name} (restart the network or VPC to rebuild it)")
            problems.extend(prefix + problem for problem in applied.problems)
        return problems

"""The capacity checker: a thread of the management server that compares what is used in each
cluster (and zone) with CloudStack's notification thresholds, every `capacity.check.period`
milliseconds (CloudStack's setting, default 300000; re-read each round).

    type                    summed per                         threshold setting
    MEMORY (0)              cluster                            cluster.memory.allocated.capacity.notificationthreshold
    CPU (1)                 cluster                            cluster.cpu.allocated.capacity.notificationthreshold
    STORAGE (2)             cluster (zone for zone-wide pools) cluster.storage.capacity.notificationthreshold
    STORAGE_ALLOCATED (3)   cluster (zone for zone-wide pools) cluster.storage.allocated.capacity.notificationthreshold
    SECONDARY_STORAGE (6)   zone                               zone.secstorage.capacity.notificationthreshold

The cluster-scoped thresholds are read for the cluster (its own value, else the global one).
Figures come from services.capacity, so usage is whatever its registered sources report.
A figure whose used fraction is above its threshold raises an alert of the same type number
(ALERT.MEMORY, ALERT.CPU, ALERT.STORAGE, ALERT.STORAGE.ALLOCATED, ALERT.STORAGE.SECONDARY)
naming the cluster or zone, the figures and the threshold; while an unarchived alert of that
type for that cluster (or zone) exists, no other is raised. Falling back under the threshold
raises nothing; archiving the alert lets the next round raise a new one if still above.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.alerts import Alert
from cirrostack.services import alerts, capacity, settings
from cirrostack.services.capacity import CapacityFigure, CapacityType
from cirrostack.services.periodic import PeriodicTask

log = logging.getLogger(__name__)

PERIOD_KEY = "capacity.check.period"
DEFAULT_PERIOD_SECONDS = 300.0

#: capacity type -> (threshold setting, what the alert calls it)
THRESHOLDS: dict[CapacityType, tuple[str, str]] = {
    CapacityType.MEMORY: ("cluster.memory.allocated.capacity.notificationthreshold", "memory"),
    CapacityType.CPU: ("cluster.cpu.allocated.capacity.notificationthreshold", "CPU"),
    CapacityType.STORAGE: ("cluster.storage.capacity.notificationthreshold", "primary storage"),
    CapacityType.STORAGE_ALLOCATED: ("cluster.storage.allocated.capacity.notificationthreshold",
                                     "allocated primary storage"),
    CapacityType.SECONDARY_STORAGE: ("zone.secstorage.capacity.notificationthreshold", "secondary storage"),
}


@dataclass(frozen=True)
class ThresholdCrossed:
    """One alert raised by a round: which figure went over which threshold."""

    alert_uuid: str
    type: CapacityType
    where: str  # "cluster c1 (pod p1, zone z1)" or "zone z1"
    fraction_used: float
    threshold: float


class CapacityMonitor(PeriodicTask):
    """Checks capacity against thresholds. `start()` runs `check_once()` in a daemon thread until
    `stop()`; `interval` (seconds) overrides the `capacity.check.period` setting."""

    task_name = "capacity-monitor"
    default_interval = DEFAULT_PERIOD_SECONDS

    def check_once(self) -> list[ThresholdCrossed]:
        """Compare every cluster's and zone's figures with their thresholds once, raising the
        alerts due (committed together); returns them."""
        with self._database.session() as session:
            return [crossed for figure in capacity.top_consumed(session)
                    if (crossed := _check(session, figure)) is not None]

    def interval_from_settings(self, session: Session) -> float:
        """`capacity.check.period` is in milliseconds."""
        return int(settings.value(session, PERIOD_KEY)) / 1000

    def run_round(self) -> list[ThresholdCrossed]:
        return self.check_once()



def _check(session: Session, figure: CapacityFigure) -> ThresholdCrossed | None:
    watched = THRESHOLDS.get(figure.type)
    if watched is None or figure.total <= 0:
        return None
    key, what = watched
    threshold = float(settings.value(session, key, cluster_id=figure.cluster.id if figure.cluster else None))
    if figure.fraction_used <= threshold or _already_alerted(session, figure):
        return None
    where = _where(figure)
    subject = f"System Alert: Low available {what} in {where}"
    description = (f"{what.capitalize()} in {where}: {_amount(figure.type, figure.used)} used of "
                   f"{_amount(figure.type, figure.total)} ({figure.percent_used}%), "
                   f"{_amount(figure.type, figure.total - figure.used)} available; "
                   f"{key} is {threshold * 100:g}%")
    alert = alerts.raise_alert(session, int(figure.type), subject, description, zone_id=figure.zone.id,
                               pod_id=figure.pod.id if figure.pod else None,
                               cluster_id=figure.cluster.id if figure.cluster else None)
    log.warning("%s", description)
    return ThresholdCrossed(alert.uuid, figure.type, where, figure.fraction_used, threshold)


def _already_alerted(session: Session, figure: CapacityFigure) -> bool:
    statement = select(Alert.id).where(Alert.type == int(figure.type), Alert.archived.is_(False),
                                       Alert.zone_id == figure.zone.id)
    if figure.cluster is not None:
        statement = statement.where(Alert.cluster_id == figure.cluster.id)
    else:
        statement = statement.where(Alert.cluster_id.is_(None), Alert.pod_id.is_(None))
    return session.scalar(statement.limit(1)) is not None


def _where(figure: CapacityFigure) -> str:
    if figure.cluster is not None and figure.pod is not None:
        return f"cluster {figure.cluster.name} (pod {figure.pod.name}, zone {figure.zone.name})"
    return f"zone {figure.zone.name}"


def _amount(capacity_type: CapacityType, value: int) -> str:
    if capacity_type is CapacityType.CPU:
        return f"{value} MHz"
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2)):
        if abs(value) >= size:
            return f"{value / size:.2f} {unit}"
    return f"{value} bytes"

"""Alerts for operators: raising them, listing, archiving and deleting them, and mailing them.

Other services raise alerts with:

    raise_alert(session, alert_type: int | AlertType, subject: str, description: str, *,
                zone_id=None, pod_id=None, cluster_id=None, name=None) -> Alert

It adds the alert to the session's transaction (zone/pod/cluster are database ids); `name`
defaults to the built-in name of `alert_type` ("ALERT.COMPUTE.HOST"), and a number that is not
a built-in type needs one. Once the transaction commits, the alert is handed to the mail
sender (services.alert_mail) when the server started one; nothing here blocks on SMTP.

What an operator does to alerts is audited: `generate` (generateAlert) records an
ALERT.GENERATE event, `archive_alerts` ALERT.ARCHIVE and `delete_alerts` ALERT.DELETE.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session

from cirrostack.db.models.alerts import Alert
from cirrostack.errors import InvalidParameter
from cirrostack.services import events
from cirrostack.services._after_commit import after_commit
from cirrostack.services.context import Caller


class AlertType(enum.IntEnum):
    """CloudStack 4.3's built-in alert types; `alert_name` is the name listAlerts shows."""

    MEMORY = 0
    CPU = 1
    STORAGE = 2
    STORAGE_ALLOCATED = 3
    NETWORK_PUBLICIP = 4
    NETWORK_PRIVATEIP = 5
    STORAGE_SECONDARY = 6
    COMPUTE_HOST = 7
    USERVM = 8
    SERVICE_DOMAINROUTER = 9
    SERVICE_CONSOLEPROXY = 10
    NETWORK_ROUTING = 11
    STORAGE_MISC = 12
    USAGE = 13
    MANAGEMENT = 14
    NETWORK_DOMAINROUTERMIGRATE = 15
    SERVICE_CONSOLEPROXYMIGRATE = 16
    USERVM_MIGRATE = 17
    NETWORK_VLAN = 18
    SERVICE_SSVM = 19
    USAGE_RESULT = 20
    STORAGE_DELETE = 21
    RESOURCE_COUNT = 22
    USAGE_SANITY = 23
    NETWORK_DIRECTPUBLICIP = 24
    STORAGE_LOCAL = 25
    RESOURCE_EXCEED = 26
    TYPE_SYNC = 27

    @property
    def alert_name(self) -> str:
        return "ALERT." + self.name.replace("_", ".")


_mailer: Any = None  # services.alert_mail.AlertMailer, set by the server


def send_mail_through(mailer: Any) -> None:
    """Hand every alert committed from now on to `mailer.submit(alert_id)` (None: mail nothing)."""
    global _mailer
    _mailer = mailer


def current_mailer() -> Any:
    """The mailer alerts go to (None when the server mails nothing)."""
    return _mailer


def built_in_name(alert_type: int) -> str | None:
    """The name CloudStack gives alert type `alert_type`, None if it is not a built-in type."""
    try:
        return AlertType(alert_type).alert_name
    except ValueError:
        return None


def raise_alert(session: Session, alert_type: int | AlertType, subject: str, description: str, *,
                zone_id: int | None = None, pod_id: int | None = None, cluster_id: int | None = None,
                name: str | None = None) -> Alert:
    """Record an alert (see the module docstring). Raises InvalidParameter("name") when `name`
    contradicts a built-in type's name, or is missing for a type that is not built in."""
    number = int(alert_type)
    default_name = built_in_name(number)
    if name is None:
        if default_name is None:
            raise InvalidParameter("name", f"alert type {number} is not a built-in type, so it needs a name")
        name = default_name
    elif default_name is not None and name.lower() != default_name.lower():
        raise InvalidParameter("name", f"There is a default alert having type {number} and name {default_name}")
    alert = Alert(type=number, name=default_name or name, subject=subject, description=description,
                  zone_id=zone_id, pod_id=pod_id, cluster_id=cluster_id)
    session.add(alert)
    session.flush()
    mailer = _mailer
    if mailer is not None:
        alert_id = alert.id
        after_commit(session, lambda: mailer.submit(alert_id))
    return alert


def generate(session: Session, caller: Caller | None, alert_type: int, name: str, description: str, *,
             zone_id: int | None = None, pod_id: int | None = None) -> Alert:
    """generateAlert: raise an alert a service on another host publishes (see `raise_alert`) and
    record an ALERT.GENERATE event naming it."""
    alert = raise_alert(session, alert_type, description, description, zone_id=zone_id, pod_id=pod_id, name=name)
    events.record(session, caller, "ALERT.GENERATE", f"Generated alert {alert.name} (type {alert.type}): "
                                                     f"{description}", resource_type="Alert",
                  resource_uuid=alert.uuid)
    return alert


def _selection(*, ids: list[str] | None = None, alert_type: int | None = None, start: datetime | None = None,
               end: datetime | None = None) -> Select[Any]:
    statement = select(Alert).where(Alert.archived.is_(False))
    if ids:
        statement = statement.where(Alert.uuid.in_(ids))
    if alert_type is not None:
        statement = statement.where(Alert.type == alert_type)
    if start is not None:
        statement = statement.where(Alert.created >= start)
    if end is not None:
        statement = statement.where(Alert.created <= end)
    return statement


def list_alerts(session: Session, *, uuid: str | None = None, alert_type: int | None = None,
                name: str | None = None, keyword: str | None = None, offset: int = 0,
                limit: int | None = None) -> tuple[list[Alert], int]:
    """Unarchived alerts, newest first, and how many match in all."""
    statement = _selection(ids=[uuid] if uuid else None, alert_type=alert_type)
    if name:
        statement = statement.where(func.lower(Alert.name) == name.lower())
    if keyword:
        pattern = f"%{keyword.lower()}%"
        statement = statement.where(or_(func.lower(Alert.subject).like(pattern),
                                        func.lower(Alert.name).like(pattern)))
    count = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.order_by(Alert.created.desc(), Alert.id.desc()).offset(offset).limit(limit))
    return list(rows), count


def archive_alerts(session: Session, *, ids: list[str] | None = None, alert_type: int | None = None,
                   start: datetime | None = None, end: datetime | None = None, caller: Caller | None = None) -> int:
    """Archive the matching alerts (listAlerts stops showing them), recording an ALERT.ARCHIVE
    event by `caller`; returns how many."""
    matched = _matching_ids(session, ids, alert_type, start, end)
    if matched:
        session.execute(update(Alert).where(Alert.id.in_(matched)).values(archived=True))
        events.record(session, caller, "ALERT.ARCHIVE", f"Archived {_count(matched)}", resource_type="Alert")
    return len(matched)


def delete_alerts(session: Session, *, ids: list[str] | None = None, alert_type: int | None = None,
                  start: datetime | None = None, end: datetime | None = None, caller: Caller | None = None) -> int:
    """Delete the matching alerts for good, recording an ALERT.DELETE event by `caller`; returns
    how many."""
    matched = _matching_ids(session, ids, alert_type, start, end)
    if matched:
        session.execute(delete(Alert).where(Alert.id.in_(matched)))
        events.record(session, caller, "ALERT.DELETE", f"Deleted {_count(matched)}", resource_type="Alert")
    return len(matched)


def _count(matched: list[int]) -> str:
    return "1 alert" if len(matched) == 1 else f"{len(matched)} alerts"


def _matching_ids(session: Session, ids: list[str] | None, alert_type: int | None, start: datetime | None,
                  end: datetime | None) -> list[int]:
    if not ids and alert_type is None and start is None and end is None:
        raise InvalidParameter("ids", "give ids, type or a date range (startdate/enddate) to select alerts")
    if start is not None and end is not None and start > end:
        raise InvalidParameter("startdate", f"{start:%Y-%m-%d %H:%M:%S} is after enddate {end:%Y-%m-%d %H:%M:%S}")
    found = session.scalars(_selection(ids=ids, alert_type=alert_type, start=start, end=end)).all()
    if ids:
        missing = sorted(set(ids) - {alert.uuid for alert in found})
        if missing:
            raise InvalidParameter("ids", f"no unarchived alert has id {', '.join(missing)}")
    return [alert.id for alert in found]

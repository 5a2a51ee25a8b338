"""Audit events: recording them (every state change), listing, archiving and deleting them.

    record(session, caller, event_type, description, *, level="INFO", state="Completed",
           account_id=None, domain_id=None, resource_type=None, resource_uuid=None) -> Event
        Adds the event to the session's transaction (db.audit.record_event) and, once that
        transaction commits, tells plugins through `on_event` (when the server called
        `notify_plugins_through(registry)`).

listEvents shows live, unarchived events within the caller's scope: users their own
account's, domain admins their domain subtree's, root admins everything.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session, lazyload

from cirrostack.db.audit import record_event
from cirrostack.db.models import Account, Event
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.events import LifecycleEvent
from cirrostack.services._after_commit import after_commit
from cirrostack.services.context import Caller
from cirrostack.services.scope import ListScope, accounts_in_subtree, sees_domain_subtree

_notifier: Any = None  # the PluginRegistry whose plugins hear of events


def notify_plugins_through(registry: Any) -> None:
    """Send every event recorded from now on to `registry.notify` after its commit (None: to nobody)."""
    global _notifier
    _notifier = registry


def current_notifier() -> Any:
    """The registry events go to (None when they go to no plugin)."""
    return _notifier


def record(session: Session, caller: Caller | None, event_type: str, description: str, *, level: str = "INFO",
           state: str = "Completed", account_id: int | None = None, domain_id: int | None = None,
           resource_type: str | None = None, resource_uuid: str | None = None) -> Event:
    """Record an event such as ZONE.CREATE (see the module docstring)."""
    event = record_event(session, caller, event_type, description, level=level, state=state,
                         account_id=account_id, domain_id=domain_id, resource_type=resource_type,
                         resource_uuid=resource_uuid)
    registry = _notifier
    if registry is not None:
        # The owner is usually in the session already (the caller's or the acted-on object's account):
        # the identity map answers without a query, and the event is inserted with the session's next flush.
        account = (session.get(Account, event.account_id, options=[lazyload("*")])
                   if event.account_id is not None else None)
        account_uuid = account.uuid if account is not None else ""
        lifecycle = LifecycleEvent(event_type, state, description, resource_type or "", resource_uuid or "",
                                   account_uuid)
        after_commit(session, lambda: registry.notify(lifecycle))
    return event


def _selection(caller: Caller, scope: ListScope, *, ids: list[str] | None = None, event_type: str | None = None,
               start: datetime | None = None, end: datetime | None = None) -> Select[Any]:
    statement = scope.apply(select(Event).where(Event.archived.is_(False)), Event.account_id)
    if not caller.is_root_admin:
        # events without an account (system work) and other tenants' events stay hidden
        statement = (statement.where(Event.account_id.in_(accounts_in_subtree(caller.domain_path)))
                     if sees_domain_subtree(caller) else statement.where(Event.account_id == caller.account_id))
    if ids:
        statement = statement.where(Event.uuid.in_(ids))
    if event_type:
        statement = statement.where(func.upper(Event.type) == event_type.upper())
    if start is not None:
        statement = statement.where(Event.created >= start)
    if end is not None:
        statement = statement.where(Event.created <= end)
    return statement


def list_events(session: Session, caller: Caller, scope: ListScope, *, uuid: str | None = None,
                event_type: str | None = None, level: str | None = None, start: datetime | None = None,
                end: datetime | None = None, keyword: str | None = None, duration: int | None = None,
                entrytime: int | None = None, offset: int = 0, limit: int | None = None) -> tuple[list[Event], int]:
    """Unarchived events within `scope`, newest first, and how many match in all.

    `entrytime` with `duration` (seconds, entrytime > duration) finds work still pending: events
    in state Started entered between `entrytime` and `duration` seconds ago.
    """
    statement = _selection(caller, scope, ids=[uuid] if uuid else None, event_type=event_type, start=start, end=end)
    if level:
        statement = statement.where(func.upper(Event.level) == level.upper())
    if (entrytime is None) != (duration is None):
        raise InvalidParameter("entrytime" if entrytime is None else "duration",
                               "entrytime and duration must be given together")
    if entrytime is not None and duration is not None:
        if entrytime <= duration:
            raise InvalidParameter("entrytime", f"entry time {entrytime} must be greater than duration {duration}")
        now = utcnow()
        statement = statement.where(Event.state == "Started", Event.created >= now - timedelta(seconds=entrytime),
                                    Event.created <= now - timedelta(seconds=duration))
    if keyword:
        pattern = f"%{keyword.lower()}%"
        statement = statement.where(or_(func.lower(Event.type).like(pattern),
                                        func.lower(Event.description).like(pattern),
                                        func.lower(Event.level).like(pattern)))
    count = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(statement.order_by(Event.created.desc(), Event.id.desc())
                           .offset(offset).limit(limit)).all()
    return list(rows), count


def archive_events(session: Session, caller: Caller, scope: ListScope, *, ids: list[str] | None = None,
                   event_type: str | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> int:
    """Archive the matching events (listEvents stops showing them); returns how many."""
    matched = _matching_ids(session, caller, scope, ids, event_type, start, end)
    if matched:
        session.execute(update(Event).where(Event.id.in_(matched)).values(archived=True))
    return len(matched)


def delete_events(session: Session, caller: Caller, scope: ListScope, *, ids: list[str] | None = None,
                  event_type: str | None = None, start: datetime | None = None,
                  end: datetime | None = None) -> int:
    """Delete the matching events for good; returns how many."""
    matched = _matching_ids(session, caller, scope, ids, event_type, start, end)
    if matched:
        session.execute(delete(Event).where(Event.id.in_(matched)))
    return len(matched)


def _matching_ids(session: Session, caller: Caller, scope: ListScope, ids: list[str] | None,
                  event_type: str | None, start: datetime | None, end: datetime | None) -> list[int]:
    if not ids and not event_type and start is None and end is None:
        raise InvalidParameter("ids", "give ids, type or a date range (startdate/enddate) to select events")
    if start is not None and end is not None and start > end:
        raise InvalidParameter("startdate", f"{start:%Y-%m-%d %H:%M:%S} is after enddate {end:%Y-%m-%d %H:%M:%S}")
    statement = _selection(caller, scope, ids=ids, event_type=event_type, start=start, end=end)
    found = session.scalars(statement).all()
    if ids:
        missing = sorted(set(ids) - {event.uuid for event in found})
        if missing:
            raise InvalidParameter("ids", f"no event visible to you has id {', '.join(missing)}")
    return [event.id for event in found]

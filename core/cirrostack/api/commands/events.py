"""listEvents, archiveEvents and deleteEvents, scoped to what the caller may see."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.api.declaration import (
    ACCOUNT_SCOPE_PARAMS,
    LIST_PARAMS,
    Call,
    Command,
    CommandKind,
    Field,
    ListResult,
    Param,
    Response,
)
from cirrostack.api.params import Date, Integer, ListOf, String, Uuid
from cirrostack.db.models import Account, Domain, Event, User
from cirrostack.db.timestamps import to_api
from cirrostack.services import events
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.scope import list_scope

_USER_PACKAGE = "org.apache.cloudstack.api.command.user.event."

EVENT_RESPONSE = Response("event", (
    Field("id", "string", "the ID of the event"),
    Field("username", "string", "the name of the user who performed the action (can be different from the account "
                                "if an admin is performing an action for a user, e.g. starting/stopping a user's "
                                "virtual machine)"),
    Field("type", "string", "the type of the event (see event types)"),
    Field("level", "string", "the event level (INFO, WARN, ERROR)"),
    Field("description", "string", "a brief description of the event"),
    Field("account", "string", "the account name for the account that owns the object being acted on in the event "
                               "(e.g. the owner of the virtual machine, ip address, or security group)"),
    Field("domainid", "string", "the id of the account's domain"),
    Field("domain", "string", "the name of the account's domain"),
    Field("created", "date", "the date the event was created"),
    Field("state", "string", "the state of the event"),
    Field("parentid", "string", "whether the event is parented"),
), instance_type="Event")


def _selection_params(what: str) -> tuple[Param, ...]:
    return (Param("ids", ListOf(Uuid("Event", load=False)), f"the IDs of the events to {what}"),
            Param("type", String(), f"{what} by event type"),
            Param("startdate", Date(with_time=True), f"start date range to {what} events (including) this date "
                                                      "(use format \"yyyy-MM-dd\" or \"yyyy-MM-dd HH:mm:ss\")"),
            Param("enddate", Date(with_time=True), f"end date range to {what} events (including) this date (use "
                                                    "format \"yyyy-MM-dd\" or \"yyyy-MM-dd HH:mm:ss\")"))


LIST_EVENTS = Command(
    "listEvents", "A command to list events.", kind=CommandKind.LIST, response=EVENT_RESPONSE, roles=ANY_ROLE,
    java_class=_USER_PACKAGE + "ListEventsCmd", related=("archiveEvents", "deleteEvents"),
    params=(Param("id", Uuid("Event", load=False), "the ID of the event"),
            Param("type", String(), "the event type (see event types)"),
            Param("level", String(), "the event level (INFO, WARN, ERROR)"),
            Param("startdate", Date(with_time=True), "the start date range of the list you want to retrieve (use "
                                                      "format \"yyyy-MM-dd\" or \"yyyy-MM-dd HH:mm:ss\")"),
            Param("enddate", Date(with_time=True), "the end date range of the list you want to retrieve (use format "
                                                    "\"yyyy-MM-dd\" or \"yyyy-MM-dd HH:mm:ss\")"),
            Param("duration", Integer(minimum=0), "the duration of the event"),
            Param("entrytime", Integer(minimum=0), "the time the event was entered"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))

ARCHIVE_EVENTS = Command(
    "archiveEvents", "Archive one or more events.", kind=CommandKind.SUCCESS, roles=ANY_ROLE,
    java_class=_USER_PACKAGE + "ArchiveEventsCmd", since="4.2.0", related=("listEvents",),
    params=_selection_params("archive"))

DELETE_EVENTS = Command(
    "deleteEvents", "Delete one or more events.", kind=CommandKind.SUCCESS, roles=ANY_ROLE,
    java_class=_USER_PACKAGE + "DeleteEventsCmd", since="4.2.0", related=("listEvents",),
    params=_selection_params("delete"))


def range_start(value: date | datetime | None) -> datetime | None:
    """A date parameter as the first moment it covers."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min)


def range_end(value: date | datetime | None) -> datetime | None:
    """A date parameter as the last moment it covers (a bare date includes its whole day)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.combine(value, time.max)


def event_view(session: Session, event: Event) -> dict[str, Any]:
    account = session.get(Account, event.account_id) if event.account_id else None
    domain = session.get(Domain, event.domain_id) if event.domain_id else None
    username = session.scalar(select(User.username).where(User.id == event.user_id)) if event.user_id else None
    view = {"id": event.uuid, "username": username, "type": event.type, "level": event.level,
            "description": event.description, "account": account.name if account else None,
            "domainid": domain.uuid if domain else None, "domain": domain.name if domain else None,
            "created": to_api(event.created), "state": event.state}
    return {key: value for key, value in view.items() if value is not None}


@LIST_EVENTS.handler
def list_events(call: Call, id: str | None = None, type: str | None = None, level: str | None = None,
                startdate: date | datetime | None = None, enddate: date | datetime | None = None,
                duration: int | None = None, entrytime: int | None = None, keyword: str | None = None,
                account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                listall: bool = False, **_paging: Any) -> ListResult:
    scope = list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                       listall=listall, by_id=id is not None)
    rows, count = events.list_events(call.session, call.caller, scope, uuid=id, event_type=type, level=level,
                                     start=range_start(startdate), end=range_end(enddate), keyword=keyword,
                                     duration=duration, entrytime=entrytime, offset=call.paging.offset,
                                     limit=call.paging.limit)
    return ListResult([event_view(call.session, row) for row in rows], count)


def _selected(call: Call, ids: list[str] | None, type: str | None, startdate: date | datetime | None,
              enddate: date | datetime | None) -> dict[str, Any]:
    scope = list_scope(call.session, call.caller, listall=True)
    return {"scope": scope, "ids": ids, "event_type": type, "start": range_start(startdate),
            "end": range_end(enddate)}


@ARCHIVE_EVENTS.handler
def archive_events(call: Call, ids: list[str] | None = None, type: str | None = None,
                   startdate: date | datetime | None = None, enddate: date | datetime | None = None) -> None:
    events.archive_events(call.session, call.caller, **_selected(call, ids, type, startdate, enddate))


@DELETE_EVENTS.handler
def delete_events(call: Call, ids: list[str] | None = None, type: str | None = None,
                  startdate: date | datetime | None = None, enddate: date | datetime | None = None) -> None:
    events.delete_events(call.session, call.caller, **_selected(call, ids, type, startdate, enddate))

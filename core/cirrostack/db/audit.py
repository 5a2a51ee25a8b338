"""Recording audit events (listEvents shows them; plugins hear of them through `on_event`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cirrostack.db.models import Event
from cirrostack.services.context import Caller


def record_event(session: Session, caller: Caller | None, event_type: str, description: str, *,
                 level: str = "INFO", state: str = "Completed", account_id: int | None = None,
                 domain_id: int | None = None, resource_type: str | None = None,
                 resource_uuid: str | None = None) -> Event:
    """Add an event such as ACCOUNT.CREATE to the session's transaction.

    The event belongs to `account_id`/`domain_id` when given (the object acted on), else to the caller.
    """
    event = Event(type=event_type, description=description, level=level, state=state,
                  user_id=caller.user_id if caller else None,
                  account_id=account_id if account_id is not None else (caller.account_id if caller else None),
                  domain_id=domain_id if domain_id is not None else (caller.domain_id if caller else None),
                  resource_type=resource_type, resource_uuid=resource_uuid)
    session.add(event)
    return event

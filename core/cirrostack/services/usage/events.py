"""Recording usage events: what the usage job later turns into usage records."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from cirrostack.db.models.usage import UsageEvent
from cirrostack.db.timestamps import utcnow
from cirrostack.services.usage.types import EVENT_TYPES


def record_usage_event(session: Session, event_type: str, *, account_id: int, domain_id: int, zone_id: int | None,
                       resource_id: int, resource_uuid: str, resource_name: str, offering_id: int | None = None,
                       template_id: int | None = None, size: int | None = None, details: dict | None = None,
                       at: datetime | None = None) -> UsageEvent:
    """Add a usage event to the session's transaction (it counts only if the change commits).

    `event_type` is one of VM.CREATE, VM.START, VM.STOP, VM.UPGRADE, VM.DESTROY, VOLUME.CREATE,
    VOLUME.RESIZE, VOLUME.DELETE, SNAPSHOT.CREATE, SNAPSHOT.DELETE (a snapshot's `size` is its copy's).
    VM events carry the service offering (`offering_id`), the
    template and, for custom offerings, `details` {"cpuNumber", "cpuSpeed", "memory"}; volume
    events carry the disk offering and `size` in bytes (a ROOT volume's custom size included).
    `at` (default now, UTC) is when the change happened.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown usage event type {event_type!r} (known: {', '.join(sorted(EVENT_TYPES))})")
    event = UsageEvent(type=event_type, created=at or utcnow(), account_id=account_id, domain_id=domain_id,
                       zone_id=zone_id, resource_id=resource_id, resource_uuid=resource_uuid,
                       resource_name=resource_name or "", offering_id=offering_id, template_id=template_id,
                       size=size, details=json.dumps(details or {}, sort_keys=True))
    session.add(event)
    return event

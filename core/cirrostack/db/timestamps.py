"""How times are stored and shown: naive UTC in the database, CloudStack's format on the API."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as naive UTC, the form every DateTime column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_api(moment: datetime | None) -> str | None:
    """A stored time as CloudStack writes dates (`yyyy-MM-dd'T'HH:mm:ssZ`, e.g. 2014-03-17T15:41:48+0000)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + "+0000"

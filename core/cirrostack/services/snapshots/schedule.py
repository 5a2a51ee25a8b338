"""When a snapshot policy fires: its `schedule` parsed for its interval type, and the next moment after
a given one, computed in the policy's time zone and returned as naive UTC (as the database keeps time).

Schedules as createSnapshotPolicy takes them: HOURLY "MM", DAILY "MM:HH", WEEKLY "MM:HH:DD" with DD the
day of the week 1-7 (1 is Sunday), MONTHLY "MM:HH:DD" with DD the day of the month 1-28.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cirrostack.db.models.snapshots import IntervalType
from cirrostack.errors import InvalidParameter

_FORMATS = {IntervalType.HOURLY: "MM", IntervalType.DAILY: "MM:HH", IntervalType.WEEKLY: "MM:HH:DD (DD 1-7, 1 is "
            "Sunday)", IntervalType.MONTHLY: "MM:HH:DD (DD 1-28)"}
_PARTS = {IntervalType.HOURLY: 1, IntervalType.DAILY: 2, IntervalType.WEEKLY: 3, IntervalType.MONTHLY: 3}
_DAY_RANGE = {IntervalType.WEEKLY: (1, 7), IntervalType.MONTHLY: (1, 28)}


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: the minute, hour and day it fires at (unused parts are 0)."""

    interval: IntervalType
    minute: int
    hour: int = 0
    day: int = 0


def interval_type(value: str, param: str = "intervaltype") -> IntervalType:
    """HOURLY, DAILY, WEEKLY or MONTHLY, in any case; anything else is a 431 naming `param`."""
    try:
        return IntervalType(value.strip().upper())
    except ValueError:
        raise InvalidParameter(param, f"{value!r} is not an interval type; use one of "
                                      f"{', '.join(t.value for t in IntervalType)}") from None


def parse_schedule(interval: IntervalType, text: str) -> Schedule:
    """`text` as `interval` expects it; raises InvalidParameter("schedule", ...) naming the format."""
    parts = text.strip().split(":")
    expected = _FORMATS[interval]
    if len(parts) != _PARTS[interval] or not all(part.isdigit() for part in parts):
        raise InvalidParameter("schedule", f"{text!r} does not fit the {interval.value} format {expected}")
    numbers = [int(part) for part in parts] + [0, 0]
    minute, hour, day = numbers[0], numbers[1], numbers[2]
    if minute > 59 or hour > 23:
        raise InvalidParameter("schedule", f"{text!r}: minutes run 0-59 and hours 0-23 ({expected})")
    if interval in _DAY_RANGE:
        low, high = _DAY_RANGE[interval]
        if not low <= day <= high:
            raise InvalidParameter("schedule", f"{text!r}: the day must be {low}-{high} for {interval.value} "
                                               f"({expected})")
    return Schedule(interval, minute, hour, day)


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone `name` ("UTC", "Europe/Berlin", ...); 431 naming `timezone` otherwise."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidParameter("timezone", f"{name!r} is not a time zone; give an IANA name such as UTC or "
                                           "Europe/Berlin") from None


def next_run(schedule: Schedule, zone: ZoneInfo, after: datetime) -> datetime:
    """The first moment strictly after `after` (naive UTC) at which `schedule` fires in `zone`, as naive UTC."""
    local = after.replace(tzinfo=UTC).astimezone(zone)
    if schedule.interval is IntervalType.HOURLY:
        candidate = local.replace(minute=schedule.minute, second=0, microsecond=0)
        if candidate <= local:
            candidate += timedelta(hours=1)
        return _as_utc(candidate)
    day = local.date()
    for _ in range(400):  # at most a year and a bit ahead
        if _fires_on(schedule, day):
            candidate = datetime(day.year, day.month, day.day, schedule.hour, schedule.minute, tzinfo=zone)
            if candidate > local:
                return _as_utc(candidate)
        day += timedelta(days=1)
    raise AssertionError(f"schedule {schedule} never fires")  # every valid schedule fires within 31 days


def _fires_on(schedule: Schedule, day: date) -> bool:
    if schedule.interval is IntervalType.DAILY:
        return True
    if schedule.interval is IntervalType.WEEKLY:
        return (day.weekday() + 1) % 7 + 1 == schedule.day  # Python's Monday 0 -> CloudStack's Monday 2
    return day.day == schedule.day


def _as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)

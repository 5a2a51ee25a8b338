"""The usage job: turns usage events into usage records, one day at a time.

Each resource's events are replayed in order into segments of constant values:
- a VM is allocated (usage type 2) from VM.CREATE to VM.DESTROY and running (type 1) from
  VM.START to VM.STOP or VM.DESTROY; VM.UPGRADE (a scale) ends the open segments with the old
  offering and cpuNumber/cpuSpeed/memory and starts new ones with the new values;
- a volume (type 6) exists from VOLUME.CREATE to VOLUME.DELETE, VOLUME.RESIZE splitting it;
- a volume snapshot (type 9) exists from SNAPSHOT.CREATE to SNAPSHOT.DELETE.
Segments are cut at day boundaries (UTC) and at the moment the job runs; a day's records are
replaced each time the job covers that day, so running it twice gives the same records.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cirrostack.db.models.usage import UsageEvent, UsageRecord
from cirrostack.db.timestamps import utcnow
from cirrostack.services.usage import types
from cirrostack.services.usage.types import UsageType

_DETAIL_KEYS = {"cpuNumber": "cpu_number", "cpuSpeed": "cpu_speed", "memory": "memory"}


@dataclass(frozen=True)
class Values:
    """What a segment is charged for."""

    offering_id: int | None = None
    template_id: int | None = None
    size: int | None = None
    cpu_number: int | None = None
    cpu_speed: int | None = None
    memory: int | None = None


@dataclass
class Segment:
    usage_type: UsageType
    event: UsageEvent
    values: Values
    start: datetime
    end: datetime | None = None


@dataclass
class _Replay:
    """The open segments of one resource while its events are replayed."""

    open: dict[UsageType, Segment] = field(default_factory=dict)
    done: list[Segment] = field(default_factory=list)

    def begin(self, usage_type: UsageType, event: UsageEvent, values: Values) -> None:
        if usage_type not in self.open:
            self.open[usage_type] = Segment(usage_type, event, values, event.created)

    def end(self, usage_type: UsageType, moment: datetime) -> Segment | None:
        segment = self.open.pop(usage_type, None)
        if segment is not None:
            segment.end = moment
            self.done.append(segment)
        return segment

    def change(self, event: UsageEvent, values: Values) -> None:
        for usage_type, old in list(self.open.items()):
            self.end(usage_type, event.created)
            self.open[usage_type] = Segment(usage_type, event, replace(old.values, **_given(values)), event.created)


def generate(session: Session, start: date, end: date, *, account_ids: object = None,
             now: datetime | None = None) -> int:
    """Replace the usage records of the days `start` .. `end` (inclusive) with fresh ones.

    `account_ids` (a select of account ids) limits the job to those accounts (generateUsageRecords'
    domainid). Returns how many records were written.
    """
    now = now or utcnow()
    first, last = datetime.combine(start, time.min), min(datetime.combine(end + timedelta(days=1), time.min), now)
    if last <= first:
        return 0
    old = delete(UsageRecord).where(UsageRecord.start_date >= first, UsageRecord.start_date < last)
    events = select(UsageEvent).where(UsageEvent.created < last).order_by(UsageEvent.created, UsageEvent.id)
    if account_ids is not None:
        old = old.where(UsageRecord.account_id.in_(account_ids))
        events = events.where(UsageEvent.account_id.in_(account_ids))
    session.execute(old)
    written = 0
    for segment in segments(session.scalars(events)):
        for day_start, day_end in _days(max(segment.start, first), min(segment.end or last, last)):
            session.add(_record(segment, day_start, day_end))
            written += 1
    session.flush()
    return written


def segments(events: Iterator[UsageEvent] | list[UsageEvent]) -> list[Segment]:
    """Replay `events` (ordered by time) into the segments of every resource."""
    replays: dict[tuple[str, int], _Replay] = {}
    for event in events:
        kind = "vm" if event.type in types.VM_EVENTS else "snapshot" if event.type in types.SNAPSHOT_EVENTS \
            else "volume"
        replay = replays.setdefault((kind, event.resource_id), _Replay())
        values = _values(event)
        if event.type == types.VM_CREATE:
            replay.begin(UsageType.ALLOCATED_VM, event, values)
        elif event.type == types.VM_START:
            allocated = replay.open.get(UsageType.ALLOCATED_VM)
            replay.begin(UsageType.RUNNING_VM, event,
                         replace(allocated.values, **_given(values)) if allocated is not None else values)
        elif event.type == types.VM_STOP:
            replay.end(UsageType.RUNNING_VM, event.created)
        elif event.type in (types.VM_UPGRADE, types.VOLUME_RESIZE):
            replay.change(event, values)
        elif event.type == types.VM_DESTROY:
            replay.end(UsageType.RUNNING_VM, event.created)
            replay.end(UsageType.ALLOCATED_VM, event.created)
        elif event.type == types.VOLUME_CREATE:
            replay.begin(UsageType.VOLUME, event, values)
        elif event.type == types.VOLUME_DELETE:
            replay.end(UsageType.VOLUME, event.created)
        elif event.type == types.SNAPSHOT_CREATE:
            replay.begin(UsageType.SNAPSHOT, event, values)
        elif event.type == types.SNAPSHOT_DELETE:
            replay.end(UsageType.SNAPSHOT, event.created)
    return [segment for replay in replays.values() for segment in (*replay.done, *replay.open.values())]


def _values(event: UsageEvent) -> Values:
    details = json.loads(event.details or "{}")
    dynamic = {attribute: int(details[key]) for key, attribute in _DETAIL_KEYS.items() if details.get(key) is not None}
    return Values(offering_id=event.offering_id, template_id=event.template_id, size=event.size, **dynamic)


def _given(values: Values) -> dict[str, int]:
    return {name: value for name, value in vars(values).items() if value is not None}


def _days(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    while start < end:
        boundary = datetime.combine(start.date() + timedelta(days=1), time.min)
        yield start, min(boundary, end)
        start = boundary


def _record(segment: Segment, start: datetime, end: datetime) -> UsageRecord:
    event, values = segment.event, segment.values
    hours = (end - start).total_seconds() / 3600
    return UsageRecord(usage_type=int(segment.usage_type), account_id=event.account_id, domain_id=event.domain_id,
                       zone_id=event.zone_id, resource_id=event.resource_id, resource_uuid=event.resource_uuid,
                       resource_name=event.resource_name, description=_description(segment), raw_usage=hours,
                       offering_id=values.offering_id, template_id=values.template_id, size=values.size,
                       cpu_number=values.cpu_number, cpu_speed=values.cpu_speed, memory=values.memory,
                       start_date=start, end_date=end)


def _description(segment: Segment) -> str:
    name = segment.event.resource_name
    if segment.usage_type is UsageType.RUNNING_VM:
        return f"{name} running time (ServiceOffering: {segment.values.offering_id}) " \
               f"(Template: {segment.values.template_id})"
    if segment.usage_type is UsageType.ALLOCATED_VM:
        return f"{name} allocated time (ServiceOffering: {segment.values.offering_id}) " \
               f"(Template: {segment.values.template_id})"
    if segment.usage_type is UsageType.SNAPSHOT:
        return f"Snapshot Id: {segment.event.resource_uuid} usage time (Size: {segment.values.size})"
    return f"Volume Id: {segment.event.resource_uuid} usage time (DiskOffering: {segment.values.offering_id}) " \
           f"(Size: {segment.values.size})"

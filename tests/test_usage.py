"""Usage metering: events replayed into per-day records (SQLite and MariaDB), and the usage commands."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from cirrostack.db import Database
from cirrostack.db.models import Account, ServiceOffering
from cirrostack.db.models.usage import UsageRecord
from cirrostack.services import accounts
from cirrostack.services.usage import generator
from cirrostack.services.usage.events import record_usage_event

GIB = 1024 ** 3
DAY = date(2026, 3, 17)


def at(hour: int, day: int = 17) -> datetime:
    return datetime(2026, 3, day, hour)


def _scaled_vm_history(session, account: Account, offering_id: int | None = None) -> None:
    """A custom-offering VM created at 00:00, started at 06:00, scaled from 2 to 4 cores at 12:00, stopped
    at 18:00, and its ROOT volume created with a custom 20 GiB and resized to 30 GiB at 12:00."""
    vm = {"account_id": account.id, "domain_id": account.domain_id, "zone_id": None, "resource_id": 7,
          "resource_uuid": "0b8f2a52-3f7c-4d2e-9a53-7f6f0c1c0007", "resource_name": "web-1",
          "offering_id": offering_id, "template_id": None}
    small = {"cpuNumber": 2, "cpuSpeed": 1000, "memory": 1024}
    record_usage_event(session, "VM.CREATE", **vm, details=small, at=at(0))
    record_usage_event(session, "VM.START", **vm, details=small, at=at(6))
    record_usage_event(session, "VM.UPGRADE", **vm, details={"cpuNumber": 4, "cpuSpeed": 1000, "memory": 2048},
                       at=at(12))
    record_usage_event(session, "VM.STOP", **vm, at=at(18))
    volume = {"account_id": account.id, "domain_id": account.domain_id, "zone_id": None, "resource_id": 9,
              "resource_uuid": "0b8f2a52-3f7c-4d2e-9a53-7f6f0c1c0009", "resource_name": "ROOT-7"}
    record_usage_event(session, "VOLUME.CREATE", **volume, size=20 * GIB, at=at(0))
    record_usage_event(session, "VOLUME.RESIZE", **volume, size=30 * GIB, at=at(12))


@pytest.fixture
def database(database_url: str):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        accounts.bootstrap(session, "admin-pw")
    yield database
    database.dispose()


def _records(session) -> list[tuple]:
    rows = session.scalars(select(UsageRecord).order_by(UsageRecord.usage_type, UsageRecord.resource_id,
                                                        UsageRecord.start_date))
    return [(row.usage_type, row.start_date.hour, row.end_date.hour if row.end_date.day == 17 else 24,
             round(row.raw_usage, 6), row.cpu_number, row.memory, row.size) for row in rows]


def test_a_scale_splits_the_period_into_old_and_new_values(database: Database) -> None:
    with database.session() as session:
        _scaled_vm_history(session, session.scalars(select(Account)).first())
    with database.session() as session:
        assert generator.generate(session, DAY, DAY, now=at(12, day=20)) == 6
    with database.session() as session:
        assert _records(session) == [
            (1, 6, 12, 6.0, 2, 1024, None), (1, 12, 18, 6.0, 4, 2048, None),
            (2, 0, 12, 12.0, 2, 1024, None), (2, 12, 24, 12.0, 4, 2048, None),
            (6, 0, 12, 12.0, None, None, 20 * GIB), (6, 12, 24, 12.0, None, None, 30 * GIB)]


def test_running_the_job_again_replaces_the_days_records(database: Database) -> None:
    with database.session() as session:
        _scaled_vm_history(session, session.scalars(select(Account)).first())
    for _ in range(2):
        with database.session() as session:
            generator.generate(session, DAY, date(2026, 3, 18), now=at(12, day=20))
    with database.session() as session:
        records = _records(session)
    # the 18th: the VM stays allocated and the volume exists all day; nothing runs
    assert len(records) == 8
    assert sorted(r[3] for r in records if r[0] == 2) == [12.0, 12.0, 24.0]


def test_open_segments_end_at_the_time_the_job_runs(database: Database) -> None:
    with database.session() as session:
        _scaled_vm_history(session, session.scalars(select(Account)).first())
    with database.session() as session:
        generator.generate(session, DAY, date(2026, 3, 30), now=at(9))
    with database.session() as session:
        assert _records(session) == [(1, 6, 9, 3.0, 2, 1024, None), (2, 0, 9, 9.0, 2, 1024, None),
                                     (6, 0, 9, 9.0, None, None, 20 * GIB)]


def test_an_unknown_event_type_is_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="VM.EXPLODE"), database.session() as session:
        record_usage_event(session, "VM.EXPLODE", account_id=1, domain_id=1, zone_id=None, resource_id=1,
                           resource_uuid="x", resource_name="x")


def test_list_usage_records_shows_old_and_new_values_and_the_custom_root_size(operator_api) -> None:
    database = operator_api.server.database
    with database.session() as session:
        offering = session.scalars(select(ServiceOffering)).first()
        _scaled_vm_history(session, session.scalars(select(Account).where(Account.name == "admin")).one(),
                           offering.id if offering else None)
    status, body = operator_api.root("generateUsageRecords", startdate="2026-03-17", enddate="2026-03-17")
    assert status == 200, body
    status, body = operator_api.root("listUsageRecords", startdate="2026-03-17", enddate="2026-03-17", type=1)
    assert status == 200 and body["count"] == 2, body
    before, after = body["usagerecord"]
    assert (before["cpunumber"], before["memory"], after["cpunumber"], after["memory"]) == (2, 1024, 4, 2048)
    assert before["usage"] == "6 Hrs" and before["rawusage"] == "6" and before["name"] == "web-1"
    assert before["startdate"] == "2026-03-17'T'06:00:00+00:00" and before["enddate"] == "2026-03-17'T'12:00:00+00:00"
    assert before["account"] == "admin" and before["usagetype"] == 1
    if offering is not None:
        assert before["offeringid"] == offering.uuid
    status, body = operator_api.root("listUsageRecords", startdate="2026-03-17", enddate="2026-03-17", type=6)
    assert [row["size"] for row in body["usagerecord"]] == [20 * GIB, 30 * GIB]
    assert body["usagerecord"][0]["usage"] == "12 Hrs"
    status, body = operator_api.root("listUsageRecords", startdate="2026-03-18", enddate="2026-03-18")
    assert status == 200 and body.get("count", 0) == 0
    status, body = operator_api.root("listUsageRecords", startdate="2026-03-18", enddate="2026-03-17")
    assert status == 431 and body["errortext"].startswith("enddate:")
    status, body = operator_api.root("listUsageRecords", startdate="2026-03-17", enddate="2026-03-17", type=99)
    assert status == 431 and body["errortext"].startswith("type:")


def test_usage_types_and_roles(operator_api) -> None:
    status, body = operator_api.root("listUsageTypes")
    assert status == 200
    types = {row["usagetypeid"]: row["description"] for row in body["usagetype"]}
    assert types[1] == "Running Vm Usage" and types[2] == "Allocated Vm Usage" and types[6] == "Volume Usage"
    alice = operator_api.user("alice")
    assert alice("listUsageRecords", startdate="2026-03-17", enddate="2026-03-17")[0] != 200
    assert alice("generateUsageRecords", startdate="2026-03-17", enddate="2026-03-17")[0] != 200

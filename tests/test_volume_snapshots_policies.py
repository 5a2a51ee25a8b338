"""Snapshot policies and the scheduler, in process on the simulator demo zone (SQLite, then MariaDB):
createSnapshotPolicy validates its schedule, time zone and maxsnaps; the scheduler, driven with a given
"now" rather than by waiting, takes each due snapshot and keeps at most `maxsnaps` per policy."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from cirrostack.db.models.snapshots import SnapshotPolicy
from cirrostack.services.snapshots.scheduler import SnapshotScheduler
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud
from tests.test_volume_snapshots import job, ok, root_volume, running_vm, simulator, snapshots


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


@pytest.fixture
def root(operator_api: OperatorApi, cloud: dict) -> dict:
    return root_volume(operator_api, running_vm(operator_api, cloud, "policy-vm"))


def scheduler(api: OperatorApi) -> SnapshotScheduler:
    server = api.server
    return SnapshotScheduler(server.database, server.registry, server.secrets, interval=3600)


def next_run(api: OperatorApi, policy_id: str) -> datetime:
    with api.server.database.session() as session:
        return session.scalars(select(SnapshotPolicy.next_run).where(SnapshotPolicy.uuid == policy_id)).one()


def test_a_policy_is_answered_as_4_3_shows_it(operator_api: OperatorApi, root: dict) -> None:
    api = operator_api
    status, body = api.root("createSnapshotPolicy", volumeid=root["id"], intervaltype="daily", schedule="30:02",
                            timezone="Asia/Kolkata", maxsnaps=3)
    assert status == 200, body
    policy = body["snapshotpolicy"]
    assert {key: policy[key] for key in ("intervaltype", "maxsnaps", "schedule", "timezone", "volumeid")} == \
        {"intervaltype": 1, "maxsnaps": 3, "schedule": "30:02", "timezone": "Asia/Kolkata", "volumeid": root["id"]}
    due = next_run(api, policy["id"])
    assert (due.hour, due.minute) == (21, 0)  # 02:30 in Kolkata is 21:00 UTC the day before
    # a second DAILY policy for the volume changes the first one
    status, body = api.root("createSnapshotPolicy", volumeid=root["id"], intervaltype="DAILY", schedule="00:04",
                            timezone="UTC", maxsnaps=2)
    assert status == 200 and body["snapshotpolicy"]["id"] == policy["id"], body
    listed = api.root("listSnapshotPolicies", volumeid=root["id"])[1]
    assert listed["count"] == 1 and listed["snapshotpolicy"][0]["schedule"] == "00:04"
    assert api.root("deleteSnapshotPolicies", ids=policy["id"])[0] == 200
    assert api.root("listSnapshotPolicies", volumeid=root["id"])[1].get("count", 0) == 0


@pytest.mark.parametrize(("params", "named"), [
    ({"intervaltype": "YEARLY", "schedule": "00", "timezone": "UTC", "maxsnaps": 1}, "intervaltype: 'YEARLY'"),
    ({"intervaltype": "HOURLY", "schedule": "61", "timezone": "UTC", "maxsnaps": 1}, "schedule: '61'"),
    ({"intervaltype": "WEEKLY", "schedule": "00:10:8", "timezone": "UTC", "maxsnaps": 1}, "the day must be 1-7"),
    ({"intervaltype": "MONTHLY", "schedule": "00:10", "timezone": "UTC", "maxsnaps": 1}, "MM:HH:DD (DD 1-28)"),
    ({"intervaltype": "DAILY", "schedule": "00:10", "timezone": "Mars/Olympus", "maxsnaps": 1}, "timezone:"),
    ({"intervaltype": "DAILY", "schedule": "00:10", "timezone": "UTC", "maxsnaps": 9}, "snapshot.max.daily"),
])
def test_a_bad_policy_names_the_parameter_and_records_nothing(operator_api: OperatorApi, root: dict, params: dict,
                                                              named: str) -> None:
    status, body = operator_api.root("createSnapshotPolicy", volumeid=root["id"], **params)
    assert status == 431 and named in body["errortext"], body
    assert operator_api.root("listSnapshotPolicies", volumeid=root["id"])[1].get("count", 0) == 0


def test_the_scheduler_takes_due_snapshots_and_keeps_maxsnaps(operator_api: OperatorApi, root: dict) -> None:
    api = operator_api
    status, body = api.root("createSnapshotPolicy", volumeid=root["id"], intervaltype="HOURLY", schedule="05",
                            timezone="UTC", maxsnaps=2)
    assert status == 200, body
    policy = body["snapshotpolicy"]
    first = next_run(api, policy["id"])
    assert first.minute == 5 and first > datetime.utcnow() - timedelta(seconds=1)
    assert scheduler(api).run_once(first - timedelta(minutes=1)) == []  # not due yet

    taken: list[str] = []
    for hour in range(3):
        [outcome] = scheduler(api).run_once(first + timedelta(hours=hour, seconds=20))
        assert outcome.policy_uuid == policy["id"] and not outcome.problem, outcome
        taken.append(outcome.snapshot_uuid)
        assert outcome.deleted == ([] if hour < 2 else [taken[0]])
        assert next_run(api, policy["id"]) == first + timedelta(hours=hour + 1)
    listed = snapshots(api, volumeid=root["id"])
    assert [row["id"] for row in listed] == taken[:0:-1]  # newest first; the oldest went
    assert {(row["snapshottype"], row["intervaltype"]) for row in listed} == {("HOURLY", "HOURLY")}
    assert snapshots(api, snapshottype="RECURRING") == listed and snapshots(api, snapshottype="MANUAL") == []
    assert snapshots(api, intervaltype="hourly") == listed and snapshots(api, intervaltype="DAILY") == []
    status, body = api.root("listSnapshots", snapshottype="YEARLY")
    assert status == 431 and body["errortext"].startswith("snapshottype: 'YEARLY' is not one of MANUAL"), body
    assert listed[-1]["name"].endswith(f"_{first + timedelta(hours=1):%Y%m%d%H%M%S}")
    assert len(simulator(api).volume_snapshot_files()) == 2


def test_a_missed_run_takes_one_snapshot_and_a_failure_waits_for_the_next_moment(operator_api: OperatorApi,
                                                                                 root: dict) -> None:
    api = operator_api
    policy = api.root("createSnapshotPolicy", volumeid=root["id"], intervaltype="HOURLY", schedule="00",
                      timezone="UTC", maxsnaps=8)[1]["snapshotpolicy"]
    first = next_run(api, policy["id"])
    late = first + timedelta(hours=5, minutes=30)  # the server was down for five runs
    assert len(scheduler(api).run_once(late)) == 1
    assert next_run(api, policy["id"]) == first + timedelta(hours=6)

    simulator(api).faults.fail_next("take_volume_snapshot")
    [failed] = scheduler(api).run_once(first + timedelta(hours=6))
    assert failed.problem.startswith("simulator: injected HostUnreachable in take_volume_snapshot"), failed
    assert next_run(api, policy["id"]) == first + timedelta(hours=7)
    errors = api.root("listEvents", type="SNAPSHOT.CREATE", level="ERROR")[1]["event"]
    assert any(f"HOURLY snapshot of volume {root['name']} was not taken" in event["description"] for event in errors)
    assert [row["state"] for row in snapshots(api, volumeid=root["id"])] == ["Error", "BackedUp"]


def test_a_policy_goes_with_its_volume(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = running_vm(api, cloud, "policy-data")
    offering = next(row["id"] for row in api.root("listDiskOfferings")[1]["diskoffering"] if row["name"] == "Small")
    data = ok(job(api, "createVolume", name="data-p", zoneid=cloud["zoneid"], diskofferingid=offering))["volume"]
    ok(job(api, "attachVolume", id=data["id"], virtualmachineid=vm["id"]))
    policy = api.root("createSnapshotPolicy", volumeid=data["id"], intervaltype="HOURLY", schedule="00",
                      timezone="UTC", maxsnaps=1)[1]["snapshotpolicy"]
    ok(job(api, "detachVolume", id=data["id"]))
    assert api.root("deleteVolume", id=data["id"])[0] == 200
    [outcome] = scheduler(api).run_once(next_run(api, policy["id"]))
    assert outcome.snapshot_uuid == "" and "volume was deleted" in outcome.problem
    assert scheduler(api).run_once(next_run(api, policy["id"]) + timedelta(days=1)) == []

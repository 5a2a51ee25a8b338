"""Volume snapshots in process, on the simulator demo zone (SQLite, then MariaDB): createSnapshot of a
running VM's ROOT volume and of a data volume, a new volume made from a snapshot and attached, revert
(only with the VM stopped), delete (the copy goes from the pool; snapshots outlive their volume), the
snapshot limit, usage type 9, and tenancy."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from cirrostack.simulator.driver import SimulatorHypervisor
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def job(api: OperatorApi, command: str, caller=None, **params: str) -> dict:
    """The finished job of an async command, run as the root admin or as `caller` (a UserClient)."""
    status, body = (caller or api.root)(command, **params)
    assert status == 200, body
    return api.job_result(body["jobid"])


def ok(result: dict) -> dict:
    assert result["jobstatus"] == 1, result["jobresult"]
    return result["jobresult"]


def simulator(api: OperatorApi) -> SimulatorHypervisor:
    return api.server.registry.hypervisor("Simulator").unguarded


def running_vm(api: OperatorApi, cloud: dict, name: str, caller=None) -> dict:
    return ok(job(api, "deployVirtualMachine", caller, name=name, **cloud))["virtualmachine"]


def root_volume(api: OperatorApi, vm: dict) -> dict:
    return api.root("listVolumes", virtualmachineid=vm["id"], type="ROOT", listall="true")[1]["volume"][0]


def snapshots(api: OperatorApi, **filters: str) -> list[dict]:
    return api.root("listSnapshots", listall="true", **filters)[1].get("snapshot", [])


def test_a_root_volume_snapshot_becomes_a_new_volume_that_attaches(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = running_vm(api, cloud, "snap-web")
    root = root_volume(api, vm)
    snapshot = ok(job(api, "createSnapshot", volumeid=root["id"]))["snapshot"]
    assert snapshot["name"].startswith(f"snap-web_{root['name']}_") and len(snapshot["name"].split("_")[-1]) == 14
    assert (snapshot["state"], snapshot["snapshottype"], snapshot["volumetype"]) == ("BackedUp", "MANUAL", "ROOT")
    assert snapshot["volumeid"] == root["id"] and snapshot["revertable"] is True
    assert snapshot["physicalsize"] == root["size"] and "intervaltype" not in snapshot
    copies = simulator(api).volume_snapshot_files()
    assert [(pool, taken.source_path) for pool, taken in ((k[0], v) for k, v in copies.items())] == \
        [(root["storageid"], root["id"])]
    assert [row["id"] for row in snapshots(api, volumeid=root["id"])] == [snapshot["id"]]

    volume = ok(job(api, "createVolume", name="from-snap", snapshotid=snapshot["id"]))["volume"]
    assert (volume["state"], volume["size"], volume["type"]) == ("Ready", root["size"], "DATADISK")
    assert (volume["storageid"], volume["id"]) in simulator(api).disk_files()
    ok(job(api, "attachVolume", id=volume["id"], virtualmachineid=vm["id"]))
    assert volume["id"] in simulator(api).vm_disks(
        api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]["instancename"])


def test_revert_waits_for_a_stopped_vm(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = running_vm(api, cloud, "snap-revert")
    root = root_volume(api, vm)
    snapshot = ok(job(api, "createSnapshot", volumeid=root["id"]))["snapshot"]
    refused = job(api, "revertSnapshot", id=snapshot["id"])
    assert refused["jobstatus"] == 2 and refused["jobresult"]["errorcode"] == 431
    assert "Running" in refused["jobresult"]["errortext"] and "stop it" in refused["jobresult"]["errortext"]
    ok(job(api, "stopVirtualMachine", id=vm["id"]))
    reverted = ok(job(api, "revertSnapshot", id=snapshot["id"]))["snapshot"]
    assert reverted["id"] == snapshot["id"] and reverted["state"] == "BackedUp"
    assert [event["description"] for event in api.root("listEvents", type="SNAPSHOT.REVERT")[1]["event"]] == \
        [f"Reverted volume {root['name']} to snapshot {snapshot['name']}"]


def test_snapshots_outlive_their_volume_and_delete_removes_the_copy(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = running_vm(api, cloud, "snap-data")
    offering = next(row["id"] for row in api.root("listDiskOfferings")[1]["diskoffering"] if row["name"] == "Small")
    data = ok(job(api, "createVolume", name="data-1", zoneid=cloud["zoneid"], diskofferingid=offering))["volume"]
    ok(job(api, "attachVolume", id=data["id"], virtualmachineid=vm["id"]))  # hot-plugged: its file exists now
    snapshot = ok(job(api, "createSnapshot", volumeid=data["id"]))["snapshot"]
    assert snapshot["volumetype"] == "DATADISK" and snapshot["name"].startswith("snap-data_data-1_")
    ok(job(api, "detachVolume", id=data["id"]))
    assert api.root("deleteVolume", id=data["id"])[0] == 200

    [kept] = snapshots(api, id=snapshot["id"])
    assert kept["volumename"] == "data-1" and kept["revertable"] is False  # nothing left to revert
    again = ok(job(api, "createVolume", name="data-again", snapshotid=snapshot["id"]))["volume"]
    assert again["size"] == data["size"]

    ok(job(api, "deleteSnapshot", id=snapshot["id"]))
    assert snapshots(api, id=snapshot["id"]) == [] and simulator(api).volume_snapshot_files() == {}
    status, body = api.root("createVolume", name="too-late", snapshotid=snapshot["id"])
    assert status == 431 and "does not exist" in body["errortext"], body


def test_an_allocated_volume_has_nothing_to_snapshot(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    offering = next(row["id"] for row in api.root("listDiskOfferings")[1]["diskoffering"] if row["name"] == "Small")
    data = ok(job(api, "createVolume", name="blank", zoneid=cloud["zoneid"], diskofferingid=offering))["volume"]
    status, body = api.root("createSnapshot", volumeid=data["id"])
    assert status == 431 and "volumeid: volume blank is Allocated" in body["errortext"], body
    assert snapshots(api) == []


def test_quiescevm_is_refused_and_records_nothing(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    root = root_volume(api, running_vm(api, cloud, "snap-quiesce"))
    status, body = api.root("createSnapshot", volumeid=root["id"], quiescevm="true")
    assert status == 432 and "quiescevm" in body["errortext"], body
    assert snapshots(api) == [] and simulator(api).volume_snapshot_files() == {}


def test_the_snapshot_limit_is_counted_and_enforced(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    alice = api.user("alice")
    vm = running_vm(api, cloud, "alice-vm", caller=alice)
    root = alice("listVolumes", virtualmachineid=vm["id"])[1]["volume"][0]
    account = alice("listAccounts")[1]["account"][0]
    assert api.root("updateResourceLimit", resourcetype=3, max=1, account="alice",
                    domainid=account["domainid"])[0] == 200
    first = ok(job(api, "createSnapshot", alice, volumeid=root["id"]))["snapshot"]
    status, body = alice("createSnapshot", volumeid=root["id"])
    assert status == 532 and "'snapshot'" in body["errortext"] and "alice" in body["errortext"], body
    assert [row["id"] for row in alice("listSnapshots")[1]["snapshot"]] == [first["id"]]
    limits = alice("listResourceLimits", resourcetype=3)[1]["resourcelimit"][0]
    assert limits["max"] == 1
    ok(job(api, "deleteSnapshot", alice, id=first["id"]))  # gives the count back
    ok(job(api, "createSnapshot", alice, volumeid=root["id"]))
    status, body = api.root("updateResourceCount", domainid=account["domainid"], account="alice", resourcetype=3)
    assert status == 200 and body["resourcecount"][0]["resourcecount"] == 1, body


def test_tenants_see_and_touch_only_their_own_snapshots(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    alice, bob = api.user("alice"), api.user("bob")
    root = alice("listVolumes", virtualmachineid=running_vm(api, cloud, "alice-db", caller=alice)["id"])[1]["volume"][0]
    snapshot = ok(job(api, "createSnapshot", alice, volumeid=root["id"]))["snapshot"]
    assert snapshot["account"] == "alice"
    assert bob("listSnapshots")[1].get("snapshot", []) == []
    assert bob("listSnapshots", id=snapshot["id"])[0] != 200
    assert bob("createSnapshot", volumeid=root["id"])[0] != 200
    assert bob("deleteSnapshot", id=snapshot["id"])[0] != 200
    assert bob("createVolume", name="stolen", snapshotid=snapshot["id"])[0] != 200
    assert [row["id"] for row in alice("listSnapshots")[1]["snapshot"]] == [snapshot["id"]]
    assert [row["id"] for row in snapshots(api, account="alice", domainid=snapshot["domainid"])] == [snapshot["id"]]


def test_snapshot_usage_is_type_9_from_create_to_delete(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    root = root_volume(api, running_vm(api, cloud, "snap-usage"))
    snapshot = ok(job(api, "createSnapshot", volumeid=root["id"]))["snapshot"]
    time.sleep(1.1)  # MariaDB keeps whole seconds: a snapshot deleted within its second would meter nothing
    ok(job(api, "deleteSnapshot", id=snapshot["id"]))
    today = datetime.now(UTC).date().isoformat()  # the usage job's days are UTC days
    assert api.root("generateUsageRecords", startdate=today, enddate=today)[0] == 200
    status, body = api.root("listUsageRecords", startdate=today, enddate=today, type=9)
    assert status == 200, body
    [record] = body["usagerecord"]
    assert 0 < float(record["rawusage"]) < 1
    assert record["description"] == f"Snapshot Id: {snapshot['id']} usage time (Size: {snapshot['physicalsize']})"


def test_a_failed_copy_leaves_an_error_snapshot_that_gives_its_count_back(operator_api: OperatorApi,
                                                                         cloud: dict) -> None:
    api = operator_api
    alice = api.user("alice")
    root = alice("listVolumes", virtualmachineid=running_vm(api, cloud, "alice-fail", caller=alice)["id"])[1]
    root = root["volume"][0]
    domain = alice("listAccounts")[1]["account"][0]["domainid"]
    assert api.root("updateResourceLimit", resourcetype=3, max=1, account="alice", domainid=domain)[0] == 200
    simulator(api).faults.fail_next("take_volume_snapshot")
    failed = job(api, "createSnapshot", alice, volumeid=root["id"])
    assert failed["jobstatus"] == 2 and failed["jobresult"]["errorcode"] == 534, failed
    [broken] = alice("listSnapshots")[1]["snapshot"]
    assert (broken["state"], broken["revertable"]) == ("Error", False)
    assert job(api, "revertSnapshot", alice, id=broken["id"])["jobresult"]["errorcode"] == 431
    taken = ok(job(api, "createSnapshot", alice, volumeid=root["id"]))["snapshot"]  # the failed one holds no count
    assert ok(job(api, "deleteSnapshot", alice, id=broken["id"]))["success"] is True  # no host call for it
    assert [row["id"] for row in alice("listSnapshots")[1]["snapshot"]] == [taken["id"]]
    assert len(simulator(api).volume_snapshot_files()) == 1

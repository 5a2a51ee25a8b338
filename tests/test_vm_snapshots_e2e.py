"""VM snapshots, migration, restore and update on the real `cirro serve --demo`, through `cs`.

SQLite, then MariaDB. The demo zone's hosts run the Simulator hypervisor, which declares live
migration and VM snapshots (with memory); the default strategy takes the snapshots.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import pytest
from cs import CloudStack, CloudStackApiException

from cirrostack.services.templates import SIMULATOR_TEMPLATE_NAME
from tests.fixtures.server import RunningServer, _database_url, start_server


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def cirro_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with _database_url(request, request.param) as db_url:
        server = start_server(tmp_path_factory.mktemp(f"vmops-{request.param}"), db_url, extra_args=("--demo",))
        yield server
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


@pytest.fixture
def client(admin_keys) -> CloudStack:
    return CloudStack(endpoint=admin_keys.endpoint, key=admin_keys.api_key, secret=admin_keys.secret_key,
                      poll_interval=0.2, timeout=60)


def deploy(client: CloudStack, name: str) -> dict:
    zone = client.listZones(fetch_list=True)[0]
    template = next(row for row in client.listTemplates(templatefilter="featured", zoneid=zone["id"],
                                                          fetch_list=True) if row["name"] == SIMULATOR_TEMPLATE_NAME)
    offering = next(row for row in client.listServiceOfferings(fetch_list=True) if row["name"] == "Small Instance")
    return client.deployVirtualMachine(zoneid=zone["id"], templateid=template["id"], serviceofferingid=offering["id"],
                                       name=name, fetch_result=True)["virtualmachine"]


def error_of(raised: pytest.ExceptionInfo) -> dict:
    error = raised.value.error
    return error.get("jobresult", error) if isinstance(error, dict) else {}


def snapshots_of(client: CloudStack, vm_id: str) -> dict[str, dict]:
    rows = client.listVMSnapshot(virtualmachineid=vm_id, listall=True, fetch_list=True)
    return {row["displayname"]: row for row in rows}


def test_snapshots_chain_revert_and_delete(client: CloudStack) -> None:
    vm = deploy(client, "snap-vm")
    instance = vm["instancename"]
    first = client.createVMSnapshot(virtualmachineid=vm["id"], name="first", description="before the change",
                                    fetch_result=True)["vmsnapshot"]
    assert first["name"].startswith(f"{instance}_VS_") and len(first["name"]) == len(instance) + 4 + 14
    assert (first["displayname"], first["state"], first["type"], first["current"]) == ("first", "Ready", "Disk", True)
    assert first["virtualmachineid"] == vm["id"] and "parentName" not in first
    time.sleep(1.1)  # names carry the second they were taken in
    second = client.createVMSnapshot(virtualmachineid=vm["id"], name="second", snapshotmemory=True,
                                     fetch_result=True)["vmsnapshot"]
    assert (second["type"], second["current"], second["parentName"]) == ("DiskAndMemory", True, first["name"])
    listed = snapshots_of(client, vm["id"])
    assert listed["first"]["current"] is False and listed["second"]["current"] is True

    # a disk-only snapshot holds no memory: reverting to it leaves the VM stopped, its host capacity given back
    reverted = client.revertToVMSnapshot(vmsnapshotid=first["id"], fetch_result=True)["virtualmachine"]
    assert reverted["state"] == "Stopped" and not reverted.get("hostid")
    assert snapshots_of(client, vm["id"])["first"]["current"] is True
    # reverting to the memory snapshot runs the VM again
    running = client.revertToVMSnapshot(vmsnapshotid=second["id"], fetch_result=True)["virtualmachine"]
    assert running["state"] == "Running" and running["hostid"]

    client.deleteVMSnapshot(vmsnapshotid=first["id"], fetch_result=True)
    remaining = snapshots_of(client, vm["id"])
    assert set(remaining) == {"second"} and "parentName" not in remaining["second"]
    with pytest.raises(CloudStackApiException) as raised:
        client.revertToVMSnapshot(vmsnapshotid=first["id"], fetch_result=True)
    assert error_of(raised)["errorcode"] == 431 and "vmsnapshotid" in error_of(raised)["errortext"]


def test_a_memory_snapshot_of_a_stopped_vm_is_refused_naming_snapshotmemory(client: CloudStack) -> None:
    vm = deploy(client, "snap-stopped")
    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    with pytest.raises(CloudStackApiException) as raised:
        client.createVMSnapshot(virtualmachineid=vm["id"], snapshotmemory=True)
    assert error_of(raised)["errorcode"] == 431 and "snapshotmemory" in error_of(raised)["errortext"]
    disk_only = client.createVMSnapshot(virtualmachineid=vm["id"], fetch_result=True)["vmsnapshot"]
    assert disk_only["state"] == "Ready"


def test_live_migration_moves_the_vm_and_its_reserved_capacity(client: CloudStack) -> None:
    vm = deploy(client, "mig-vm")
    hosts = client.findHostsForMigration(virtualmachineid=vm["id"], fetch_list=True)
    assert hosts and vm["hostid"] not in {host["id"] for host in hosts}
    target = next(host for host in hosts if host["suitableformigration"])
    assert target["requiresStorageMotion"] is False
    before = target["memoryallocated"]

    moved = client.migrateVirtualMachine(virtualmachineid=vm["id"], hostid=target["id"],
                                         fetch_result=True)["virtualmachine"]
    assert (moved["state"], moved["hostid"]) == ("Running", target["id"])
    back = client.findHostsForMigration(virtualmachineid=vm["id"], fetch_list=True)
    assert vm["hostid"] in {host["id"] for host in back} and target["id"] not in {host["id"] for host in back}
    moved_back = client.migrateVirtualMachine(virtualmachineid=vm["id"], hostid=vm["hostid"],
                                              fetch_result=True)["virtualmachine"]
    assert moved_back["hostid"] == vm["hostid"]
    again = {host["id"]: host for host in client.findHostsForMigration(virtualmachineid=vm["id"], fetch_list=True)}
    assert again[target["id"]]["memoryallocated"] == before

    with pytest.raises(CloudStackApiException) as raised:
        client.migrateVirtualMachine(virtualmachineid=vm["id"], hostid=vm["hostid"], fetch_result=True)
    assert error_of(raised)["errorcode"] == 431 and "hostid" in error_of(raised)["errortext"]


def test_restore_gives_a_new_root_volume_and_keeps_the_vm_running(client: CloudStack) -> None:
    vm = deploy(client, "restore-vm")
    old_root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", listall=True, fetch_list=True)[0]
    restored = client.restoreVirtualMachine(virtualmachineid=vm["id"], fetch_result=True)["virtualmachine"]
    assert restored["state"] == "Running" and restored["templateid"] == vm["templateid"]
    new_root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", listall=True, fetch_list=True)[0]
    assert new_root["id"] != old_root["id"] and new_root["size"] == old_root["size"]

    client.createVMSnapshot(virtualmachineid=vm["id"], fetch_result=True)
    with pytest.raises(CloudStackApiException) as raised:
        client.restoreVirtualMachine(virtualmachineid=vm["id"], fetch_result=True)
    assert error_of(raised)["errorcode"] == 431 and "VM snapshot" in error_of(raised)["errortext"]


def test_update_changes_names_flags_userdata_and_details(client: CloudStack) -> None:
    vm = deploy(client, "update-vm")
    userdata = base64.b64encode(b"#cloud-config\n").decode()
    updated = client.updateVirtualMachine(id=vm["id"], displayname="Renamed", group="web", haenable=True,
                                          userdata=userdata, **{"details[0].key": "keyboard",
                                                                "details[0].value": "us"})["virtualmachine"]
    assert (updated["displayname"], updated["group"], updated["haenable"]) == ("Renamed", "web", True)
    assert updated["details"]["keyboard"] == "us"
    with pytest.raises(CloudStackApiException) as raised:
        client.updateVirtualMachine(id=vm["id"], userdata="not base64!")
    assert error_of(raised)["errorcode"] == 431 and "userdata" in error_of(raised)["errortext"]
    with pytest.raises(CloudStackApiException) as raised:
        client.updateVirtualMachine(id=vm["id"], **{"details[0].key": "cpuNumber", "details[0].value": "8"})
    assert error_of(raised)["errorcode"] == 431 and "details[cpuNumber]" in error_of(raised)["errortext"]


def test_a_failed_snapshot_is_left_in_error_and_can_be_deleted(client: CloudStack) -> None:
    vm = deploy(client, "snap-fault")
    client.configureSimulator(operation="create_vm_snapshot", count=1, error="HostUnreachable")
    with pytest.raises(CloudStackApiException) as raised:
        client.createVMSnapshot(virtualmachineid=vm["id"], name="doomed", fetch_result=True)
    assert "injected HostUnreachable" in error_of(raised)["errortext"]
    doomed = snapshots_of(client, vm["id"])["doomed"]
    assert (doomed["state"], doomed["current"]) == ("Error", False)
    client.deleteVMSnapshot(vmsnapshotid=doomed["id"], fetch_result=True)
    assert snapshots_of(client, vm["id"]) == {}


def test_a_failed_migration_leaves_the_vm_on_its_host_and_gives_the_target_room_back(client: CloudStack) -> None:
    vm = deploy(client, "mig-fault")
    target = next(host for host in client.findHostsForMigration(virtualmachineid=vm["id"], fetch_list=True)
                  if host["suitableformigration"])
    client.configureSimulator(operation="migrate_vm", count=1, error="HostUnreachable")
    with pytest.raises(CloudStackApiException):
        client.migrateVirtualMachine(virtualmachineid=vm["id"], hostid=target["id"], fetch_result=True)
    listed = client.listVirtualMachines(id=vm["id"], listall=True, fetch_list=True)[0]
    assert (listed["state"], listed["hostid"]) == ("Running", vm["hostid"])
    after = {host["id"]: host for host in client.findHostsForMigration(virtualmachineid=vm["id"], fetch_list=True)}
    assert after[target["id"]]["memoryallocated"] == target["memoryallocated"]


def test_another_account_neither_sees_nor_reverts_a_snapshot(client: CloudStack, admin_keys) -> None:
    vm = deploy(client, "snap-private")
    snapshot = client.createVMSnapshot(virtualmachineid=vm["id"], fetch_result=True)["vmsnapshot"]
    account = client.createAccount(accounttype=0, username="snapuser", password="Secret-123", email="u@example.com",
                                   firstname="Snap", lastname="User", account="snapuser")["account"]
    keys = client.registerUserKeys(id=account["user"][0]["id"])["userkeys"]
    user = CloudStack(endpoint=admin_keys.endpoint, key=keys["apikey"], secret=keys["secretkey"], poll_interval=0.2,
                      timeout=60)
    assert user.listVMSnapshot(listall=True, fetch_list=True) == []
    with pytest.raises(CloudStackApiException) as raised:
        user.revertToVMSnapshot(vmsnapshotid=snapshot["id"])
    assert error_of(raised)["errorcode"] == 431 and "vmsnapshotid" in error_of(raised)["errortext"]
    with pytest.raises(CloudStackApiException) as raised:
        user.findHostsForMigration(virtualmachineid=vm["id"])
    assert error_of(raised)["errorcode"] == 432


def test_snapshots_of_an_expunged_vm_are_no_longer_listed(client: CloudStack) -> None:
    vm = deploy(client, "snap-expunged")
    client.createVMSnapshot(virtualmachineid=vm["id"], name="kept-until-expunge", fetch_result=True)
    client.destroyVirtualMachine(id=vm["id"], fetch_result=True)
    assert set(snapshots_of(client, vm["id"])) == {"kept-until-expunge"}
    client.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    names = {row["displayname"] for row in client.listVMSnapshot(listall=True, fetch_list=True)}
    assert "kept-until-expunge" not in names


def test_vmsnapshot_max_caps_the_snapshots_of_one_vm(client: CloudStack) -> None:
    vm = deploy(client, "snap-capped")
    client.updateConfiguration(name="vmsnapshot.max", value="1")
    try:
        client.createVMSnapshot(virtualmachineid=vm["id"], name="only", fetch_result=True)
        with pytest.raises(CloudStackApiException) as raised:
            client.createVMSnapshot(virtualmachineid=vm["id"], name="one-too-many")
        assert error_of(raised)["errorcode"] == 431
        assert "vmsnapshot.max" in error_of(raised)["errortext"] and "virtualmachineid" in error_of(raised)["errortext"]
    finally:
        client.updateConfiguration(name="vmsnapshot.max", value="10")
    assert set(snapshots_of(client, vm["id"])) == {"only"}

"""Volume snapshots on the real `cirro serve --demo`, through `cs` as a tenant (SQLite, then MariaDB):
snapshot a running VM's ROOT volume, make a volume from it and attach it, revert with the VM stopped,
a daily policy, deletion; another tenant sees none of it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cs import CloudStack, CloudStackApiException

from tests.fixtures.server import RunningServer, _database_url, start_server
from tests.test_vm_snapshots_e2e import deploy, error_of


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def cirro_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with _database_url(request, request.param) as db_url:
        server = start_server(tmp_path_factory.mktemp(f"volsnap-{request.param}"), db_url, extra_args=("--demo",))
        yield server
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


@pytest.fixture(scope="module")
def admin(admin_keys) -> CloudStack:
    return CloudStack(endpoint=admin_keys.endpoint, key=admin_keys.api_key, secret=admin_keys.secret_key,
                      poll_interval=0.2, timeout=60)


def tenant(admin: CloudStack, name: str) -> CloudStack:
    """A new user account's own `cs` client, with keys the admin registered for it."""
    account = admin.createAccount(accounttype=0, email=f"{name}@example.org", firstname=name, lastname="T",
                                  username=name, password="pw-123456")["account"]
    keys = admin.registerUserKeys(id=account["user"][0]["id"])["userkeys"]
    return CloudStack(endpoint=admin.endpoint, key=keys["apikey"], secret=keys["secretkey"], poll_interval=0.2,
                      timeout=60)


def test_a_tenant_snapshots_restores_and_deletes_through_cs(admin: CloudStack) -> None:
    carol, dave = tenant(admin, "carol"), tenant(admin, "dave")
    vm = deploy(carol, "carol-web")
    [root] = carol.listVolumes(virtualmachineid=vm["id"], type="ROOT", fetch_list=True)
    snapshot = carol.createSnapshot(volumeid=root["id"], fetch_result=True)["snapshot"]
    assert (snapshot["state"], snapshot["account"], snapshot["volumename"]) == ("BackedUp", "carol", root["name"])
    assert snapshot["name"].startswith(f"carol-web_{root['name']}_")
    assert [row["id"] for row in carol.listSnapshots(fetch_list=True)] == [snapshot["id"]]
    assert dave.listSnapshots(fetch_list=True) == []
    with pytest.raises(CloudStackApiException):
        dave.deleteSnapshot(id=snapshot["id"], fetch_result=True)

    volume = carol.createVolume(name="restored", snapshotid=snapshot["id"], fetch_result=True)["volume"]
    assert (volume["state"], volume["size"]) == ("Ready", root["size"])
    attached = carol.attachVolume(id=volume["id"], virtualmachineid=vm["id"], fetch_result=True)["volume"]
    assert attached["virtualmachineid"] == vm["id"]

    with pytest.raises(CloudStackApiException) as running:
        carol.revertSnapshot(id=snapshot["id"], fetch_result=True)
    assert "stop it before reverting" in error_of(running)["errortext"]
    carol.stopVirtualMachine(id=vm["id"], fetch_result=True)
    assert carol.revertSnapshot(id=snapshot["id"], fetch_result=True)["snapshot"]["id"] == snapshot["id"]

    policy = carol.createSnapshotPolicy(volumeid=root["id"], intervaltype="DAILY", schedule="15:03",
                                        timezone="Europe/Berlin", maxsnaps=4)["snapshotpolicy"]
    assert carol.listSnapshotPolicies(volumeid=root["id"], fetch_list=True) == [policy]
    carol.deleteSnapshotPolicies(id=policy["id"])
    assert carol.listSnapshotPolicies(volumeid=root["id"], fetch_list=True) == []

    carol.deleteSnapshot(id=snapshot["id"], fetch_result=True)
    assert carol.listSnapshots(fetch_list=True) == []
    assert admin.listSnapshots(listall=True, fetch_list=True) == []

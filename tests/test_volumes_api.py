"""Data volumes through the API on a simulator zone with one NFS pool (SQLite, then MariaDB):
create, attach (pool placement, device ids, the hypervisor's limit), detach, resize, delete,
what tenants see of each other's volumes, and pool capacity."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cirrostack.db.models import Account, ServiceOffering
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Cluster, Zone
from cirrostack.simulator.driver import SimulatorHypervisor

GiB = 1024**3


def _ok(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200, body
    return body


def _error(result: tuple[int, dict], status: int) -> str:
    got, body = result
    assert got == status, body
    return body["errortext"]


def _job(call, command: str, **params) -> tuple[str, dict]:
    """Run an async command as `call` (a UserClient or root call) to its end: (job status, result)."""
    body = _ok(call(command, **params))
    return _wait(call, body["jobid"])


def _wait(call, job_id: str) -> tuple[str, dict]:
    import time

    for _ in range(400):
        body = _ok(call("queryAsyncJobResult", jobid=job_id))
        if body["jobstatus"] != 0:
            return ("ok" if body["jobstatus"] == 1 else "failed"), body["jobresult"]
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end")


@pytest.fixture
def cloud(operator_api):
    api = operator_api
    zone = _ok(api.root("createZone", name="z1", networktype="Advanced", dns1="8.8.8.8",
                        internaldns1="10.0.0.2"))["zone"]
    pod = _ok(api.root("createPod", name="p1", zoneid=zone["id"], gateway="10.1.0.1", netmask="255.255.255.0",
                       startip="10.1.0.10", endip="10.1.0.200"))["pod"]
    cluster = _ok(api.root("addCluster", clustername="c1", clustertype="CloudManaged", hypervisor="Simulator",
                           podid=pod["id"], zoneid=zone["id"]))["cluster"][0]
    _ok(api.root("addHost", hypervisor="Simulator", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                 username="root", password="pw", url="http://sim/c1/h0?sockets=2&cores=8&mhz=2400&memory=65536"))
    pool = _ok(api.root("createStoragePool", name="primary1", url="nfs://10.0.0.5/export/primary",
                        zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], capacitybytes=20 * GiB,
                        tags="bulk"))["storagepool"]
    _ok(api.root("updateConfiguration", name="storage.overprovisioning.factor", value="1", storageid=pool["id"]))
    offerings = _ok(api.root("listDiskOfferings"))["diskoffering"]
    return {"api": api, "zone": zone, "cluster": cluster, "pool": pool,
            "custom": next(o for o in offerings if o["iscustomized"]),
            "small": next(o for o in offerings if o["name"] == "Small")}


def _vm(cloud, account: str, state: str = "Stopped") -> dict:
    """A VM row of `account` on the zone's cluster (the volume commands only read it)."""
    with cloud["api"].server.database.session() as session:
        owner = session.scalars(select(Account).where(Account.name == account)).one()
        zone = session.scalars(select(Zone).where(Zone.uuid == cloud["zone"]["id"])).one()
        cluster = session.scalars(select(Cluster).where(Cluster.uuid == cloud["cluster"]["id"])).one()
        offering = session.scalars(select(ServiceOffering).where(ServiceOffering.is_system.is_(False))).first()
        vm = VirtualMachine(name=f"vm-{account}", account_id=owner.id, domain_id=owner.domain_id, zone_id=zone.id,
                            cluster_id=cluster.id, service_offering_id=offering.id, cpus=1, cpu_speed_mhz=500,
                            memory_mb=512, hypervisor_type="Simulator", state=state)
        session.add(vm)
        session.flush()
        return {"id": vm.uuid, "name": vm.name}


def _create(user, cloud, name: str, **params) -> dict:
    status, result = _job(user, "createVolume", name=name, zoneid=cloud["zone"]["id"], **params)
    assert status == "ok", result
    return result["volume"]


def _pool_allocated(cloud) -> int:
    listed = _ok(cloud["api"].root("listStoragePools", id=cloud["pool"]["id"]))["storagepool"][0]
    return listed["disksizeallocated"]


def test_custom_volume_is_created_allocated_and_listed_to_its_owner_only(cloud) -> None:
    alice, bob = cloud["api"].user("alice"), cloud["api"].user("bob")
    volume = _create(alice, cloud, "data1", diskofferingid=cloud["custom"]["id"], size=3)
    assert (volume["state"], volume["type"], volume["size"]) == ("Allocated", "DATADISK", 3 * GiB)
    assert (volume["account"], volume["diskofferingname"], volume["zonename"]) == ("alice", "Custom", "z1")
    assert "virtualmachineid" not in volume and "storage" not in volume
    listed = _ok(alice("listVolumes"))
    assert listed["count"] == 1 and listed["volume"][0]["id"] == volume["id"]
    assert _ok(bob("listVolumes")).get("count", 0) == 0
    assert "does not exist" in _error(bob("deleteVolume", id=volume["id"]), 431)
    assert _pool_allocated(cloud) == 0  # an Allocated volume takes pool space only once attached


def test_custom_offering_needs_size_and_fixed_offering_refuses_another_size(cloud) -> None:
    alice = cloud["api"].user("alice")
    status, body = alice("createVolume", name="d", zoneid=cloud["zone"]["id"], diskofferingid=cloud["custom"]["id"])
    assert status == 431 and body["errortext"].startswith("size: disk offering Custom is custom"), body
    status, body = alice("createVolume", name="d", zoneid=cloud["zone"]["id"], diskofferingid=cloud["small"]["id"],
                         size=7)
    assert status == 431 and body["errortext"].startswith("size: disk offering Small has a fixed size"), body
    assert _ok(alice("listVolumes")).get("count", 0) == 0


def test_attach_places_volume_on_pool_and_uses_free_device_ids(cloud) -> None:
    alice = cloud["api"].user("alice")
    vm = _vm(cloud, "alice")
    volumes = [_create(alice, cloud, f"d{n}", diskofferingid=cloud["custom"]["id"], size=1) for n in range(3)]
    devices = []
    for volume in volumes:
        status, result = _job(alice, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])
        assert status == "ok", result
        devices.append(result["volume"]["deviceid"])
        assert result["volume"]["state"] == "Ready" and result["volume"]["vmname"] == vm["name"]
    assert devices == [1, 2, 4]  # device 3 is the CD-ROM's
    assert _pool_allocated(cloud) == 3 * GiB
    as_admin = _ok(cloud["api"].root("listVolumes", id=volumes[0]["id"]))["volume"][0]
    assert as_admin["storage"] == "primary1" and as_admin["storageid"] == cloud["pool"]["id"]
    assert "storage" not in _ok(alice("listVolumes", id=volumes[0]["id"]))["volume"][0]
    by_vm = _ok(alice("listVolumes", virtualmachineid=vm["id"]))
    assert sorted(v["deviceid"] for v in by_vm["volume"]) == [1, 2, 4]


def test_attach_refuses_a_taken_device_another_tenants_vm_and_too_many_volumes(cloud) -> None:
    alice, bob = cloud["api"].user("alice"), cloud["api"].user("bob")
    vm, bobs_vm = _vm(cloud, "alice"), _vm(cloud, "bob")
    first = _create(alice, cloud, "first", diskofferingid=cloud["custom"]["id"], size=1)
    assert _job(alice, "attachVolume", id=first["id"], virtualmachineid=vm["id"], deviceid=2)[0] == "ok"
    other = _create(alice, cloud, "other", diskofferingid=cloud["custom"]["id"], size=1)
    status, result = _job(alice, "attachVolume", id=other["id"], virtualmachineid=vm["id"], deviceid=2)
    assert status == "failed" and result["errortext"].startswith("deviceid: device 2 of VM vm-alice is already"), result
    status, result = _job(alice, "attachVolume", id=other["id"], virtualmachineid=vm["id"], deviceid=3)
    assert status == "failed" and result["errortext"].startswith("deviceid: 3 is not a data volume device id")
    assert "does not exist" in _error(alice("attachVolume", id=other["id"], virtualmachineid=bobs_vm["id"]), 431)
    bobs_volume = _create(bob, cloud, "bobs", diskofferingid=cloud["custom"]["id"], size=1)
    text = _error(alice("attachVolume", id=bobs_volume["id"], virtualmachineid=vm["id"]), 431)
    assert text.startswith("id: Volume ") and "does not exist" in text
    status, result = _job(cloud["api"].root, "attachVolume", id=bobs_volume["id"], virtualmachineid=vm["id"])
    assert status == "failed" and "belongs to another account" in result["errortext"], result
    limit = SimulatorHypervisor.capabilities.max_data_volumes
    for n in range(limit - 1):
        extra = _create(alice, cloud, f"x{n}", diskofferingid=cloud["custom"]["id"], size=1)
        assert _job(alice, "attachVolume", id=extra["id"], virtualmachineid=vm["id"])[0] == "ok"
    status, result = _job(alice, "attachVolume", id=other["id"], virtualmachineid=vm["id"])
    assert status == "failed" and f"already has {limit} data volumes" in result["errortext"], result


def test_detach_then_delete_frees_the_pool_and_attached_volume_is_not_deleted(cloud) -> None:
    alice = cloud["api"].user("alice")
    vm = _vm(cloud, "alice", state="Running")
    volume = _create(alice, cloud, "d", diskofferingid=cloud["small"]["id"])
    assert _job(alice, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])[0] == "ok"
    assert _pool_allocated(cloud) == 5 * GiB
    text = _error(alice("deleteVolume", id=volume["id"]), 536)
    assert "attached to a VM; detach it first" in text
    status, result = _job(alice, "detachVolume", virtualmachineid=vm["id"], deviceid=1)
    assert status == "ok" and "virtualmachineid" not in result["volume"], result
    assert result["volume"]["state"] == "Ready"
    assert _ok(alice("deleteVolume", id=volume["id"]))["success"] in (True, "true")
    assert _pool_allocated(cloud) == 0
    assert _ok(alice("listVolumes")).get("count", 0) == 0


def test_resize_grows_refuses_unasked_shrink_and_respects_pool_capacity(cloud) -> None:
    alice = cloud["api"].user("alice")
    vm = _vm(cloud, "alice")
    volume = _create(alice, cloud, "d", diskofferingid=cloud["custom"]["id"], size=2)
    assert _job(alice, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])[0] == "ok"
    status, result = _job(alice, "resizeVolume", id=volume["id"], size=4)
    assert status == "ok" and result["volume"]["size"] == 4 * GiB, result
    assert _pool_allocated(cloud) == 4 * GiB
    status, result = _job(alice, "resizeVolume", id=volume["id"], size=1)
    assert status == "failed" and result["errortext"].startswith("size: ") and "shrinkok=true" in result["errortext"]
    status, result = _job(alice, "resizeVolume", id=volume["id"], size=21)
    assert status == "failed" and "insufficient capacity" in result["errortext"], result
    assert result["errorcode"] == 533
    status, result = _job(alice, "resizeVolume", id=volume["id"], size=1, shrinkok="true")
    assert status == "ok" and result["volume"]["size"] == 1 * GiB
    status, result = _job(alice, "resizeVolume", id=volume["id"], diskofferingid=cloud["small"]["id"])
    assert status == "ok" and result["volume"]["diskofferingname"] == "Small" and result["volume"]["size"] == 5 * GiB
    assert _pool_allocated(cloud) == 5 * GiB


def test_attach_fails_cleanly_when_no_pool_has_room_or_tags(cloud) -> None:
    alice = cloud["api"].user("alice")
    vm = _vm(cloud, "alice")
    huge = _create(alice, cloud, "huge", diskofferingid=cloud["custom"]["id"], size=21)
    status, result = _job(alice, "attachVolume", id=huge["id"], virtualmachineid=vm["id"])
    assert status == "failed" and result["errorcode"] == 533, result
    assert "insufficient capacity" in result["errortext"] and "zone z1" in result["errortext"]
    listed = _ok(alice("listVolumes", id=huge["id"]))["volume"][0]
    assert listed["state"] == "Allocated" and "virtualmachineid" not in listed
    assert _pool_allocated(cloud) == 0


def test_pool_with_volumes_cannot_be_deleted(cloud) -> None:
    api, alice = cloud["api"], cloud["api"].user("alice")
    vm = _vm(cloud, "alice")
    volume = _create(alice, cloud, "d", diskofferingid=cloud["small"]["id"])
    assert _job(alice, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])[0] == "ok"
    body = _ok(api.root("enableStorageMaintenance", id=cloud["pool"]["id"]))
    submitted = body if "jobid" in body else next(iter(body.values()))
    api.job_result(submitted["jobid"])
    status, body = api.root("deleteStoragePool", id=cloud["pool"]["id"])
    assert status != 200 and "it holds 1 volume(s)" in body["errortext"], body


def test_list_volumes_filters_by_type_keyword_and_owner(cloud) -> None:
    api, alice = cloud["api"], cloud["api"].user("alice")
    for name in ("logs", "backup"):
        _create(alice, cloud, name, diskofferingid=cloud["small"]["id"])
    assert [v["name"] for v in _ok(alice("listVolumes", keyword="log"))["volume"]] == ["logs"]
    assert _ok(alice("listVolumes", type="DATADISK"))["count"] == 2
    assert _ok(alice("listVolumes", type="ROOT")).get("count", 0) == 0
    assert _ok(api.root("listVolumes")).get("count", 0) == 0  # the admin's own account holds none
    everything = _ok(api.root("listVolumes", listall="true"))
    assert everything["count"] == 2 and {v["account"] for v in everything["volume"]} == {"alice"}
    paged = _ok(alice("listVolumes", page=2, pagesize=1))
    assert paged["count"] == 2 and [v["name"] for v in paged["volume"]] == ["logs"]
    status, body = alice("listVolumes", storageid=cloud["pool"]["id"])
    assert status == 432 and "storageid" in body["errortext"], body

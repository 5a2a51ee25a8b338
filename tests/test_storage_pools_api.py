"""Primary storage pools, capacity, hypervisors and the CPU-socket report through the API,
on a simulator zone whose hosts have different sizes (SQLite, then MariaDB)."""

from __future__ import annotations

import pytest

from cirrostack.services import storage_pools

GiB = 1024**3
HOSTS = {  # host URL query -> (sockets, cores per socket, MHz, memory MiB)
    "h0": (1, 4, 2000, 8192),
    "h1": (2, 8, 2400, 65536),
    "h2": (4, 12, 3000, 131072),
}


def _ok(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200, body
    return body


def _error(result: tuple[int, dict], status: int) -> str:
    got, body = result
    assert got == status, body
    return body["errortext"]


@pytest.fixture
def zone(operator_api):
    api = operator_api
    zone = _ok(api.root("createZone", name="z1", networktype="Advanced", dns1="8.8.8.8",
                        internaldns1="10.0.0.2"))["zone"]
    pod = _ok(api.root("createPod", name="p1", zoneid=zone["id"], gateway="10.1.0.1", netmask="255.255.255.0",
                       startip="10.1.0.10", endip="10.1.0.200"))["pod"]
    cluster = _ok(api.root("addCluster", clustername="c1", clustertype="CloudManaged", hypervisor="Simulator",
                           podid=pod["id"], zoneid=zone["id"]))["cluster"][0]
    for name, (sockets, cores, mhz, memory) in HOSTS.items():
        _ok(api.root("addHost", hypervisor="Simulator", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                     username="root", password="pw",
                     url=f"http://sim/c1/{name}?sockets={sockets}&cores={cores}&mhz={mhz}&memory={memory}"))
    return {"zone": zone, "pod": pod, "cluster": cluster}


def _listed(api, command: str, key: str, **params) -> list[dict]:
    """The rows of a list command (an empty list comes back as an empty response object)."""
    body = _ok(api.root(command, **params))
    return body.get(key, [])


def _job(api, command: str, **params) -> dict:
    """Run an async command (the maintenance ones have irregular response names) to its result."""
    body = _ok(api.root(command, **params))
    submitted = body if "jobid" in body else next(iter(body.values()))
    return api.job_result(submitted["jobid"])


def _create_pool(api, zone, **extra) -> tuple[int, dict]:
    params = {"name": "primary1", "url": "nfs://10.0.0.5/export/primary", "zoneid": zone["zone"]["id"],
              "podid": zone["pod"]["id"], "clusterid": zone["cluster"]["id"], "capacitybytes": 100 * GiB, **extra}
    return api.root("createStoragePool", **params)


def test_nfs_pool_is_created_listed_and_tagged(operator_api, zone) -> None:
    pool = _ok(_create_pool(operator_api, zone, tags="ssd,fast"))["storagepool"]
    assert (pool["type"], pool["ipaddress"], pool["path"]) == ("NetworkFilesystem", "10.0.0.5", "/export/primary")
    assert (pool["state"], pool["scope"], pool["provider"]) == ("Up", "CLUSTER", "DefaultPrimary")
    assert pool["clusterid"] == zone["cluster"]["id"] and pool["tags"] == "ssd,fast"
    assert (pool["disksizetotal"], pool["disksizeallocated"], pool["disksizeused"]) == (100 * GiB, 0, 0)
    listed = _ok(operator_api.root("listStoragePools", zoneid=zone["zone"]["id"]))
    assert listed["count"] == 1 and listed["storagepool"][0]["id"] == pool["id"]
    updated = _ok(operator_api.root("updateStoragePool", id=pool["id"], tags="bulk", capacitybytes=200 * GiB))
    assert updated["storagepool"]["tags"] == "bulk" and updated["storagepool"]["disksizetotal"] == 200 * GiB
    assert _error(_create_pool(operator_api, zone), 431).startswith("name:")


def test_protocol_the_cluster_hypervisor_does_not_mount_is_refused_naming_url(operator_api, zone) -> None:
    text = _error(_create_pool(operator_api, zone, url="cifs://smb1/share", **{"details[0].user": "u",
                                                                              "details[0].password": "p"}), 431)
    assert text.startswith("url:") and "SMB" in text and "Simulator" in text and "NFS" in text
    assert _error(_create_pool(operator_api, zone, url="ftp://x/y"), 431).startswith("url:")
    assert _error(_create_pool(operator_api, zone, url="iscsi://10.0.0.9/iqn.2014-01.org:t1"), 431).startswith("url:")


def test_zone_wide_pool_needs_a_hypervisor_with_the_capability(operator_api, zone) -> None:
    params = {"name": "zw", "url": "nfs://10.0.0.6/zone", "zoneid": zone["zone"]["id"], "scope": "zone"}
    assert _error(operator_api.root("createStoragePool", **params), 431).startswith("hypervisor:")
    pool = _ok(operator_api.root("createStoragePool", hypervisor="simulator", **params))["storagepool"]
    assert pool["scope"] == "ZONE" and pool["hypervisor"] == "Simulator" and "clusterid" not in pool


def test_smb_password_is_stored_encrypted_and_shown_masked(operator_api, zone) -> None:
    from sqlalchemy import select

    from cirrostack.db.models.storage import StoragePoolDetail

    server = operator_api.server
    original = server.registry.hypervisor_class("Simulator").capabilities
    # A cluster of a hypervisor that mounts SMB: widen the simulator's declared protocols for this test.
    import dataclasses
    widened = dataclasses.replace(original, storage_protocols=original.storage_protocols | {"SMB"})
    cls = server.registry.hypervisor_class("Simulator")
    cls.capabilities = widened
    try:
        pool = _ok(_create_pool(operator_api, zone, url="cifs://smb1/share", **{
            "details[0].user": "svc", "details[0].password": "S3cret!", "details[0].domain": "corp"}))["storagepool"]
    finally:
        cls.capabilities = original
    assert pool["type"] == "SMB" and pool["details"] == {"user": "svc", "password": "********", "domain": "corp"}
    with server.database.session() as session:
        stored = session.scalars(select(StoragePoolDetail).where(StoragePoolDetail.name == "password")).one()
        assert stored.encrypted and "S3cret!" not in stored.value
        assert server.secrets.decrypt(stored.value) == "S3cret!"


def test_delete_needs_maintenance_and_no_users(operator_api, zone) -> None:
    pool = _ok(_create_pool(operator_api, zone))["storagepool"]
    assert "maintenance" in _error(operator_api.root("deleteStoragePool", id=pool["id"]), 431)
    result = _job(operator_api, "enableStorageMaintenance", id=pool["id"])
    assert result["jobstatus"] == 1 and result["jobresult"]["storagepool"]["state"] == "Maintenance"

    def holds_volumes(session, checked, forced):
        return "it holds 2 volumes" if checked.uuid == pool["id"] else None

    storage_pools.register_pool_user(holds_volumes)
    try:
        text = _error(operator_api.root("deleteStoragePool", id=pool["id"]), 536)
        assert "primary1" in text and "it holds 2 volumes" in text
    finally:
        storage_pools.unregister_pool_user(holds_volumes)
    assert "primary storage pool" in _error(operator_api.root("deleteCluster", id=zone["cluster"]["id"]), 536)
    _ok(operator_api.root("deleteStoragePool", id=pool["id"]))
    assert _listed(operator_api, "listStoragePools", "storagepool") == []


def test_maintenance_is_cancelled_back_to_up(operator_api, zone) -> None:
    pool = _ok(_create_pool(operator_api, zone))["storagepool"]
    _job(operator_api, "enableStorageMaintenance", id=pool["id"])
    result = _job(operator_api, "cancelStorageMaintenance", id=pool["id"])
    assert result["jobresult"]["storagepool"]["state"] == "Up"
    again = _job(operator_api, "cancelStorageMaintenance", id=pool["id"])
    assert again["jobstatus"] == 2 and "not in maintenance" in again["jobresult"]["errortext"]


def test_a_user_may_not_create_pools(operator_api, zone) -> None:
    user = operator_api.user("alice")
    status, body = user("createStoragePool", name="x", url="nfs://h/p", zoneid=zone["zone"]["id"])
    assert status == 432, body


# -- capacity ------------------------------------------------------------------------------------


def _capacity(api, **params) -> dict[int, dict]:
    return {row["type"]: row for row in _listed(api, "listCapacity", "capacity", **params)}


def test_capacity_follows_hosts_pools_and_overprovisioning(operator_api, zone) -> None:
    cpu_mhz = sum(s * c * mhz for s, c, mhz, _m in HOSTS.values())
    memory = sum(m for *_rest, m in HOSTS.values()) * 1024**2
    figures = _capacity(operator_api, zoneid=zone["zone"]["id"])
    assert figures[1]["capacitytotal"] == cpu_mhz and figures[1]["capacityused"] == 0
    assert figures[0]["capacitytotal"] == memory and figures[0]["percentused"] == "0"
    assert 2 not in figures

    _ok(_create_pool(operator_api, zone))
    figures = _capacity(operator_api, zoneid=zone["zone"]["id"])
    assert figures[2]["capacitytotal"] == 100 * GiB and figures[3]["capacitytotal"] == 200 * GiB  # factor 2.0

    _ok(operator_api.root("updateConfiguration", name="cpu.overprovisioning.factor", value="2",
                          clusterid=zone["cluster"]["id"]))
    per_cluster = _capacity(operator_api, clusterid=zone["cluster"]["id"], type=1)
    assert per_cluster[1]["capacitytotal"] == 2 * cpu_mhz and per_cluster[1]["clusterid"] == zone["cluster"]["id"]

    hosts = _ok(operator_api.root("listHosts", clusterid=zone["cluster"]["id"]))["host"]
    biggest = next(h for h in hosts if h["cpusockets"] == 4)
    _job(operator_api, "prepareHostForMaintenance", id=biggest["id"])
    s, c, mhz, _m = HOSTS["h2"]
    assert _capacity(operator_api, type=1)[1]["capacitytotal"] == 2 * (cpu_mhz - s * c * mhz)


def test_capacity_usage_comes_from_registered_sources_and_sorts_by_usage(operator_api, zone) -> None:
    from cirrostack.services import capacity

    def vms(session, host_ids):
        return {host_id: capacity.HostUsage(cpu_mhz=4000, memory_bytes=GiB) for host_id in host_ids}

    capacity.register_host_usage(vms)
    try:
        figures = _capacity(operator_api, podid=zone["pod"]["id"])
        assert figures[1]["capacityused"] == 3 * 4000 and figures[0]["capacityused"] == 3 * GiB
        assert figures[1]["podid"] == zone["pod"]["id"]
        top = _ok(operator_api.root("listCapacity", sortby="usage"))["capacity"]
        assert [row["type"] for row in top][:1] == [1]  # CPU is the fullest
    finally:
        capacity.unregister_usage_source(vms)
    assert _error(operator_api.root("listCapacity", type=42), 431).startswith("type:")


# -- hypervisors and sockets ---------------------------------------------------------------------


def test_hypervisors_and_their_capabilities_come_from_plugins(operator_api, zone) -> None:
    names = [row["name"] for row in _ok(operator_api.root("listHypervisors"))["hypervisor"]]
    assert names == operator_api.server.registry.hypervisor_types()
    in_zone = _ok(operator_api.root("listHypervisors", zoneid=zone["zone"]["id"]))["hypervisor"]
    assert in_zone == [{"name": "Simulator"}]
    rows = _ok(operator_api.root("listHypervisorCapabilities", hypervisor="simulator"))["hypervisorCapabilities"]
    assert len(rows) == 1 and rows[0]["hypervisor"] == "Simulator" and rows[0]["vmsnapshotenabled"] is True
    again = _ok(operator_api.root("listHypervisorCapabilities", id=rows[0]["id"]))["hypervisorCapabilities"]
    assert again == rows


def test_sockets_report_matches_the_simulated_hosts(operator_api, zone) -> None:
    rows = _ok(operator_api.root("listCpuSockets"))["cpusockets"]
    simulator = next(row for row in rows if row["hypervisor"] == "Simulator")
    assert simulator == {"hypervisor": "Simulator", "hosts": 3, "cpusockets": sum(s for s, *_ in HOSTS.values())}

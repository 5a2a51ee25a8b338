"""The capacity checker against CloudStack's notification thresholds (SQLite, then MariaDB).

Usage arrives through services.capacity's extension points: `Placement` below plays the part
of the VM and volume areas (next issue), summing what was placed on each host and pool."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.db.models.infrastructure import Host
from cirrostack.db.models.storage import StoragePool
from cirrostack.services import capacity
from cirrostack.services.capacity import CapacityType
from cirrostack.services.capacity_monitor import CapacityMonitor

GiB = 1024**3
# one host per cluster: 4 cores x 2500 MHz = 10000 MHz, 8 GiB
HOST_QUERY = "sockets=1&cores=4&mhz=2500&memory=8192"


class Placement:
    """What is placed where: CPU MHz and memory per host, allocated bytes per pool, by uuid."""

    def __init__(self) -> None:
        self.cpu: dict[str, int] = defaultdict(int)
        self.memory: dict[str, int] = defaultdict(int)
        self.pool_bytes: dict[str, int] = defaultdict(int)

    def hosts(self, session, host_ids: list[int]) -> dict[int, capacity.HostUsage]:
        rows = session.execute(select(Host.id, Host.uuid).where(Host.id.in_(host_ids))) if host_ids else []
        return {host_id: capacity.HostUsage(self.cpu[uuid], self.memory[uuid]) for host_id, uuid in rows}

    def pools(self, session, pool_ids: list[int]) -> dict[int, int]:
        rows = session.execute(select(StoragePool.id, StoragePool.uuid).where(StoragePool.id.in_(pool_ids))
                               ) if pool_ids else []
        return {pool_id: self.pool_bytes[uuid] for pool_id, uuid in rows}


@pytest.fixture
def placement() -> Iterator[Placement]:
    placed = Placement()
    capacity.register_host_usage(placed.hosts)
    capacity.register_pool_usage(placed.pools)
    try:
        yield placed
    finally:
        capacity.unregister_usage_source(placed.hosts)
        capacity.unregister_usage_source(placed.pools)


def _ok(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200, body
    return body


@pytest.fixture
def cloud(operator_api) -> dict:
    """Zone z1 with pod p1 and clusters c1 and c2, one simulated host in each."""
    api = operator_api
    zone = _ok(api.root("createZone", name="z1", networktype="Advanced", dns1="8.8.8.8",
                        internaldns1="10.0.0.2"))["zone"]
    pod = _ok(api.root("createPod", name="p1", zoneid=zone["id"], gateway="10.1.0.1", netmask="255.255.255.0",
                       startip="10.1.0.10", endip="10.1.0.200"))["pod"]
    made: dict = {"zone": zone, "pod": pod}
    for name in ("c1", "c2"):
        cluster = _ok(api.root("addCluster", clustername=name, clustertype="CloudManaged", hypervisor="Simulator",
                               podid=pod["id"], zoneid=zone["id"]))["cluster"][0]
        host = _ok(api.root("addHost", hypervisor="Simulator", zoneid=zone["id"], podid=pod["id"],
                            clusterid=cluster["id"], username="root", password="pw",
                            url=f"http://sim/{name}/h0?{HOST_QUERY}"))["host"][0]
        made[name], made[f"{name}-host"] = cluster, host
    return made


def _alerts(api, **params) -> list[dict]:
    return _ok(api.root("listAlerts", **params)).get("alert", [])


def _monitor(operator_api) -> CapacityMonitor:
    return operator_api.server.capacity_monitor


def test_cpu_above_the_threshold_raises_one_alert_naming_the_cluster_figures_and_threshold(
        operator_api, cloud, placement) -> None:
    monitor = _monitor(operator_api)
    assert monitor.check_once() == []
    placement.cpu[cloud["c1-host"]["id"]] = 8000  # 80% of 10000 MHz; the default threshold is 75%
    crossed = monitor.check_once()
    assert [(c.type, c.where) for c in crossed] == [(CapacityType.CPU, "cluster c1 (pod p1, zone z1)")]
    assert crossed[0].fraction_used == pytest.approx(0.8) and crossed[0].threshold == pytest.approx(0.75)
    rows = _alerts(operator_api, type=1)
    assert len(rows) == 1 and rows[0]["name"] == "ALERT.CPU" and rows[0]["id"] == crossed[0].alert_uuid
    assert "cluster c1" in rows[0]["description"] and "z1" in rows[0]["description"]
    with operator_api.server.database.session() as session:
        from cirrostack.db.models.alerts import Alert

        alert = session.scalars(select(Alert).where(Alert.uuid == crossed[0].alert_uuid)).one()
        assert "8000 MHz used of 10000 MHz (80%)" in alert.description
        assert "cluster.cpu.allocated.capacity.notificationthreshold is 75%" in alert.description
        assert alert.cluster_id is not None and alert.zone_id is not None


def test_a_cluster_stays_at_one_unarchived_alert_per_type(operator_api, cloud, placement) -> None:
    monitor = _monitor(operator_api)
    host = cloud["c1-host"]["id"]
    placement.cpu[host] = 9000
    assert len(monitor.check_once()) == 1
    assert monitor.check_once() == []  # still above: no second alert
    placement.cpu[host] = 1000
    assert monitor.check_once() == []  # back under: nothing new
    placement.cpu[host] = 9500
    assert monitor.check_once() == []
    assert len(_alerts(operator_api, type=1)) == 1
    _ok(operator_api.root("archiveAlerts", type=1))
    again = monitor.check_once()
    assert [c.type for c in again] == [CapacityType.CPU]
    assert [row["id"] for row in _alerts(operator_api, type=1)] == [again[0].alert_uuid]


def test_memory_threshold_is_read_for_each_cluster(operator_api, cloud, placement) -> None:
    _ok(operator_api.root("updateConfiguration", name="cluster.memory.allocated.capacity.notificationthreshold",
                          value="0.5", clusterid=cloud["c1"]["id"]))
    for name in ("c1", "c2"):
        placement.memory[cloud[f"{name}-host"]["id"]] = 5 * GiB  # 62.5% of 8 GiB
    crossed = _monitor(operator_api).check_once()
    assert [(c.type, c.where, c.threshold) for c in crossed] == [
        (CapacityType.MEMORY, "cluster c1 (pod p1, zone z1)", 0.5)]
    assert [row["name"] for row in _alerts(operator_api)] == ["ALERT.MEMORY"]


def test_primary_storage_used_and_allocated_alerts_per_cluster_and_for_zone_wide_pools(
        operator_api, cloud, placement) -> None:
    zone_id = cloud["zone"]["id"]
    clustered = _ok(operator_api.root("createStoragePool", name="ps1", url="nfs://10.0.0.5/export/ps1",
                                      zoneid=zone_id, podid=cloud["pod"]["id"], clusterid=cloud["c1"]["id"],
                                      capacitybytes=100 * GiB))["storagepool"]
    zone_wide = _ok(operator_api.root("createStoragePool", name="zw", url="nfs://10.0.0.6/export/zw",
                                      zoneid=zone_id, scope="zone", hypervisor="Simulator",
                                      capacitybytes=100 * GiB))["storagepool"]
    monitor = _monitor(operator_api)
    # 80 GiB allocated: 80% of the physical 100 GiB, 40% of the 200 GiB allocatable (factor 2)
    placement.pool_bytes[clustered["id"]] = 80 * GiB
    crossed = monitor.check_once()
    assert [(c.type, c.where) for c in crossed] == [(CapacityType.STORAGE, "cluster c1 (pod p1, zone z1)")]
    placement.pool_bytes[clustered["id"]] = 170 * GiB
    placement.pool_bytes[zone_wide["id"]] = 170 * GiB
    crossed = monitor.check_once()
    assert sorted((int(c.type), c.where) for c in crossed) == [
        (2, "zone z1"), (3, "cluster c1 (pod p1, zone z1)"), (3, "zone z1")]
    names = sorted(row["name"] for row in _alerts(operator_api))
    assert names == ["ALERT.STORAGE", "ALERT.STORAGE", "ALERT.STORAGE.ALLOCATED", "ALERT.STORAGE.ALLOCATED"]
    assert monitor.check_once() == []


def test_the_check_period_setting_is_read_each_time(operator_api) -> None:
    monitor = _monitor(operator_api)
    assert monitor.current_interval() == 300
    _ok(operator_api.root("updateConfiguration", name="capacity.check.period", value="60000"))
    assert monitor.current_interval() == 60


def test_the_server_starts_the_checker_and_close_stops_it(tmp_path) -> None:
    server = build_server(ServerConfig(data_dir=tmp_path / "data", admin_password="pw", job_workers=1,
                                       server_id="test:1"))
    try:
        assert isinstance(server.capacity_monitor, CapacityMonitor) and server.capacity_monitor.running
    finally:
        server.close()
    assert not server.capacity_monitor.running


def test_a_started_checker_raises_alerts_in_its_own_rounds(operator_api, cloud, placement) -> None:
    placement.cpu[cloud["c2-host"]["id"]] = 10000
    checker = CapacityMonitor(operator_api.server.database, interval=0.05)
    checker.start()
    try:
        deadline = time.monotonic() + 20
        while not _alerts(operator_api, type=1) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        checker.stop()
    assert not checker.running
    rows = _alerts(operator_api, type=1)
    assert len(rows) == 1 and "cluster c2" in rows[0]["description"]

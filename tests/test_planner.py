"""The deployment planner on the simulator demo zone, on SQLite and MariaDB: which hosts it may choose,
the overprovisioning factors, and that concurrent reservations never overcommit a host."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from cirrostack.db.models.compute import HostReservation
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.demo import build_demo_zone
from cirrostack.errors import InsufficientCapacity
from cirrostack.services import planner
from tests.fixtures.operator_api import OperatorApi

SMALL = "sim/demo-cluster/host-small"  # 4 cores at 2400 MHz, 16 GiB


@pytest.fixture
def zone(operator_api: OperatorApi) -> dict:
    """The demo zone, with every host but host-small disabled; returns {host name: host uuid} and the zone."""
    assert build_demo_zone(operator_api.server, announce=lambda _line: None) is not None
    hosts = {host["name"]: host["id"] for host in operator_api.root("listHosts")[1]["host"]}
    for name, host_id in hosts.items():
        if name != SMALL:
            assert operator_api.root("updateHost", id=host_id, allocationstate="Disable")[0] == 200
    return {"hosts": hosts, "zone": operator_api.root("listZones")[1]["zone"][0]["id"]}


def _reserve(api: OperatorApi, zone_uuid: str, cpus: int, speed: int, memory_mb: int, **options) -> str:
    with api.server.database.session() as session:
        found = session.scalars(select(Zone).where(Zone.uuid == zone_uuid)).one()
        return planner.reserve_host(session, zone=found, cpus=cpus, cpu_speed_mhz=speed, memory_mb=memory_mb,
                                    **options).name


def _reserved(api: OperatorApi, host_name: str) -> tuple[int, int]:
    with api.server.database.session() as session:
        host = session.scalars(select(Host).where(Host.name == host_name)).one()
        row = session.get(HostReservation, host.id)
        return (row.cpu_mhz, row.memory_bytes) if row else (0, 0)


def test_concurrent_reservations_never_overcommit_a_host(operator_api: OperatorApi, zone: dict) -> None:
    won: list[str] = []
    refused: list[str] = []
    start = threading.Barrier(12)

    def one() -> None:
        start.wait()
        try:
            won.append(_reserve(operator_api, zone["zone"], 1, 2400, 1024))
        except InsufficientCapacity as error:
            refused.append(error.message)

    threads = [threading.Thread(target=one) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert won == [SMALL] * 4  # 4 cores x 2400 MHz: four VMs of one 2400 MHz CPU
    assert len(refused) == 8 and all("insufficient capacity" in message for message in refused)
    assert _reserved(operator_api, SMALL) == (4 * 2400, 4 * 1024 * 1024 * 1024)


def test_release_gives_the_room_back(operator_api: OperatorApi, zone: dict) -> None:
    assert _reserve(operator_api, zone["zone"], 4, 2400, 8192) == SMALL
    with pytest.raises(InsufficientCapacity):
        _reserve(operator_api, zone["zone"], 1, 100, 64)
    with operator_api.server.database.session() as session:
        host = session.scalars(select(Host).where(Host.name == SMALL)).one()
        planner.release_host(session, host.id, 4, 2400, 8192)
    assert _reserved(operator_api, SMALL) == (0, 0)
    assert _reserve(operator_api, zone["zone"], 1, 100, 64) == SMALL


def test_the_cpu_overprovisioning_factor_of_the_cluster_counts(operator_api: OperatorApi, zone: dict) -> None:
    with pytest.raises(InsufficientCapacity) as refused:
        _reserve(operator_api, zone["zone"], 8, 2400, 1024)
    assert "8 CPU x 2400 MHz" in refused.value.message and "zone demo-zone" in refused.value.message
    cluster = operator_api.root("listClusters")[1]["cluster"][0]["id"]
    status, body = operator_api.root("updateConfiguration", name="cpu.overprovisioning.factor", value="2",
                                     clusterid=cluster)
    assert status == 200, body
    assert _reserve(operator_api, zone["zone"], 8, 2400, 1024) == SMALL


def test_only_enabled_up_hosts_in_enabled_clusters_with_the_tags_are_chosen(operator_api: OperatorApi,
                                                                            zone: dict) -> None:
    small = zone["hosts"][SMALL]
    assert operator_api.root("updateHost", id=small, hosttags="gpu")[0] == 200
    assert _reserve(operator_api, zone["zone"], 1, 100, 64, host_tags=["gpu"]) == SMALL
    with pytest.raises(InsufficientCapacity) as refused:
        _reserve(operator_api, zone["zone"], 1, 100, 64, host_tags=["fpga"])
    assert "host tags fpga" in refused.value.message
    with pytest.raises(InsufficientCapacity):
        _reserve(operator_api, zone["zone"], 1, 100, 64, hypervisor="KVM")

    cluster = operator_api.root("listClusters")[1]["cluster"][0]["id"]
    assert operator_api.root("updateCluster", id=cluster, allocationstate="Disabled")[0] == 200
    with pytest.raises(InsufficientCapacity):
        _reserve(operator_api, zone["zone"], 1, 100, 64)
    assert operator_api.root("updateCluster", id=cluster, allocationstate="Enabled")[0] == 200

    assert operator_api.root("updateHost", id=small, allocationstate="Disable")[0] == 200
    with pytest.raises(InsufficientCapacity):
        _reserve(operator_api, zone["zone"], 1, 100, 64)
    assert operator_api.root("updateHost", id=small, allocationstate="Enable")[0] == 200
    assert _reserve(operator_api, zone["zone"], 1, 100, 64) == SMALL


def test_a_required_host_is_used_or_refused(operator_api: OperatorApi, zone: dict) -> None:
    with operator_api.server.database.session() as session:
        large = session.scalars(select(Host).where(Host.name == "sim/demo-cluster/host-large")).one()
        found = session.scalars(select(Zone).where(Zone.uuid == zone["zone"])).one()
        with pytest.raises(InsufficientCapacity) as refused:  # disabled by the fixture
            planner.reserve_host(session, zone=found, cpus=1, cpu_speed_mhz=100, memory_mb=64, required_host=large)
        assert f"host {large.name}" in refused.value.message
    assert _reserve(operator_api, zone["zone"], 1, 100, 64) == SMALL

"""Deploys into one host anti-affinity group that run at the same moment never share a host (SQLite, then
MariaDB): eight deploys into a group on the demo zone's four hosts, run by eight job workers at once, give four
VMs on four distinct hosts and four clean 533 refusals naming the group; and, step by step, a placement whose
group is locked by another one's open transaction waits for that commit and then avoids its host."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.db.models import VirtualMachine, VMState, Zone
from cirrostack.services import planner
from cirrostack.services.affinity import placement as affinity_placement
from cirrostack.services.vms.states import claim
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud

HOSTS = 4
DEPLOYS = 8
ROUNDS = 3  # one group per round, so that several races are run


@pytest.fixture
def busy_api(database_url: str, tmp_path: Path) -> Iterator[OperatorApi]:
    """An in-process server with eight job workers, so that the deploy jobs really run side by side."""
    server = build_server(ServerConfig(data_dir=tmp_path / "data", db=database_url, admin_password="pw",
                                       job_workers=DEPLOYS, server_id="test:1"))
    try:
        yield OperatorApi(server)
    finally:
        server.close()


def _submit(api: OperatorApi, command: str, **params: str) -> str:
    status, body = api.root(command, **params)
    assert status == 200, body
    return body["jobid"]


def test_parallel_deploys_into_one_group_never_share_a_host(busy_api: OperatorApi) -> None:
    api = busy_api
    cloud = demo_cloud(api)
    for round_number in range(ROUNDS):
        name = f"race-{round_number}"
        group = api.job_result(_submit(api, "createAffinityGroup", name=name, type="host anti-affinity"))
        group_id = group["jobresult"]["affinitygroup"]["id"]
        # Submitted one after the other, the jobs are queued before the first one is picked up by a worker.
        jobs = [_submit(api, "deployVirtualMachine", name=f"{name}-{index}", affinitygroupids=group_id, **cloud)
                for index in range(DEPLOYS)]
        results = [api.job_result(job) for job in jobs]

        placed = [result["jobresult"]["virtualmachine"] for result in results if result["jobstatus"] == 1]
        refused = [result["jobresult"] for result in results if result["jobstatus"] == 2]
        assert len(placed) == HOSTS and len(refused) == DEPLOYS - HOSTS, results
        assert len({vm["hostid"] for vm in placed}) == HOSTS, [vm["hostid"] for vm in placed]
        assert all(error["errorcode"] == 533 and f"affinity group(s) {name}" in error["errortext"]
                   for error in refused), refused
        for vm in placed:  # the next round starts from empty hosts again
            assert api.job_result(_submit(api, "destroyVirtualMachine", id=vm["id"], expunge="true"))[
                "jobstatus"] == 1


def _place(api: OperatorApi, vm_uuid: str, holding: threading.Event | None, hold_seconds: float,
           placed: dict[str, int]) -> None:
    """Start-like placement of one VM in its own transaction, as `lifecycle.start` does it: plan, claim,
    restrict to what the VM's groups allow, reserve, record the host; with `holding`, keep the transaction
    open for `hold_seconds` after recording, so a concurrent placement has to wait for it."""
    with api.server.database.session() as session:
        vm = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm_uuid)).one()
        placement = planner.plan(session, zone=session.get(Zone, vm.zone_id), cpus=vm.cpus,
                                 cpu_speed_mhz=vm.cpu_speed_mhz, memory_mb=vm.memory_mb,
                                 hypervisor=vm.hypervisor_type)
        claim(session, vm, VMState.STARTING, "start", VMState.STOPPED)
        affinity_placement.restrict_placement(session, vm, placement)
        host = planner.reserve(session, placement)
        vm.host_id = host.id
        session.flush()
        placed[vm_uuid] = host.id
        if holding is not None:
            holding.set()
            time.sleep(hold_seconds)


def test_a_placement_waits_for_the_group_lock_and_then_avoids_the_first_members_host(
        operator_api: OperatorApi) -> None:
    api = operator_api
    cloud = demo_cloud(api)
    group = api.job_result(_submit(api, "createAffinityGroup", name="lock", type="host anti-affinity"))
    group_id = group["jobresult"]["affinitygroup"]["id"]
    first, second = (api.job_result(_submit(api, "deployVirtualMachine", name=f"lock-{index}", startvm="false",
                                            affinitygroupids=group_id, **cloud))["jobresult"]["virtualmachine"]["id"]
                     for index in range(2))
    placed: dict[str, int] = {}
    holding = threading.Event()
    holder = threading.Thread(target=_place, args=(api, first, holding, 1.0, placed))
    holder.start()
    assert holding.wait(20)
    began = time.monotonic()
    _place(api, second, None, 0, placed)  # its host is read only once the first transaction committed
    waited = time.monotonic() - began
    holder.join(20)

    assert placed[first] != placed[second], placed
    assert waited > 0.5, f"the second placement did not wait for the first one's commit ({waited:.2f} s)"

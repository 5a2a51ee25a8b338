"""200 concurrent deployVirtualMachine calls against hosts that fit exactly 150 VMs: 150 run, 50 fail cleanly.

The real `cirro serve --demo` runs with 8 job workers, on SQLite and on MariaDB. Three hosts tagged
`fits150` join the demo cluster, each with room for exactly 50 VMs of a 1 vCPU / 1000 MHz / 1 GiB offering
that requires the tag (50 cores at 1000 MHz and 50 GiB of memory per host, overprovisioning factors 1).
200 threads each send one signed deploy at the same moment; afterwards exactly 150 jobs succeeded with a
Running VM, the other 50 failed with "insufficient capacity", and the hosts' reservations equal the sum of
the VMs placed on them, never above the host's size.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from cs import CloudStack
from sqlalchemy import create_engine, select

from cirrostack.db.models import Host
from cirrostack.db.models.compute import HostReservation
from tests.fixtures.server import RunningServer, _database_url, start_server

HOST_TAG = "fits150"
VMS_PER_HOST = 50
HOSTS = 3
DEPLOYS = 200
VM_MEMORY_MB, VM_MHZ = 1024, 1000
#: 1 socket of 50 cores at 1000 MHz and 50 GiB: room for exactly 50 of the offering's VMs by CPU and by memory.
HOST_URL = "http://sim/demo-cluster/fits150-{index}?sockets=1&cores=50&threads=1&mhz=1000&memory=51200"
JOB_DEADLINE_SECONDS = 300


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def cirro_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`cirro serve --demo` with 8 job workers, so that deploys really run side by side."""
    with _database_url(request, request.param) as db_url:
        server = start_server(tmp_path_factory.mktemp(f"concurrency-{request.param}"), db_url,
                              extra_args=("--demo",), env={"CIRRO_JOB_WORKERS": "8"})
        yield server
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


def admin(keys) -> CloudStack:
    return CloudStack(endpoint=keys.endpoint, key=keys.api_key, secret=keys.secret_key, poll_interval=0.2,
                      timeout=120)


def add_tagged_hosts(client: CloudStack) -> tuple[dict, list[dict]]:
    zone = client.listZones(fetch_list=True)[0]
    cluster = client.listClusters(zoneid=zone["id"], fetch_list=True)[0]
    hosts = [client.addHost(zoneid=zone["id"], podid=cluster["podid"], clusterid=cluster["id"], hypervisor="Simulator",
                            url=HOST_URL.format(index=index), username="root", password="password",
                            hosttags=HOST_TAG)["host"][0] for index in range(HOSTS)]
    return zone, hosts


def deploy_at_once(keys, zone: dict, template_id: str, offering_id: str) -> list[dict]:
    """Send DEPLOYS deploys from as many threads, released together; returns each reply (or error)."""
    replies: list[dict] = [{} for _ in range(DEPLOYS)]
    start = threading.Barrier(DEPLOYS)

    def send(index: int) -> None:
        client = admin(keys)
        start.wait()
        try:
            replies[index] = client.deployVirtualMachine(zoneid=zone["id"], templateid=template_id,
                                                         serviceofferingid=offering_id, name=f"conc-{index}")
        except Exception as error:  # noqa: BLE001 - every reply is checked below, errors included
            replies[index] = {"request_error": repr(error)}

    threads = [threading.Thread(target=send, args=(index,)) for index in range(DEPLOYS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return replies


def job_results(client: CloudStack, job_ids: list[str]) -> list[dict]:
    deadline = time.monotonic() + JOB_DEADLINE_SECONDS
    results = {}
    while len(results) < len(job_ids):
        for job_id in job_ids:
            if job_id not in results:
                job = client.queryAsyncJobResult(jobid=job_id)
                if job["jobstatus"] != 0:
                    results[job_id] = job
        assert time.monotonic() < deadline, f"{len(job_ids) - len(results)} deploy jobs still pending"
        time.sleep(0.5)
    return [results[job_id] for job_id in job_ids]


def test_200_concurrent_deploys_on_room_for_150_give_150_running_and_50_clean_failures(cirro_server, admin_keys):
    client = admin(admin_keys)
    zone, hosts = add_tagged_hosts(client)
    template = client.listTemplates(templatefilter="featured", zoneid=zone["id"], fetch_list=True)[0]
    offering = client.createServiceOffering(name="fits150", displaytext="1 vCPU, 1000 MHz, 1 GiB, tagged hosts",
                                            cpunumber=1, cpuspeed=VM_MHZ, memory=VM_MEMORY_MB,
                                            hosttags=HOST_TAG)["serviceoffering"]

    replies = deploy_at_once(admin_keys, zone, template["id"], offering["id"])
    refused = [reply for reply in replies if "jobid" not in reply]
    assert not refused, f"{len(refused)} deploy requests were not accepted, e.g. {refused[0]}"
    results = job_results(client, [reply["jobid"] for reply in replies])

    succeeded = [job for job in results if job["jobstatus"] == 1]
    failed = [job for job in results if job["jobstatus"] == 2]
    assert (len(succeeded), len(failed)) == (HOSTS * VMS_PER_HOST, DEPLOYS - HOSTS * VMS_PER_HOST)
    unclean = [job["jobresult"] for job in failed if "insufficient capacity" not in job["jobresult"]["errortext"]]
    assert not unclean, f"{len(unclean)} failures are not about capacity, e.g. {unclean[0]}"
    assert {job["jobresult"]["virtualmachine"]["state"] for job in succeeded} == {"Running"}

    tagged = {host["id"] for host in hosts}
    running = [vm for vm in client.listVirtualMachines(listall=True, fetch_list=True)
               if vm["name"].startswith("conc-") and vm["state"] == "Running"]
    assert len(running) == HOSTS * VMS_PER_HOST
    placed = {host_id: [vm for vm in running if vm["hostid"] == host_id] for host_id in tagged}
    assert {host_id: len(vms) for host_id, vms in placed.items()} == {host_id: VMS_PER_HOST for host_id in tagged}
    assert_reservations_match(cirro_server, hosts, placed)


def assert_reservations_match(server: RunningServer, hosts: list[dict], placed: dict[str, list[dict]]) -> None:
    """Each tagged host reserves exactly what its VMs use: full, and not one byte more."""
    engine = create_engine(server.db_url or f"sqlite:///{server.data_dir / 'cirrostack.db'}")
    try:
        with engine.connect() as connection:
            reserved = {row.uuid: (row.cpu_mhz, row.memory_bytes) for row in connection.execute(
                select(Host.uuid, HostReservation.cpu_mhz, HostReservation.memory_bytes)
                .join(HostReservation, HostReservation.host_id == Host.id)
                .where(Host.uuid.in_([host["id"] for host in hosts])))}
    finally:
        engine.dispose()
    expected = {host_id: (sum(vm["cpunumber"] * vm["cpuspeed"] for vm in vms),
                          sum(vm["memory"] for vm in vms) * 1024 * 1024) for host_id, vms in placed.items()}
    assert reserved == expected
    assert set(expected.values()) == {(VMS_PER_HOST * VM_MHZ, VMS_PER_HOST * VM_MEMORY_MB * 1024 * 1024)}

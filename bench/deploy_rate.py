"""1,000 deployVirtualMachine calls on the simulator until every async job is done, against inserting the same rows.

The deploys go through the full API (signed requests from a few client threads into the real Flask
application; the server's job executor places, reserves, creates volumes and starts each VM on the
simulator). The clock runs from the first request until the last job has ended. Every job must succeed.

The baseline is measured in the same run: the rows the deploys left in the database (VMs, volumes,
details, jobs, events, usage events, ...) are copied into a second, freshly built cloud of the same
kind, one transaction per VM as a deploy commits them, with plain SQLAlchemy inserts. Prints VMs/s of
both and their ratio; exits 1 below the target of 30 VMs/s.

    python bench/deploy_rate.py                   # SQLite
    python bench/deploy_rate.py --db mariadb      # a throwaway mariadbd
    python bench/deploy_rate.py --vms 200 --workers 8
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cloud import BenchCloud, open_cloud, throwaway_mariadb  # noqa: E402

from cirrostack.db.base import Base  # noqa: E402
from cirrostack.db.models import ServiceOffering  # noqa: E402

TARGET_VMS_PER_SECOND = 30.0
JOB_TIMEOUT_SECONDS = 600
#: The smallest VM a deploy can ask for, so that 1,000 fit on the demo zone's four hosts.
TINY = {"name": "bench-tiny", "display_text": "1 vCPU, 100 MHz, 128 MiB", "cpu_number": 1, "cpu_speed_mhz": 100,
        "memory_mb": 128}


def add_tiny_offering(cloud: BenchCloud) -> str:
    with cloud.server.database.session() as session:
        offering = ServiceOffering(**TINY)
        session.add(offering)
        session.commit()
        return offering.uuid


def high_water_marks(cloud: BenchCloud) -> dict[str, int]:
    """The largest integer `id` of every table that has one."""
    marks = {}
    with cloud.server.database.session() as session:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key:
                marks[table.name] = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return marks


def deploy_all(cloud: BenchCloud, offering_uuid: str, count: int, client_threads: int) -> float:
    """Seconds from the first deploy request until every deploy job has ended successfully."""
    job_ids: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()

    def send(numbers: range) -> None:
        client = cloud.client()
        for number in numbers:
            reply = client.get("/client/api", query_string=cloud.signed(
                command="deployVirtualMachine", zoneid=cloud.zone_uuid, templateid=cloud.template_uuid,
                serviceofferingid=offering_uuid, name=f"bench-{number}"))
            body = json.loads(reply.data)
            with lock:
                if reply.status_code == 200:
                    job_ids.append(body["deployvirtualmachineresponse"]["jobid"])
                else:
                    failures.append(f"{reply.status_code}: {body}")

    started = time.perf_counter()
    threads = [threading.Thread(target=send, args=(range(index, count, client_threads),))
               for index in range(client_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for job_id in job_ids:
        job = cloud.server.jobs.wait(job_id, timeout=JOB_TIMEOUT_SECONDS)
        if job.result_code != 0:
            failures.append(f"job {job_id}: {job.result}")
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{len(failures)} of {count} deploys failed, e.g. {failures[0]}")
    return elapsed


def rows_since(cloud: BenchCloud, marks: dict[str, int]) -> dict[str, list[dict]]:
    """Every row added after `marks`, by table, in creation order."""
    added = {}
    with cloud.server.database.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in marks:
                rows = session.execute(select(table).where(table.c.id > marks[table.name]).order_by(table.c.id))
                if found := [dict(row._mapping) for row in rows]:
                    added[table.name] = found
    return added


def insert_same_rows(target: BenchCloud, added: dict[str, list[dict]], vm_count: int) -> float:
    """Seconds to insert `added` into `target`: one transaction per VM holding its VM row, the rows that
    reference it by `vm_id`, and an even share of the other new rows."""
    tables = {table.name: table for table in Base.metadata.sorted_tables}
    vm_rows = added.get("vm_instances", [])
    per_vm: dict[int, list[tuple[str, dict]]] = defaultdict(list)
    shared: list[tuple[str, dict]] = []
    for name in (table.name for table in Base.metadata.sorted_tables if table.name in added):
        for row in added[name]:
            if name == "vm_instances":
                per_vm[row["id"]].append((name, row))
            elif "vm_id" in row and row["vm_id"] is not None:
                per_vm[row["vm_id"]].append((name, row))
            else:
                shared.append((name, row))
    batches = [per_vm[row["id"]] for row in vm_rows] or [[] for _ in range(vm_count)]
    for index, item in enumerate(shared):
        batches[index % len(batches)].append(item)
    order = {table.name: position for position, table in enumerate(Base.metadata.sorted_tables)}
    started = time.perf_counter()
    with target.server.database.session() as session:
        for batch in batches:
            for name, row in sorted(batch, key=lambda item: order[item[0]]):
                session.execute(insert(tables[name]), [row])
            session.commit()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "mariadb"), default="sqlite")
    parser.add_argument("--vms", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4, help="job executor worker threads (CIRRO_JOB_WORKERS)")
    parser.add_argument("--clients", type=int, default=4, help="threads sending deploy requests")
    parser.add_argument("--as-tenant", action="store_true",
                        help="deploy as a user account with its own resource limits (default: the root admin)")
    options = parser.parse_args()
    with contextlib.ExitStack() as stack:
        new_database = stack.enter_context(throwaway_mariadb()) if options.db == "mariadb" else (lambda: "")
        directories = [Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirro-bench-"))) for _ in "ab"]
        cloud = open_cloud(new_database(), directories[0], job_workers=options.workers, as_tenant=options.as_tenant)
        stack.callback(cloud.close)
        offering = add_tiny_offering(cloud)
        marks = high_water_marks(cloud)
        who = "a tenant with limits" if options.as_tenant else "the root admin"
        print(f"{options.vms} deploys as {who}, {options.db}, {options.workers} job workers, "
              f"{options.clients} client threads; "
              f"Python {platform.python_version()} on {platform.machine()}")
        deploy_seconds = deploy_all(cloud, offering, options.vms, options.clients)
        added = rows_since(cloud, marks)
        baseline = open_cloud(new_database(), directories[1], job_workers=1, as_tenant=options.as_tenant)
        stack.callback(baseline.close)
        add_tiny_offering(baseline)
        insert_seconds = insert_same_rows(baseline, added, options.vms)
    rate, bare_rate = options.vms / deploy_seconds, options.vms / insert_seconds
    rows = sum(len(found) for found in added.values())
    print(f"deploys: {deploy_seconds:.1f} s, {rate:.1f} VMs/s")
    by_table = ", ".join(f"{name} {len(found)}" for name, found in added.items())
    print(f"bare inserts of the same {rows} rows ({by_table}): {insert_seconds:.2f} s, {bare_rate:.1f} VMs/s")
    print(f"deploy cost / bare insert cost: {deploy_seconds / insert_seconds:.1f}x")
    if rate < TARGET_VMS_PER_SECOND:
        print(f"target missed: {rate:.1f} VMs/s < {TARGET_VMS_PER_SECOND:.0f} VMs/s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

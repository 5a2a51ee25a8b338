"""listVirtualMachines, one page of 500, through the full API against a bare Flask + SQLAlchemy endpoint.

The table grows to 1,000, 10,000 and 100,000 VMs (rows inserted in bulk, spread over the demo zone's
hosts); at each size the signed API request (signature check, role check, parameter parsing, visibility,
response envelope) and a bare endpoint reading the same page with the same joins and total count are
timed alternately, so machine load hits both alike. Prints p50/p95 of each, the API/bare ratio and the
ratio of the largest table's page to the smallest's. Exits 1 when a target is missed:
p95 <= 300 ms at the largest size, API p95 <= 1.5x bare p95, largest page p95 <= 1.5x smallest page p95.

    python bench/list_vms.py                      # SQLite in a temporary directory
    python bench/list_vms.py --db mariadb         # a throwaway mariadbd
    python bench/list_vms.py --sizes 1000,10000 --rounds 20
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import tempfile
import uuid
from pathlib import Path

from flask import Flask, jsonify, request
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cloud import BenchCloud, open_cloud, percentile, throwaway_mariadb  # noqa: E402

from cirrostack.db.models import Account, Domain, Host, ServiceOffering, Template, Zone  # noqa: E402
from cirrostack.db.models.compute import VirtualMachine, VMState  # noqa: E402
from cirrostack.db.timestamps import utcnow  # noqa: E402

PAGE_SIZE = 500
INSERT_CHUNK = 5000
P95_LIMIT_MS = 300.0
RATIO_LIMIT = 1.5


def grow_table(cloud: BenchCloud, target: int) -> None:
    """Insert VM rows in bulk until the admin account owns `target` VMs."""
    with cloud.server.database.session() as session:
        present = session.scalar(select(func.count()).select_from(VirtualMachine))
        hosts = session.execute(select(Host.id, Host.pod_id, Host.cluster_id).where(Host.zone_id == cloud.zone_id,
                                                                                     Host.removed.is_(None))).all()
        now = utcnow()
        for start in range(present, target, INSERT_CHUNK):
            rows = []
            for number in range(start, min(start + INSERT_CHUNK, target)):
                host = hosts[number % len(hosts)]
                rows.append({"uuid": str(uuid.uuid4()), "created": now, "live": True, "name": f"bench-vm-{number}",
                             "display_name": f"bench-vm-{number}", "instance_name": f"i-{cloud.account_id}-{number}-VM",
                             "account_id": cloud.account_id, "domain_id": cloud.domain_id, "zone_id": cloud.zone_id,
                             "pod_id": host.pod_id, "cluster_id": host.cluster_id, "host_id": host.id,
                             "last_host_id": host.id, "template_id": cloud.template_id,
                             "service_offering_id": cloud.offering_id, "cpus": 1, "cpu_speed_mhz": 500,
                             "memory_mb": 512, "hypervisor_type": "Simulator", "state": VMState.RUNNING.value,
                             "ha_enabled": False, "display_vm": True})
            session.execute(insert(VirtualMachine), rows)
            session.commit()


def bare_app(cloud: BenchCloud) -> Flask:
    """The baseline: Flask + SQLAlchemy reading the same page (same joins, same total count) as plain JSON.

    The page's ids are chosen first and the joins applied to those 500 rows only, so that neither database
    joins or sorts the whole table (MariaDB otherwise sorts the joined table in a temporary table)."""
    app = Flask("bare")
    database = cloud.server.database
    columns = (VirtualMachine.uuid, VirtualMachine.name, VirtualMachine.display_name, VirtualMachine.state,
               VirtualMachine.cpus, VirtualMachine.cpu_speed_mhz, VirtualMachine.memory_mb, VirtualMachine.created,
               VirtualMachine.hypervisor_type, Zone.uuid.label("zone_uuid"), Zone.name.label("zone_name"),
               Template.uuid.label("template_uuid"), Template.name.label("template_name"),
               ServiceOffering.uuid.label("offering_uuid"), ServiceOffering.name.label("offering_name"),
               Host.uuid.label("host_uuid"), Host.name.label("host_name"), Account.name.label("account"),
               Domain.uuid.label("domain_uuid"), Domain.name.label("domain_name"))

    @app.get("/vms")
    def vms():
        page, size = int(request.args["page"]), int(request.args["pagesize"])
        with database.session() as session:
            live = VirtualMachine.removed.is_(None)
            total = session.scalar(select(func.count()).select_from(VirtualMachine).where(live))
            page_ids = (select(VirtualMachine.id).where(live).order_by(VirtualMachine.id.desc())
                        .limit(size).offset((page - 1) * size).subquery())
            rows = session.execute(
                select(*columns).select_from(VirtualMachine).join(page_ids, page_ids.c.id == VirtualMachine.id)
                .join(Zone, Zone.id == VirtualMachine.zone_id)
                .join(Template, Template.id == VirtualMachine.template_id)
                .join(ServiceOffering, ServiceOffering.id == VirtualMachine.service_offering_id)
                .outerjoin(Host, Host.id == VirtualMachine.host_id)
                .join(Account, Account.id == VirtualMachine.account_id)
                .join(Domain, Domain.id == VirtualMachine.domain_id)
                .order_by(VirtualMachine.id.desc())).all()
        items = [{**row._asdict(), "created": row.created.isoformat()} for row in rows]
        return jsonify({"count": total, "virtualmachine": items})

    return app


def measure(cloud: BenchCloud, rounds: int) -> dict[str, list[float]]:
    """Alternate the API request and the bare request; milliseconds of each."""
    import time

    api, bare = cloud.client(), bare_app(cloud).test_client()
    page = {"page": "1", "pagesize": str(PAGE_SIZE)}

    def call_api() -> None:
        reply = api.get("/client/api", query_string=cloud.signed(command="listVirtualMachines", listall="true", **page))
        body = json.loads(reply.data)
        assert reply.status_code == 200, body
        assert len(body["listvirtualmachinesresponse"]["virtualmachine"]) == PAGE_SIZE, "short page"

    def call_bare() -> None:
        reply = bare.get("/vms", query_string=page)
        assert reply.status_code == 200 and len(json.loads(reply.data)["virtualmachine"]) == PAGE_SIZE

    samples: dict[str, list[float]] = {"api": [], "bare": []}
    for action in (call_api, call_bare, call_api, call_bare):  # warm-up
        action()
    for _ in range(rounds):
        for name, action in (("api", call_api), ("bare", call_bare)):
            started = time.perf_counter()
            action()
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "mariadb"), default="sqlite")
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated table sizes, ascending")
    parser.add_argument("--rounds", type=int, default=30, help="timed requests of each kind per size")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cirro-bench-")))
        db_url = stack.enter_context(throwaway_mariadb())() if options.db == "mariadb" else ""
        cloud = open_cloud(db_url, data_dir)
        stack.callback(cloud.close)
        print(f"listVirtualMachines, page of {PAGE_SIZE}, {options.db}, {options.rounds} rounds; "
              f"Python {platform.python_version()} on {platform.machine()}")
        print(f"{'VMs':>8} {'API p50':>9} {'API p95':>9} {'bare p50':>9} {'bare p95':>9} {'API/bare':>9}")
        results: dict[int, float] = {}
        ratios: dict[int, float] = {}
        for size in sizes:
            grow_table(cloud, size)
            samples = measure(cloud, options.rounds)
            api95, bare95 = percentile(samples["api"], 0.95), percentile(samples["bare"], 0.95)
            results[size] = api95
            ratios[size] = api95 / bare95
            print(f"{size:>8} {percentile(samples['api'], 0.5):>7.1f}ms {api95:>7.1f}ms "
                  f"{percentile(samples['bare'], 0.5):>7.1f}ms {bare95:>7.1f}ms {api95 / bare95:>8.2f}x")
        largest, smallest = sizes[-1], sizes[0]
        growth = results[largest] / results[smallest]
        print(f"p95 at {largest} VMs / p95 at {smallest} VMs: {growth:.2f}x")
    missed = [f"p95 {results[largest]:.0f} ms > {P95_LIMIT_MS:.0f} ms"] if results[largest] > P95_LIMIT_MS else []
    missed += [f"API/bare {ratios[size]:.2f}x > {RATIO_LIMIT}x at {size} VMs" for size in sizes
               if ratios[size] > RATIO_LIMIT]
    missed += [f"growth {growth:.2f}x > {RATIO_LIMIT}x"] if growth > RATIO_LIMIT else []
    if missed:
        print("target missed: " + "; ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

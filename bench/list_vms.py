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

from flask import Flask, Response, request
from sqlalchemy import func, insert, select
from sqlalchemy.orm import aliased

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cloud import BenchCloud, open_cloud, percentile, throwaway_mariadb  # noqa: E402

from cirrostack.db.models import Account, Domain, Host, ServiceOffering, Template, Zone  # noqa: E402
from cirrostack.db.models.compute import VirtualMachine, VMCount, VMDetail, VMState, Volume  # noqa: E402
from cirrostack.db.models.networks import Network, Nic  # noqa: E402
from cirrostack.db.models.templates import GuestOS  # noqa: E402
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
    """The baseline: Flask + SQLAlchemy reading the same page as plain JSON: the same VM fields joined with
    their zone, template, guest OS, ISO, offering, host, account and domain, the ROOT volume's device, the VMs'
    details and NICs, and the same total count (the trigger-kept `vm_counts`). What it leaves out is exactly
    what the API adds: the signature and role checks, parameter parsing, visibility rules and the envelope.

    The page's ids are chosen first and the joins applied to those 500 rows only, so that neither database
    joins or sorts the whole table (MariaDB otherwise sorts the joined table in a temporary table)."""
    app = Flask("bare")
    database = cloud.server.database
    iso = aliased(Template, name="iso")
    root_device = (select(Volume.device_id).where(Volume.vm_id == VirtualMachine.id, Volume.volume_type == "ROOT",
                                                  Volume.removed.is_(None))
                   .limit(1).correlate(VirtualMachine).scalar_subquery())
    columns = (VirtualMachine.id, VirtualMachine.uuid, VirtualMachine.name, VirtualMachine.display_name,
               VirtualMachine.instance_name, VirtualMachine.state, VirtualMachine.ha_enabled, VirtualMachine.cpus,
               VirtualMachine.cpu_speed_mhz, VirtualMachine.memory_mb, VirtualMachine.created,
               VirtualMachine.hypervisor_type, VirtualMachine.group_name, VirtualMachine.keypair_name,
               VirtualMachine.display_vm, VirtualMachine.dynamically_scalable,
               Zone.uuid.label("zone_uuid"), Zone.name.label("zone_name"),
               Template.uuid.label("template_uuid"), Template.name.label("template_name"),
               Template.display_text.label("template_text"), Template.password_enabled,
               GuestOS.uuid.label("guest_os_uuid"), iso.uuid.label("iso_uuid"), iso.name.label("iso_name"),
               iso.display_text.label("iso_text"),
               ServiceOffering.uuid.label("offering_uuid"), ServiceOffering.name.label("offering_name"),
               Host.uuid.label("host_uuid"), Host.name.label("host_name"), Account.name.label("account"),
               Domain.uuid.label("domain_uuid"), Domain.name.label("domain_name"), root_device.label("root_device"))

    def nics_by_vm(session, page_ids) -> dict[int, list[dict]]:
        found: dict[int, list[dict]] = {}
        for nic in session.execute(select(Nic.vm_id, Nic.uuid, Nic.ip_address, Nic.netmask, Nic.gateway,
                                          Nic.broadcast_uri, Nic.is_default, Nic.mac_address, Nic.device_id,
                                          Network.uuid.label("network_uuid"), Network.name.label("network_name"),
                                          Network.traffic_type, Network.guest_type)
                                   .join(Network, Network.id == Nic.network_id)
                                   .where(Nic.vm_id.in_(select(page_ids.c.id)), Nic.removed.is_(None))):
            found.setdefault(nic.vm_id, []).append({
                "id": nic.uuid, "networkid": nic.network_uuid, "networkname": nic.network_name,
                "netmask": nic.netmask, "gateway": nic.gateway, "ipaddress": nic.ip_address,
                "isolationuri": nic.broadcast_uri, "broadcasturi": nic.broadcast_uri, "traffictype": nic.traffic_type,
                "type": nic.guest_type, "isdefault": nic.is_default, "macaddress": nic.mac_address,
                "deviceid": str(nic.device_id)})
        return found

    def item(vm, details: dict[str, str], nics: list[dict]) -> dict:
        return {"id": vm.uuid, "name": vm.name, "displayname": vm.display_name or vm.name, "account": vm.account,
                "domainid": vm.domain_uuid, "domain": vm.domain_name,
                "created": vm.created.strftime("%Y-%m-%dT%H:%M:%S") + "+0000", "state": vm.state,
                "haenable": vm.ha_enabled, "zoneid": vm.zone_uuid, "zonename": vm.zone_name,
                "isdynamicallyscalable": vm.dynamically_scalable, "isoid": vm.iso_uuid, "isoname": vm.iso_name,
                "isodisplaytext": vm.iso_text, "guestosid": vm.guest_os_uuid, "templateid": vm.template_uuid,
                "templatename": vm.template_name, "templatedisplaytext": vm.template_text,
                "passwordenabled": vm.password_enabled, "serviceofferingid": vm.offering_uuid,
                "serviceofferingname": vm.offering_name, "cpunumber": vm.cpus, "cpuspeed": vm.cpu_speed_mhz,
                "memory": vm.memory_mb, "hypervisor": vm.hypervisor_type, "nic": nics, "securitygroup": [],
                "affinitygroup": [], "tags": [], "details": details, "displayvm": vm.display_vm,
                "group": vm.group_name, "rootdeviceid": vm.root_device, "rootdevicetype": "ROOT",
                "keypair": vm.keypair_name, "hostid": vm.host_uuid, "hostname": vm.host_name,
                "instancename": vm.instance_name}

    @app.get("/vms")
    def vms():
        page, size = int(request.args["page"]), int(request.args["pagesize"])
        with database.engine.connect() as session:  # Core rows: no ORM work per statement
            total = int(session.scalar(select(func.coalesce(func.sum(VMCount.live), 0))))  # MariaDB: a Decimal
            page_ids = (select(VirtualMachine.id).where(VirtualMachine.removed.is_(None))
                        .order_by(VirtualMachine.id.desc()).limit(size).offset((page - 1) * size).subquery())
            rows = session.execute(
                select(*columns).select_from(page_ids).join(VirtualMachine, VirtualMachine.id == page_ids.c.id)
                .outerjoin(Zone, Zone.id == VirtualMachine.zone_id)
                .outerjoin(Template, Template.id == VirtualMachine.template_id)
                .outerjoin(GuestOS, GuestOS.id == func.coalesce(VirtualMachine.guest_os_id, Template.guest_os_id))
                .outerjoin(iso, iso.id == VirtualMachine.iso_id)
                .outerjoin(ServiceOffering, ServiceOffering.id == VirtualMachine.service_offering_id)
                .outerjoin(Host, Host.id == VirtualMachine.host_id)
                .outerjoin(Account, Account.id == VirtualMachine.account_id)
                .outerjoin(Domain, Domain.id == VirtualMachine.domain_id)
                .order_by(VirtualMachine.id.desc())).all()
            details: dict[int, dict[str, str]] = {}
            for vm_id, name, value in session.execute(select(VMDetail.vm_id, VMDetail.name, VMDetail.value)
                                                      .where(VMDetail.vm_id.in_(select(page_ids.c.id)))):
                details.setdefault(vm_id, {})[name] = value
            nics = nics_by_vm(session, page_ids)
        items = [item(row, details.get(row.id, {}), nics.get(row.id, [])) for row in rows]
        # json.dumps rather than jsonify: Flask's provider sorts keys, which the API's envelope does not
        return Response(json.dumps({"count": total, "virtualmachine": items}), mimetype="application/json")

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

"""Allocation under concurrent requests, on SQLite and MariaDB: guest VLANs, public IPs and guest IPs are
never handed out twice."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from cirrostack.api.http import api_app
from cirrostack.db.models import Account, ServiceOffering, VirtualMachine
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, Nic
from cirrostack.services.networks import nics
from tests.networks_zone import build_network_zone, ok

PARALLEL = 32


def _root_call(server, command: str, **params) -> tuple[int, dict]:
    client = api_app(server, integration=True).test_client()
    reply = client.get("/client/api", query_string={"command": command, "response": "json", **params})
    body = json.loads(reply.data)
    return reply.status_code, body.get(command.lower() + "response") or body.get("errorresponse") or body


def test_32_parallel_create_network_calls_get_32_distinct_vlans(operator_api):
    built = build_network_zone(operator_api, vlan="100-199")

    def create(index: int) -> tuple[int, dict]:
        return _root_call(operator_api.server, "createNetwork", name=f"n{index}", displaytext=f"n{index}",
                          zoneid=built["zone"]["id"], networkofferingid=built["offering"]["id"])

    with ThreadPoolExecutor(PARALLEL) as pool:
        replies = list(pool.map(create, range(PARALLEL)))
    assert all(status == 200 for status, _ in replies), [body for status, body in replies if status != 200]
    vlans = [body["network"]["vlan"] for _, body in replies]
    assert len(set(vlans)) == PARALLEL
    assert sorted(map(int, vlans)) == list(range(100, 100 + PARALLEL))
    listed = ok(operator_api.root("listNetworks", listall="true", pagesize="-1"))["network"]
    assert sorted(n["vlan"] for n in listed) == sorted(vlans)


def test_parallel_associate_ip_address_never_hands_out_one_address_twice(operator_api):
    built = build_network_zone(operator_api, public=("192.0.2.10", "192.0.2.29"))  # 20 addresses
    jobs = []

    def associate(_index: int) -> tuple[int, dict]:
        return _root_call(operator_api.server, "associateIpAddress", zoneid=built["zone"]["id"])

    with ThreadPoolExecutor(PARALLEL) as pool:
        replies = list(pool.map(associate, range(24)))
    won = [body for status, body in replies if status == 200]
    lost = [body for status, body in replies if status != 200]
    assert len(won) == 20 and len(lost) == 4
    assert all("no free public IP address is left" in body["errortext"] for body in lost)
    for body in won:
        jobs.append(operator_api.job_result(body["jobid"])["jobresult"]["ipaddress"]["ipaddress"])
    assert sorted(jobs) == [f"192.0.2.{n}" for n in range(10, 30)]


def test_parallel_nic_allocation_never_gives_one_guest_ip_twice(operator_api):
    built = build_network_zone(operator_api)
    network_id = ok(operator_api.root("createNetwork", name="busy", displaytext="busy", zoneid=built["zone"]["id"],
                                      networkofferingid=built["offering"]["id"]))["network"]["id"]
    database = operator_api.server.database
    with database.session() as session:
        admin = session.scalars(select(Account).order_by(Account.id)).first()
        zone = session.scalars(select(Zone).where(Zone.uuid == built["zone"]["id"])).one()
        offering = session.scalars(select(ServiceOffering).order_by(ServiceOffering.id)).first()
        vm_ids = []
        for index in range(PARALLEL):
            vm = VirtualMachine(name=f"vm{index}", account_id=admin.id, domain_id=admin.domain_id, zone_id=zone.id,
                                service_offering_id=offering.id, cpus=1, cpu_speed_mhz=500, memory_mb=256)
            session.add(vm)
            session.flush()
            vm_ids.append(vm.id)

    def allocate(vm_id: int) -> str:
        with database.session() as session:
            network = session.scalars(select(Network).where(Network.uuid == network_id)).one()
            return nics.allocate_nic(session, None, session.get(VirtualMachine, vm_id), network,
                                     is_default=True).ip_address

    with ThreadPoolExecutor(PARALLEL) as pool:
        addresses = list(pool.map(allocate, vm_ids))
    assert len(set(addresses)) == PARALLEL and "10.1.1.1" not in addresses  # never the gateway
    with database.session() as session:
        stored = session.scalars(select(Nic.ip_address).join(Network, Network.id == Nic.network_id)
                                 .where(Network.uuid == network_id)).all()
    assert sorted(stored) == sorted(addresses)
    assert sorted(addresses, key=lambda a: int(a.rsplit(".", 1)[1])) == [f"10.1.1.{n}" for n in range(2, 34)]

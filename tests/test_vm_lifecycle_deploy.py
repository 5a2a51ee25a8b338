"""deployVirtualMachine's options, on SQLite and MariaDB: custom offerings, root disk size, usage events,
limits, deploying for another account, a root admin's host, and a job cut short by a dying server."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cirrostack.db.models.accounts import AsyncJob
from cirrostack.db.models.compute import HostReservation, VirtualMachine, VMState
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.templates import TemplateZoneRef
from cirrostack.db.models.usage import UsageEvent
from cirrostack.jobs.cleanup import cleanup_for
from cirrostack.services import planner
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import _job, _used, demo_cloud

GIB = 1024 ** 3


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _custom_offering(api: OperatorApi) -> str:
    status, body = api.root("createServiceOffering", name="custom", displaytext="size chosen at deploy")
    assert status == 200 and body["serviceoffering"]["iscustomized"] is True, body
    return body["serviceoffering"]["id"]


def test_a_custom_offering_needs_its_details_and_the_vm_reports_them(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    custom = {**cloud, "serviceofferingid": _custom_offering(api)}
    status, body = api.root("deployVirtualMachine", **custom, **{"details[0].cpuSpeed": "1000",
                                                                  "details[0].memory": "1024"})
    assert status == 431 and "details[0].cpuNumber" in body["errortext"], body
    assert api.root("listVirtualMachines", listall="true")[1].get("virtualmachine") is None

    reply = api.root("deployVirtualMachine", **custom, **{"details[0].cpuNumber": "2", "details[0].cpuSpeed": "1000",
                                                           "details[0].memory": "1024"})
    vm = _job(api, reply)["jobresult"]["virtualmachine"]
    assert (vm["cpunumber"], vm["cpuspeed"], vm["memory"], vm["state"]) == (2, 1000, 1024, "Running")
    assert vm["details"] == {"cpuNumber": "2", "cpuSpeed": "1000", "memory": "1024"}
    assert _used(api, cloud["zoneid"]) == {0: 1024 * 1024 * 1024, 1: 2000}
    with api.server.database.session() as session:
        events = session.scalars(select(UsageEvent).where(UsageEvent.resource_uuid == vm["id"])
                                 .order_by(UsageEvent.id)).all()
        assert [event.type for event in events] == ["VM.CREATE", "VM.START"]
        assert json.loads(events[0].details) == {"cpuNumber": 2, "cpuSpeed": 1000, "memory": 1024}


def test_rootdisksize_sizes_the_root_volume_in_either_spelling(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    for params in ({"rootdisksize": "20"}, {"details[0].rootdisksize": "30"}):
        vm = _job(api, api.root("deployVirtualMachine", startvm="false", **cloud, **params))
        vm_id = vm["jobresult"]["virtualmachine"]["id"]
        volumes = api.root("listVolumes", virtualmachineid=vm_id)[1]["volume"]
        assert [(volume["type"], volume["size"]) for volume in volumes] == [
            ("ROOT", int(next(iter(params.values()))) * GIB)]


def test_usage_events_follow_the_life_cycle(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _job(api, api.root("deployVirtualMachine", **cloud))["jobresult"]["virtualmachine"]
    _job(api, api.root("stopVirtualMachine", id=vm["id"]))
    _job(api, api.root("destroyVirtualMachine", id=vm["id"]))
    with api.server.database.session() as session:
        types = session.scalars(select(UsageEvent.type).where(UsageEvent.resource_uuid == vm["id"])
                                .order_by(UsageEvent.id)).all()
    assert types == ["VM.CREATE", "VM.START", "VM.STOP", "VM.DESTROY"]


def test_a_deploy_over_the_instance_limit_fails_naming_it(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    alice = api.user("alice")
    status, body = api.root("updateResourceLimit", resourcetype=0, max=1, account="alice",
                            domainid=api.root("listDomains")[1]["domain"][0]["id"])
    assert status == 200, body
    status, first = alice("deployVirtualMachine", **cloud)
    assert status == 200, first
    status, body = alice("deployVirtualMachine", **cloud)
    assert status == 532 and "user_vm" in body["errortext"] and "alice" in body["errortext"], body
    api.server.jobs.wait(first["jobid"], timeout=20)
    _job(api, alice("destroyVirtualMachine", id=first["id"]))
    status, body = alice("deployVirtualMachine", **cloud)  # a destroyed VM no longer counts
    assert status == 200, body
    api.server.jobs.wait(body["jobid"], timeout=20)


def test_admins_deploy_for_an_account_and_root_picks_the_host(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    api.user("carol")
    domain = api.root("listDomains")[1]["domain"][0]["id"]
    large = next(host["id"] for host in api.root("listHosts")[1]["host"] if host["name"].endswith("host-large"))
    vm = _job(api, api.root("deployVirtualMachine", account="carol", domainid=domain, hostid=large, **cloud))
    vm = vm["jobresult"]["virtualmachine"]
    assert vm["account"] == "carol" and vm["hostid"] == large
    status, body = api.root("deployVirtualMachine", domainid=domain, **cloud)
    assert status == 431 and "domainid" in body["errortext"]


def test_a_deploy_cut_short_by_a_dying_server_is_cleaned_up(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _job(api, api.root("deployVirtualMachine", startvm="false", **cloud))["jobresult"]["virtualmachine"]
    with api.server.database.session() as session:
        row = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm["id"])).one()
        host = planner.reserve_host(session, zone=session.get(Zone, row.zone_id), cpus=row.cpus,
                                    cpu_speed_mhz=row.cpu_speed_mhz, memory_mb=row.memory_mb)
        row.state, row.host_id = VMState.STARTING.value, host.id  # what a start had committed when the server died
        host_id = host.id
    assert _used(api, cloud["zoneid"])[1] == 500
    with api.server.database.session() as session:
        job = AsyncJob(command="deployVirtualMachine", instance_uuid=vm["id"], account_id=1, user_id=1)
        cleanup_for("deployVirtualMachine")(session, job)
    with api.server.database.session() as session:
        row = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm["id"])).one()
        assert (row.state, row.host_id, row.last_host_id) == ("Error", None, host_id)
        assert session.get(HostReservation, host_id).cpu_mhz == 0


def test_a_template_not_ready_in_the_zone_is_refused(operator_api: OperatorApi, cloud: dict) -> None:
    with operator_api.server.database.session() as session:
        for ref in session.scalars(select(TemplateZoneRef)):
            ref.is_ready = False  # as while it is still downloading
    status, body = operator_api.root("deployVirtualMachine", **cloud)
    assert status == 431 and body["errortext"].startswith("templateid: ") and "not ready" in body["errortext"]


def test_a_destroy_cut_short_while_stopping_leaves_a_stopped_vm(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _job(api, api.root("deployVirtualMachine", **cloud))["jobresult"]["virtualmachine"]
    with api.server.database.session() as session:
        row = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm["id"])).one()
        row.state = VMState.STOPPING.value  # what the destroy's stop had committed when the server died
    with api.server.database.session() as session:
        job = AsyncJob(command="destroyVirtualMachine", instance_uuid=vm["id"], account_id=1, user_id=1)
        cleanup_for("destroyVirtualMachine")(session, job)
    with api.server.database.session() as session:
        row = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm["id"])).one()
        assert (row.state, row.host_id) == ("Stopped", None)
    assert _used(api, cloud["zoneid"]) == {0: 0, 1: 0}

"""VM state sync on the simulator, in-process on SQLite and MariaDB: a VM powered off or on at the host,
outside cirrostack, is corrected by a reconcile round or by the host's event notification; VMs that a
job is moving are left alone."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Host
from cirrostack.services.vms.state_sync import VMStateSync
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud

MIB = 1024 * 1024


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _deploy(api: OperatorApi, cloud: dict, name: str) -> dict:
    status, body = api.root("deployVirtualMachine", name=name, **cloud)
    assert status == 200, body
    result = api.job_result(body["jobid"])
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["virtualmachine"]


def _instance_name(api: OperatorApi, vm_uuid: str) -> str:
    with api.server.database.session() as session:
        return session.scalars(select(VirtualMachine.instance_name).where(VirtualMachine.uuid == vm_uuid)).one()


def _vm(api: OperatorApi, vm_id: str) -> dict:
    return api.root("listVirtualMachines", id=vm_id, listall="true")[1]["virtualmachine"][0]


def _memory_used(api: OperatorApi, zone: str) -> int:
    figures = api.root("listCapacity", zoneid=zone)[1]["capacity"]
    return next(figure["capacityused"] for figure in figures if figure["type"] == 0)


def _power(api: OperatorApi, instance_name: str, state: str) -> None:
    status, body = api.root("configureSimulator", instancename=instance_name, powerstate=state)
    assert status == 200 and body["simulator"]["powerstate"] == state, body


def _sync(api: OperatorApi) -> VMStateSync:
    return VMStateSync(api.server.database, api.server.registry, api.server.secrets)


def _events(api: OperatorApi, event_type: str) -> list[str]:
    return [event["description"] for event in
            api.root("listEvents", type=event_type, listall="true")[1].get("event", [])]


def _usage_types(api: OperatorApi, vm_uuid: str) -> list[str]:
    from cirrostack.db.models.usage import UsageEvent

    with api.server.database.session() as session:
        return list(session.scalars(select(UsageEvent.type).where(UsageEvent.resource_uuid == vm_uuid)
                                    .order_by(UsageEvent.id)))


def test_a_vm_powered_off_at_the_host_becomes_stopped_and_gives_its_host_back(operator_api: OperatorApi,
                                                                             cloud: dict) -> None:
    api = operator_api
    vm = _deploy(api, cloud, "quiet")
    host_name = vm["hostname"]
    assert _memory_used(api, cloud["zoneid"]) == 512 * MIB
    _power(api, _instance_name(api, vm["id"]), "Stopped")

    corrections = _sync(api).reconcile_all()

    assert [(c.vm_uuid, c.old, c.new, c.host_name) for c in corrections] == [(vm["id"], "Running", "Stopped",
                                                                               host_name)]
    listed = _vm(api, vm["id"])
    assert listed["state"] == "Stopped" and "hostid" not in listed
    assert _memory_used(api, cloud["zoneid"]) == 0
    assert _usage_types(api, vm["id"])[-1] == "VM.STOP"
    assert any(f"found stopped on host {host_name} outside cirrostack" in text for text in _events(api, "VM.STOP"))
    assert _sync(api).reconcile_all() == []  # nothing left to correct
    # the corrected VM starts again through the API as any stopped VM
    status, body = api.root("startVirtualMachine", id=vm["id"])
    assert api.job_result(body["jobid"])["jobresult"]["virtualmachine"]["state"] == "Running"


def test_a_vm_the_host_no_longer_knows_becomes_stopped(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _deploy(api, cloud, "vanished")
    with api.server.database.session() as session:
        stored = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm["id"])).one()
        driver = api.server.registry.hypervisor("Simulator")
        from cirrostack.services.vms.lifecycle import Drivers
        from cirrostack.services.vms.spec import vm_ref

        _, ref = Drivers(api.server.registry, api.server.secrets).for_host(session.get(Host, stored.host_id))
        driver.destroy_vm(ref, vm_ref(stored))

    assert [c.new for c in _sync(api).reconcile_all()] == ["Stopped"]
    assert _vm(api, vm["id"])["state"] == "Stopped"


def test_a_vm_powered_on_at_the_host_becomes_running_there(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _deploy(api, cloud, "revived")
    status, body = api.root("stopVirtualMachine", id=vm["id"])
    assert api.job_result(body["jobid"])["jobresult"]["virtualmachine"]["state"] == "Stopped"
    assert _memory_used(api, cloud["zoneid"]) == 0
    _power(api, _instance_name(api, vm["id"]), "Running")

    corrections = _sync(api).reconcile_all()

    assert [(c.vm_uuid, c.new) for c in corrections] == [(vm["id"], "Running")]
    listed = _vm(api, vm["id"])
    assert listed["state"] == "Running" and listed["hostname"] == vm["hostname"]
    assert _memory_used(api, cloud["zoneid"]) == 512 * MIB
    assert _usage_types(api, vm["id"])[-1] == "VM.START"
    # a stop through the API gives the reservation back exactly once
    status, body = api.root("stopVirtualMachine", id=vm["id"])
    assert api.job_result(body["jobid"])["jobstatus"] == 1
    assert _memory_used(api, cloud["zoneid"]) == 0


def test_a_vm_found_running_on_a_full_host_is_running_and_raises_an_alert(operator_api: OperatorApi,
                                                                         cloud: dict) -> None:
    api = operator_api
    vm = _deploy(api, cloud, "squeezed")
    status, body = api.root("stopVirtualMachine", id=vm["id"])
    assert api.job_result(body["jobid"])["jobstatus"] == 1
    with api.server.database.session() as session:
        host = session.scalars(select(Host).where(Host.name == vm["hostname"])).one()
        from cirrostack.services import planner

        # everything the host has is reserved by someone else
        planner.reserve_beyond_room(session, host.id, host.cpu_cores, host.cpu_speed_mhz, host.memory_bytes // MIB)
        session.commit()
    _power(api, _instance_name(api, vm["id"]), "Running")

    assert [c.new for c in _sync(api).reconcile_all()] == ["Running"]
    assert _vm(api, vm["id"])["state"] == "Running"
    alerts = api.root("listAlerts")[1].get("alert", [])
    assert any("overcommitted by VM squeezed" in alert["description"] for alert in alerts), alerts


def test_a_vm_a_job_is_moving_is_left_alone(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _deploy(api, cloud, "busy")
    with api.server.database.session() as session:
        stored = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm["id"])).one()
        stored.state = "Stopping"  # as a stop job holds it between its claim and the hypervisor's answer
        session.commit()
    _power(api, _instance_name(api, vm["id"]), "Stopped")
    assert _sync(api).reconcile_all() == []
    assert _vm(api, vm["id"])["state"] == "Stopping"


def test_a_host_event_reconciles_the_vm_without_waiting_for_a_round(operator_api: OperatorApi,
                                                                    cloud: dict) -> None:
    api = operator_api
    sync = _sync(api)
    sync.watch_hosts()  # as start() does, without the periodic rounds
    try:
        vm = _deploy(api, cloud, "watched")
        _power(api, _instance_name(api, vm["id"]), "Stopped")
        deadline = time.monotonic() + 10
        while _vm(api, vm["id"])["state"] != "Stopped" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _vm(api, vm["id"])["state"] == "Stopped"
        assert _memory_used(api, cloud["zoneid"]) == 0
    finally:
        sync.stop()


def test_the_server_runs_the_sync_with_the_interval_setting(operator_api: OperatorApi) -> None:
    sync = operator_api.server.vm_state_sync
    assert sync is not None and sync.running
    status, body = operator_api.root("updateConfiguration", name="vm.state.sync.interval", value="17")
    assert status == 200, body
    assert sync.current_interval() == 17

"""The expunge thread, in-process on SQLite and MariaDB through the API: destroyed VMs stay Destroyed
until `expunge.delay` has passed, then a round expunges them (hypervisor, ROOT volume, storage capacity);
recovered VMs are left alone and one VM's failure does not stop the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Host
from cirrostack.db.models.usage import UsageEvent
from cirrostack.db.timestamps import utcnow
from cirrostack.services.vms import expunger as expunger_module
from cirrostack.services.vms.expunger import Expunger, Outcome
from cirrostack.services.vms.lifecycle import Drivers
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud

DELAY = 3600


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    status, body = operator_api.root("updateConfiguration", name="expunge.delay", value=str(DELAY))
    assert status == 200, body
    return demo_cloud(operator_api)


def _expunger(api: OperatorApi) -> Expunger:
    return Expunger(api.server.database, api.server.registry, api.server.secrets)


def _deploy_and_destroy(api: OperatorApi, cloud: dict, name: str) -> dict:
    status, body = api.root("deployVirtualMachine", name=name, **cloud)
    assert status == 200, body
    vm = api.job_result(body["jobid"])["jobresult"]["virtualmachine"]
    status, body = api.root("destroyVirtualMachine", id=vm["id"])
    assert status == 200, body
    assert api.job_result(body["jobid"])["jobresult"]["virtualmachine"]["state"] == "Destroyed"
    return vm


def _listed(api: OperatorApi, vm_id: str) -> dict | None:
    rows = api.root("listVirtualMachines", id=vm_id, listall="true")[1].get("virtualmachine", [])
    return rows[0] if rows else None


def _root_volume(api: OperatorApi, vm_id: str) -> dict | None:
    volumes = api.root("listVolumes", listall="true", type="ROOT")[1].get("volume", [])
    return next((volume for volume in volumes if volume.get("virtualmachineid") == vm_id), None)


def _storage_allocated(api: OperatorApi, zone: str) -> int:
    figures = api.root("listCapacity", zoneid=zone)[1]["capacity"]
    return sum(figure["capacityused"] for figure in figures if figure["type"] == 3)


def _stored_vm(api: OperatorApi, vm_uuid: str) -> VirtualMachine:
    with api.server.database.session() as session:
        vm = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm_uuid)).one()
        session.expunge(vm)
        return vm


def _defined_on_last_host(api: OperatorApi, vm_uuid: str) -> bool:
    """Whether the hypervisor of the VM's last host still has the VM defined."""
    stored = _stored_vm(api, vm_uuid)
    with api.server.database.session() as session:
        driver, ref = Drivers(api.server.registry, api.server.secrets).for_host(session.get(Host, stored.last_host_id))
        return stored.instance_name in driver.list_vms(ref)


def test_a_destroyed_vm_is_expunged_once_the_delay_has_passed(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _deploy_and_destroy(api, cloud, "doomed")
    assert _listed(api, vm["id"])["state"] == "Destroyed"
    volume = _root_volume(api, vm["id"])
    assert volume is not None and volume["state"] == "Destroy"
    allocated = _storage_allocated(api, cloud["zoneid"])
    assert _defined_on_last_host(api, vm["id"])
    expunger = _expunger(api)

    assert expunger.run_once(now=utcnow() + timedelta(seconds=DELAY - 60)) == []
    assert _listed(api, vm["id"])["state"] == "Destroyed"

    results = expunger.run_once(now=utcnow() + timedelta(seconds=DELAY + 1))
    assert [(result.vm_uuid, result.outcome) for result in results] == [(vm["id"], Outcome.EXPUNGED)]
    assert _listed(api, vm["id"]) is None and _root_volume(api, vm["id"]) is None
    stored = _stored_vm(api, vm["id"])
    assert stored.state == "Expunged" and stored.removed is not None
    assert _storage_allocated(api, cloud["zoneid"]) == allocated - volume["size"]
    assert not _defined_on_last_host(api, vm["id"])
    events = api.root("listEvents", type="VM.EXPUNGE", listall="true")[1].get("event", [])
    assert [event["description"] for event in events] == ["Expunged VM doomed"]
    assert expunger.run_once(now=utcnow() + timedelta(seconds=DELAY + 1)) == []


def test_a_vm_recovered_before_the_round_is_not_expunged(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    kept = _deploy_and_destroy(api, cloud, "kept")
    gone = _deploy_and_destroy(api, cloud, "gone")
    status, body = api.root("recoverVirtualMachine", id=kept["id"])
    assert status == 200 and body["virtualmachine"]["state"] == "Stopped", body

    results = _expunger(api).run_once(now=utcnow() + timedelta(seconds=DELAY + 1))
    assert [(result.vm_uuid, result.outcome) for result in results] == [(gone["id"], Outcome.EXPUNGED)]
    assert _listed(api, kept["id"])["state"] == "Stopped"
    assert _root_volume(api, kept["id"])["state"] == "Ready"
    assert _listed(api, gone["id"]) is None


def test_a_vm_destroyed_again_after_a_recover_waits_the_delay_from_its_last_destroy(operator_api: OperatorApi,
                                                                                  cloud: dict) -> None:
    api = operator_api
    vm = _deploy_and_destroy(api, cloud, "twice")
    first_destroy_due = utcnow() + timedelta(seconds=DELAY + 1)
    assert api.root("recoverVirtualMachine", id=vm["id"])[0] == 200
    assert api.job_result(api.root("destroyVirtualMachine", id=vm["id"])[1]["jobid"])["jobstatus"] == 1
    stored = _stored_vm(api, vm["id"])
    with api.server.database.session() as session:
        destroys = session.scalars(select(UsageEvent).where(UsageEvent.resource_id == stored.id,
                                                            UsageEvent.type == "VM.DESTROY").order_by(UsageEvent.id))
        latest = list(destroys)[-1]
        latest.created = utcnow() + timedelta(seconds=DELAY // 2)  # the second destroy came half a delay later
    assert _expunger(api).run_once(now=first_destroy_due) == []
    assert _listed(api, vm["id"])["state"] == "Destroyed"


def test_one_failing_vm_stays_destroyed_and_does_not_stop_the_others(operator_api: OperatorApi,
                                                                     cloud: dict) -> None:
    api = operator_api
    first = _deploy_and_destroy(api, cloud, "first")
    second = _deploy_and_destroy(api, cloud, "second")
    api.server.registry.hypervisor("Simulator").faults.fail_next("destroy_vm", error="HostUnreachable")

    results = _expunger(api).run_once(now=utcnow() + timedelta(seconds=DELAY + 1))
    outcomes = {result.vm_uuid: result.outcome for result in results}
    assert outcomes == {first["id"]: Outcome.FAILED, second["id"]: Outcome.EXPUNGED}
    assert _listed(api, first["id"])["state"] == "Destroyed"
    assert _root_volume(api, first["id"])["state"] == "Destroy"
    assert _listed(api, second["id"]) is None
    errors = [event for event in api.root("listEvents", type="VM.EXPUNGE", listall="true")[1].get("event", [])
              if event["level"] == "ERROR"]
    assert len(errors) == 1 and "first" in errors[0]["description"] and "stays Destroyed" in errors[0]["description"]

    retried = _expunger(api).run_once(now=utcnow() + timedelta(seconds=DELAY + 1))
    assert [(result.vm_uuid, result.outcome) for result in retried] == [(first["id"], Outcome.EXPUNGED)]
    assert _listed(api, first["id"]) is None


def test_the_interval_setting_is_read_each_time(operator_api: OperatorApi) -> None:
    expunger = _expunger(operator_api)
    assert expunger.current_interval() == 86400
    assert operator_api.root("updateConfiguration", name="expunge.interval", value="120")[0] == 200
    assert expunger.current_interval() == 120


def test_the_server_starts_the_expunger_and_close_stops_it(tmp_path) -> None:
    server = build_server(ServerConfig(data_dir=tmp_path / "data", admin_password="pw", job_workers=1,
                                       server_id="test:1"))
    try:
        assert isinstance(server.expunger, Expunger) and server.expunger.running
    finally:
        server.close()
    assert not server.expunger.running


def test_a_vm_recovered_during_the_round_is_skipped(operator_api: OperatorApi, cloud: dict,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    api = operator_api
    vm = _deploy_and_destroy(api, cloud, "late-recover")
    real_due = expunger_module.due_for_expunge

    def due_then_recovered(session, now):  # the VM is recovered after the round picked it
        due = real_due(session, now)
        assert api.root("recoverVirtualMachine", id=vm["id"])[0] == 200
        return due

    monkeypatch.setattr(expunger_module, "due_for_expunge", due_then_recovered)
    results = _expunger(api).run_once(now=utcnow() + timedelta(seconds=DELAY + 1))
    assert [(result.vm_uuid, result.outcome) for result in results] == [(vm["id"], Outcome.SKIPPED)]
    assert _listed(api, vm["id"])["state"] == "Stopped" and _root_volume(api, vm["id"])["state"] == "Ready"

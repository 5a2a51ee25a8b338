"""changeServiceForVirtualMachine and scaleVirtualMachine through the API, in-process on the simulator
demo zone (SQLite, then MariaDB): new sizes, custom offerings, capacity, refusals and usage events."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from cirrostack.db.models.usage import UsageEvent
from cirrostack.demo import build_demo_zone
from cirrostack.errors import HostUnreachable
from cirrostack.simulator.driver import SimulatorHypervisor
from tests.fixtures.operator_api import OperatorApi


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    assert build_demo_zone(operator_api.server, announce=lambda _line: None) is not None
    zone = operator_api.root("listZones")[1]["zone"][0]["id"]
    template = operator_api.root("listTemplates", templatefilter="featured")[1]["template"][0]["id"]
    offerings = {row["name"]: row["id"] for row in operator_api.root("listServiceOfferings")[1]["serviceoffering"]}
    status, body = operator_api.root("createServiceOffering", name="Custom", displaytext="any size")
    assert status == 200, body
    return {"zoneid": zone, "templateid": template, "small": offerings["Small Instance"],
            "medium": offerings["Medium Instance"], "custom": body["serviceoffering"]["id"]}


def _job(api: OperatorApi, reply: tuple[int, dict]) -> dict:
    status, body = reply
    assert status == 200, body
    return api.job_result(body["jobid"])


def _deploy(api: OperatorApi, cloud: dict, **params) -> dict:
    result = _job(api, api.root("deployVirtualMachine", zoneid=cloud["zoneid"], templateid=cloud["templateid"],
                                serviceofferingid=cloud["small"], **params))
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["virtualmachine"]


def _scale(api: OperatorApi, vm: dict, offering: str, **details) -> dict:
    return _job(api, api.root("scaleVirtualMachine", id=vm["id"], serviceofferingid=offering, **details))


def _used(api: OperatorApi, zone: str) -> dict[int, int]:
    figures = api.root("listCapacity", zoneid=zone)[1]["capacity"]
    return {figure["type"]: figure["capacityused"] for figure in figures if figure["type"] in (0, 1)}


def _size(vm: dict) -> tuple[int, int, int]:
    return vm["cpunumber"], vm["cpuspeed"], vm["memory"]


def _upgrade_events(api: OperatorApi, vm_uuid: str) -> list[UsageEvent]:
    with api.server.database.session() as session:
        return list(session.scalars(select(UsageEvent).where(UsageEvent.resource_uuid == vm_uuid,
                                                             UsageEvent.type == "VM.UPGRADE")))


def _enable_dynamic_scaling(api: OperatorApi, zone: str) -> None:
    status, body = api.root("updateConfiguration", name="enable.dynamic.scale.vm", value="true", zoneid=zone)
    assert status == 200, body


def test_change_service_of_a_stopped_vm_takes_the_new_size(operator_api, cloud):
    vm = _deploy(operator_api, cloud, startvm="false")
    status, body = operator_api.root("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=cloud["medium"])
    assert status == 200, body
    changed = body["virtualmachine"]
    assert _size(changed) == (1, 1000, 1024) and changed["serviceofferingname"] == "Medium Instance"
    [usage] = _upgrade_events(operator_api, vm["id"])
    assert json.loads(usage.details or "{}") == {} and usage.offering_id is not None
    _status, events = operator_api.root("listEvents", type="VM.UPGRADE")
    assert events["count"] == 1 and "-> 1 x 1000 MHz, 1024 MB" in events["event"][0]["description"]
    started = _job(operator_api, operator_api.root("startVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]
    assert _size(started) == (1, 1000, 1024)
    assert _used(operator_api, cloud["zoneid"]) == {0: 1024 * 1024 * 1024, 1: 1000}


def test_change_service_to_a_custom_offering_needs_and_keeps_the_details(operator_api, cloud):
    vm = _deploy(operator_api, cloud, startvm="false")
    status, body = operator_api.root("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=cloud["custom"],
                                     **{"details[0].cpuSpeed": 800, "details[0].memory": 768})
    assert status == 431 and body["errortext"].startswith("details[0].cpuNumber:"), body
    status, body = operator_api.root("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=cloud["custom"],
                                     **{"details[0].cpuNumber": 2, "details[0].cpuSpeed": 800,
                                        "details[0].memory": 768})
    assert status == 200, body
    assert _size(body["virtualmachine"]) == (2, 800, 768)
    [usage] = _upgrade_events(operator_api, vm["id"])
    assert json.loads(usage.details) == {"cpuNumber": 2, "cpuSpeed": 800, "memory": 768}


def test_change_service_of_a_running_vm_is_refused_naming_the_state(operator_api, cloud):
    vm = _deploy(operator_api, cloud)
    status, body = operator_api.root("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=cloud["medium"])
    assert status == 431 and "state Running" in body["errortext"] and "Stopped" in body["errortext"]
    status, body = operator_api.root("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=cloud["small"])
    assert status == 431


def test_scale_running_vm_needs_the_zone_setting(operator_api, cloud):
    vm = _deploy(operator_api, cloud)
    result = _scale(operator_api, vm, cloud["medium"])
    assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 531
    assert "enable.dynamic.scale.vm" in result["jobresult"]["errortext"]


def test_scale_running_vm_live_reserves_the_difference(operator_api, cloud):
    _enable_dynamic_scaling(operator_api, cloud["zoneid"])
    vm = _deploy(operator_api, cloud)
    result = _job(operator_api, operator_api.root("scaleVirtualMachine", id=vm["id"], serviceofferingid=cloud["custom"],
                                                  **{"details[0].cpuNumber": 2, "details[0].cpuSpeed": 1000,
                                                     "details[0].memory": 2048}))
    assert result["jobstatus"] == 1, result
    scaled = result["jobresult"]["virtualmachine"]
    assert _size(scaled) == (2, 1000, 2048) and scaled["state"] == "Running" and scaled["hostid"] == vm["hostid"]
    assert _used(operator_api, cloud["zoneid"]) == {0: 2048 * 1024 * 1024, 1: 2000}
    [usage] = _upgrade_events(operator_api, vm["id"])
    assert json.loads(usage.details) == {"cpuNumber": 2, "cpuSpeed": 1000, "memory": 2048}
    _status, events = operator_api.root("listEvents", type="VM.SCALE")
    assert events["count"] == 1
    stopped = _job(operator_api, operator_api.root("stopVirtualMachine", id=vm["id"]))
    assert stopped["jobstatus"] == 1 and _used(operator_api, cloud["zoneid"]) == {0: 0, 1: 0}


def test_scale_down_of_a_running_vm_is_refused(operator_api, cloud):
    _enable_dynamic_scaling(operator_api, cloud["zoneid"])
    vm = _deploy(operator_api, cloud)
    result = _job(operator_api, operator_api.root("scaleVirtualMachine", id=vm["id"], serviceofferingid=cloud["custom"],
                                                  **{"details[0].cpuNumber": 1, "details[0].cpuSpeed": 400,
                                                     "details[0].memory": 1024}))
    assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 431
    assert "Only scaling up" in result["jobresult"]["errortext"]


def test_a_vm_that_no_longer_fits_its_host_is_refused_and_keeps_its_size(operator_api, cloud):
    _enable_dynamic_scaling(operator_api, cloud["zoneid"])
    vm = _deploy(operator_api, cloud)
    before = _used(operator_api, cloud["zoneid"])
    result = _job(operator_api, operator_api.root("scaleVirtualMachine", id=vm["id"], serviceofferingid=cloud["custom"],
                                                  **{"details[0].cpuNumber": 1, "details[0].cpuSpeed": 500,
                                                     "details[0].memory": 4_000_000}))
    assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 533
    assert "insufficient capacity on its host" in result["jobresult"]["errortext"]
    listed = operator_api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]
    assert _size(listed) == (1, 500, 512) and _used(operator_api, cloud["zoneid"]) == before
    assert _upgrade_events(operator_api, vm["id"]) == []


def test_hypervisor_without_live_scaling_is_refused_before_any_driver_call(operator_api, cloud, monkeypatch):
    _enable_dynamic_scaling(operator_api, cloud["zoneid"])
    vm = _deploy(operator_api, cloud)
    calls: list[str] = []
    monkeypatch.setattr(SimulatorHypervisor, "capabilities",
                        replace(SimulatorHypervisor.capabilities, scale_running_vm=False))
    monkeypatch.setattr(SimulatorHypervisor, "scale_vm", lambda *args, **kwargs: calls.append("scale_vm"))
    result = _scale(operator_api, vm, cloud["medium"])
    assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 432
    assert result["jobresult"]["errortext"] == (
        "scaleVirtualMachine: hypervisor Simulator does not declare scale_running_vm: VM "
        f"{vm['name']} is Running; stop it and use changeServiceForVirtualMachine")
    assert calls == []
    stopped = _job(operator_api, operator_api.root("stopVirtualMachine", id=vm["id"]))
    assert stopped["jobstatus"] == 1
    scaled = _scale(operator_api, vm, cloud["medium"])
    assert scaled["jobstatus"] == 1 and _size(scaled["jobresult"]["virtualmachine"]) == (1, 1000, 1024)


def test_a_deleted_offering_stays_with_the_vms_that_use_it(operator_api, cloud):
    status, body = operator_api.root("createServiceOffering", name="Short-lived", displaytext="s", cpunumber=1,
                                     cpuspeed=600, memory=640)
    assert status == 200, body
    offering = body["serviceoffering"]["id"]
    vm = _deploy(operator_api, {**cloud, "small": offering}, startvm="false")
    assert operator_api.root("deleteServiceOffering", id=offering)[0] == 200
    listed = operator_api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]
    assert listed["serviceofferingid"] == offering and listed["serviceofferingname"] == "Short-lived"
    started = _job(operator_api, operator_api.root("startVirtualMachine", id=vm["id"]))
    assert started["jobstatus"] == 1 and _size(started["jobresult"]["virtualmachine"]) == (1, 600, 640)
    status, body = operator_api.root("deployVirtualMachine", zoneid=cloud["zoneid"], templateid=cloud["templateid"],
                                     serviceofferingid=offering)
    assert status == 431 and "serviceofferingid" in body["errortext"]


def test_offerings_a_vm_can_change_to(operator_api, cloud):
    vm = _deploy(operator_api, cloud, startvm="false")
    status, body = operator_api.root("createServiceOffering", name="Local", displaytext="l", cpunumber=1,
                                     cpuspeed=600, memory=640, storagetype="local")
    assert status == 200, body
    _status, body = operator_api.root("listServiceOfferings", virtualmachineid=vm["id"])
    names = {row["name"] for row in body["serviceoffering"]}
    assert names == {"Medium Instance", "Custom"}


def test_a_failed_live_scale_gives_everything_back(operator_api, cloud, monkeypatch):
    _enable_dynamic_scaling(operator_api, cloud["zoneid"])
    vm = _deploy(operator_api, cloud)
    before = _used(operator_api, cloud["zoneid"])

    def unreachable(self, host, vm_ref, cpus, cpu_speed_mhz, memory_mb):
        raise HostUnreachable(f"simulated host {host.name} does not answer")

    monkeypatch.setattr(SimulatorHypervisor, "scale_vm", unreachable)
    result = _scale(operator_api, vm, cloud["medium"])
    assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 534, result
    listed = operator_api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]
    assert _size(listed) == (1, 500, 512) and listed["serviceofferingid"] == cloud["small"]
    assert _used(operator_api, cloud["zoneid"]) == before
    assert _upgrade_events(operator_api, vm["id"]) == []
    monkeypatch.undo()
    assert _scale(operator_api, vm, cloud["medium"])["jobstatus"] == 1
    assert _used(operator_api, cloud["zoneid"]) == {0: 1024 * 1024 * 1024, 1: 1000}


def test_usage_records_show_the_values_before_and_after_a_scale(operator_api, cloud):
    _enable_dynamic_scaling(operator_api, cloud["zoneid"])
    sizes = {"details[0].cpuNumber": 1, "details[0].cpuSpeed": 700, "details[0].memory": 640}
    vm = _deploy(operator_api, {**cloud, "small": cloud["custom"]}, **sizes)
    time.sleep(1.1)  # MariaDB keeps whole seconds: the first period must not be empty
    scaled = _scale(operator_api, vm, cloud["custom"], **{"details[0].cpuNumber": 2, "details[0].cpuSpeed": 900,
                                                          "details[0].memory": 1280})
    assert scaled["jobstatus"] == 1, scaled
    today = datetime.now(UTC).date()
    window = {"startdate": str(today - timedelta(days=1)), "enddate": str(today + timedelta(days=1))}
    status, body = operator_api.root("generateUsageRecords", **window)
    assert status == 200, body
    status, body = operator_api.root("listUsageRecords", type=1, **window)
    assert status == 200, body
    running = sorted({(row["cpunumber"], row["cpuspeed"], row["memory"]) for row in body["usagerecord"]
                      if row.get("virtualmachineid") == vm["id"]})  # a set: records are also cut at midnight
    assert running == [(1, 700, 640), (2, 900, 1280)]


def test_a_change_beyond_the_owners_cpu_limit_is_refused(operator_api, cloud):
    user = operator_api.user("lena")
    root_domain = operator_api.root("listDomains", name="ROOT")[1]["domain"][0]["id"]
    status, body = operator_api.root("updateResourceLimit", resourcetype=8, max=2, account="lena",
                                     domainid=root_domain)
    assert status == 200, body
    result = _job(operator_api, user("deployVirtualMachine", zoneid=cloud["zoneid"], templateid=cloud["templateid"],
                                     serviceofferingid=cloud["small"], startvm="false"))
    assert result["jobstatus"] == 1, result
    vm = result["jobresult"]["virtualmachine"]
    three = {"details[0].cpuNumber": 3, "details[0].cpuSpeed": 500, "details[0].memory": 512}
    status, body = user("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=cloud["custom"], **three)
    assert status == 532 and "lena" in body["errortext"], body
    two = {**three, "details[0].cpuNumber": 2}
    status, body = user("changeServiceForVirtualMachine", id=vm["id"], serviceofferingid=cloud["custom"], **two)
    assert status == 200 and body["virtualmachine"]["cpunumber"] == 2, body

"""ISOs and VMs on the simulator demo zone (SQLite, then MariaDB): attachIso/detachIso hot-plug into a
running VM and wait for the next start otherwise, refuse what CloudStack refuses, keep tenants apart;
deployVirtualMachine from a bootable ISO boots a blank ROOT disk with the ISO attached."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select, update

from cirrostack.db.models.templates import Template, TemplateZoneRef
from cirrostack.simulator.driver import SimulatorHypervisor
from tests.fixtures.operator_api import OperatorApi, UserClient
from tests.test_vm_lifecycle import demo_cloud

GIB = 1024 ** 3


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _job(api: OperatorApi, reply: tuple[int, dict]) -> dict:
    status, body = reply
    assert status == 200, body
    return api.job_result(body["jobid"])


def _simulator(api: OperatorApi) -> SimulatorHypervisor:
    return api.server.registry.hypervisor("Simulator").unguarded


def _register_iso(api: OperatorApi, call, cloud: dict, name: str, ready: bool = True, public: bool = False) -> dict:
    os_type = api.root("listOsTypes")[1]["ostype"][0]["id"]
    status, body = call("registerIso", name=name, displaytext=f"{name} installer", zoneid=cloud["zoneid"],
                        url=f"http://images.example.org/{name}.iso", ostypeid=os_type,
                        ispublic="true" if public else "false")
    assert status == 200, body
    iso = body["iso"][0]
    if ready:  # as the secondary storage reports once the download completed
        with api.server.database.session() as session:
            template_id = session.scalars(select(Template.id).where(Template.uuid == iso["id"])).one()
            session.execute(update(TemplateZoneRef).where(TemplateZoneRef.template_id == template_id)
                            .values(is_ready=True, status="Download Complete", size_bytes=GIB))
    return iso


def _deploy(api: OperatorApi, call, cloud: dict, name: str, **extra: str) -> dict:
    status, body = call("deployVirtualMachine", name=name, **{**cloud, **extra})
    assert status == 200, body
    result = api.job_result(body["jobid"])
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["virtualmachine"]


def _instance_name(api: OperatorApi, vm_id: str) -> str:
    return api.root("listVirtualMachines", id=vm_id)[1]["virtualmachine"][0]["instancename"]


def test_an_iso_is_plugged_into_and_out_of_a_running_vm(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    iso = _register_iso(api, api.root, cloud, "rescue")
    vm = _deploy(api, api.root, cloud, "rescued")

    attached = _job(api, api.root("attachIso", id=iso["id"], virtualmachineid=vm["id"]))

    assert attached["jobstatus"] == 1, attached
    view = attached["jobresult"]["virtualmachine"]
    assert (view["isoid"], view["isoname"], view["id"]) == (iso["id"], "rescue", vm["id"])
    assert _simulator(api).vm_disks(_instance_name(api, vm["id"]))[iso["id"]] == 3
    event = api.root("listEvents", type="ISO.ATTACH", listall="true")[1]["event"][0]["description"]
    assert event.startswith("Attached ISO rescue to VM rescued while it runs on host")

    again = _job(api, api.root("attachIso", id=iso["id"], virtualmachineid=vm["id"]))
    assert again["jobresult"]["errorcode"] == 431 and "already has ISO rescue" in again["jobresult"]["errortext"]

    detached = _job(api, api.root("detachIso", virtualmachineid=vm["id"]))
    assert detached["jobstatus"] == 1 and "isoid" not in detached["jobresult"]["virtualmachine"]
    assert iso["id"] not in _simulator(api).vm_disks(_instance_name(api, vm["id"]))
    nothing = _job(api, api.root("detachIso", virtualmachineid=vm["id"]))
    assert nothing["jobresult"]["errorcode"] == 431 and "has no ISO attached" in nothing["jobresult"]["errortext"]


def test_a_stopped_vm_gets_its_iso_at_the_next_start(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    iso = _register_iso(api, api.root, cloud, "tools")
    vm = _deploy(api, api.root, cloud, "later", startvm="false")
    assert _job(api, api.root("attachIso", id=iso["id"], virtualmachineid=vm["id"]))["jobstatus"] == 1
    assert api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]["state"] == "Stopped"
    assert _job(api, api.root("startVirtualMachine", id=vm["id"]))["jobstatus"] == 1
    assert _simulator(api).vm_disks(_instance_name(api, vm["id"]))[iso["id"]] == 3


def test_without_hot_plug_a_running_vm_gets_the_iso_at_its_next_start(operator_api: OperatorApi, cloud: dict,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    api = operator_api
    monkeypatch.setattr(SimulatorHypervisor, "capabilities",
                        replace(SimulatorHypervisor.capabilities, hot_plug_volumes=False))
    iso = _register_iso(api, api.root, cloud, "cold")
    vm = _deploy(api, api.root, cloud, "coldvm")
    assert _job(api, api.root("attachIso", id=iso["id"], virtualmachineid=vm["id"]))["jobstatus"] == 1
    assert iso["id"] not in _simulator(api).vm_disks(_instance_name(api, vm["id"]))
    event = api.root("listEvents", type="ISO.ATTACH", listall="true")[1]["event"][0]["description"]
    assert "does not declare hot_plug_volumes, so the VM gets the ISO at its next start" in event


def test_an_iso_not_ready_in_the_zone_is_refused(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    iso = _register_iso(api, api.root, cloud, "pending", ready=False)
    vm = _deploy(api, api.root, cloud, "waiting")
    failed = _job(api, api.root("attachIso", id=iso["id"], virtualmachineid=vm["id"]))
    assert failed["jobresult"]["errorcode"] == 431
    assert failed["jobresult"]["errortext"].startswith("id: ISO pending") and "not ready in zone" in \
        failed["jobresult"]["errortext"]


def test_tenants_cannot_use_each_others_private_isos_or_vms(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    alice: UserClient = api.user("alice")
    bob: UserClient = api.user("bob")
    alices_iso = _register_iso(api, alice, cloud, "alices")
    bobs_vm = _deploy(api, bob, cloud, "bobs")
    alices_vm = _deploy(api, alice, cloud, "alices-vm")

    status, body = bob("attachIso", id=alices_iso["id"], virtualmachineid=bobs_vm["id"])
    assert status == 431 and body["errortext"].startswith("id:"), body
    status, body = bob("attachIso", id=alices_iso["id"], virtualmachineid=alices_vm["id"])
    assert status == 431, body
    status, body = bob("detachIso", virtualmachineid=alices_vm["id"])
    assert status == 431 and body["errortext"].startswith("virtualmachineid:"), body
    # the root admin may not hand alice's private ISO to bob's VM either
    refused = _job(api, api.root("attachIso", id=alices_iso["id"], virtualmachineid=bobs_vm["id"]))
    assert refused["jobresult"]["errorcode"] == 431 and "private to another account" in \
        refused["jobresult"]["errortext"]
    status, body = alice("attachIso", id=alices_iso["id"], virtualmachineid=alices_vm["id"])
    assert status == 200 and api.job_result(body["jobid"])["jobstatus"] == 1


def test_a_vm_deployed_from_an_iso_boots_a_blank_root_disk_with_the_iso(operator_api: OperatorApi,
                                                                       cloud: dict) -> None:
    api = operator_api
    iso = _register_iso(api, api.root, cloud, "installer", public=True)
    offerings = api.root("listDiskOfferings")[1]["diskoffering"]
    small = next(offering for offering in offerings if offering["name"] == "Small")

    vm = _deploy(api, api.root, cloud, "fresh", templateid=iso["id"], diskofferingid=small["id"])

    assert vm["state"] == "Running" and vm["isoid"] == iso["id"]
    disks = _simulator(api).vm_disks(_instance_name(api, vm["id"]))
    assert disks[iso["id"]] == 3
    volumes = api.root("listVolumes", virtualmachineid=vm["id"], listall="true")[1]["volume"]
    assert [(volume["type"], volume["size"]) for volume in volumes] == [("ROOT", small["disksize"] * GIB)]
    assert "templateid" not in volumes[0] and disks[volumes[0]["id"]] == 0

    sized = _deploy(api, api.root, cloud, "sized", templateid=iso["id"], rootdisksize="3")
    root = api.root("listVolumes", virtualmachineid=sized["id"], listall="true")[1]["volume"][0]
    assert root["size"] == 3 * GIB


def test_a_deploy_from_an_iso_needs_a_root_disk_size(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    iso = _register_iso(api, api.root, cloud, "nosize")
    status, body = api.root("deployVirtualMachine", **{**cloud, "templateid": iso["id"]})
    assert status == 431 and body["errortext"].startswith("diskofferingid:"), body
    assert "rootdisksize" in body["errortext"]


def test_a_deploy_from_an_iso_is_refused_where_the_hypervisor_cannot_boot_from_iso(
        operator_api: OperatorApi, cloud: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    api = operator_api
    iso = _register_iso(api, api.root, cloud, "noboot")
    monkeypatch.setattr(SimulatorHypervisor, "capabilities",
                        replace(SimulatorHypervisor.capabilities, boot_from_iso=False))
    status, body = api.root("deployVirtualMachine", **{**cloud, "templateid": iso["id"], "rootdisksize": "2"})
    assert status == 432, body
    assert "Simulator" in body["errortext"] and "boot_from_iso" in body["errortext"]
    assert api.root("listVirtualMachines", listall="true")[1].get("virtualmachine") is None

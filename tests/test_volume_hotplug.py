"""Disks through the hypervisor, on the simulator demo zone (SQLite, then MariaDB): attachVolume and
detachVolume hot-plug into a running VM when the hypervisor declares hot_plug_volumes and wait for the
next start when it does not; deleteVolume and expunge remove the volume's file through delete_disk, and a
failing driver leaves the volume (or the destroyed VM) as it was, so the request can be repeated."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cirrostack.simulator.driver import SimulatorHypervisor
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _job(api: OperatorApi, command: str, **params: str) -> dict:
    status, body = api.root(command, **params)
    assert status == 200, body
    return api.job_result(body["jobid"])


def _simulator(api: OperatorApi) -> SimulatorHypervisor:
    return api.server.registry.hypervisor("Simulator").unguarded


def _running_vm(api: OperatorApi, cloud: dict, name: str) -> dict:
    result = _job(api, "deployVirtualMachine", name=name, **cloud)
    assert result["jobstatus"] == 1, result
    vm = result["jobresult"]["virtualmachine"]
    vm["instancename"] = api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]["instancename"]
    return vm


def _data_volume(api: OperatorApi, cloud: dict, name: str) -> dict:
    offerings = api.root("listDiskOfferings")[1]["diskoffering"]
    small = next(offering["id"] for offering in offerings if offering["name"] == "Small")
    result = _job(api, "createVolume", name=name, zoneid=cloud["zoneid"], diskofferingid=small)
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["volume"]


def _volume(api: OperatorApi, volume_id: str) -> dict | None:
    rows = api.root("listVolumes", id=volume_id, listall="true")[1].get("volume", [])
    return rows[0] if rows else None


def _file(api: OperatorApi, volume_id: str) -> tuple[str, str]:
    volume = _volume(api, volume_id)
    return volume["storageid"], volume_id


def _last_event(api: OperatorApi, event_type: str) -> str:
    return api.root("listEvents", type=event_type, listall="true")[1]["event"][0]["description"]


def test_a_volume_is_plugged_into_and_out_of_a_running_vm_at_once(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _running_vm(api, cloud, "hot")
    volume = _data_volume(api, cloud, "hot-data")

    attached = _job(api, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])
    assert attached["jobstatus"] == 1, attached
    assert attached["jobresult"]["volume"]["deviceid"] == 1
    assert _simulator(api).vm_disks(vm["instancename"])[volume["id"]] == 1
    assert _file(api, volume["id"]) in _simulator(api).disk_files()
    assert "while it runs on host" in _last_event(api, "VOLUME.ATTACH")

    detached = _job(api, "detachVolume", id=volume["id"])
    assert detached["jobstatus"] == 1, detached
    assert volume["id"] not in _simulator(api).vm_disks(vm["instancename"])
    assert _volume(api, volume["id"])["state"] == "Ready"


def test_a_failing_hot_plug_leaves_the_volume_detached(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _running_vm(api, cloud, "flaky")
    volume = _data_volume(api, cloud, "flaky-data")
    _simulator(api).faults.fail_next("attach_disk", error="HostUnreachable")

    failed = _job(api, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])

    assert failed["jobstatus"] == 2 and failed["jobresult"]["errorcode"] == 534, failed
    listed = _volume(api, volume["id"])
    assert "virtualmachineid" not in listed and listed["state"] == "Allocated"
    assert volume["id"] not in _simulator(api).vm_disks(vm["instancename"])
    assert _job(api, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])["jobstatus"] == 1


def test_without_hot_plug_a_running_vm_gets_the_volume_at_its_next_start(operator_api: OperatorApi, cloud: dict,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    api = operator_api
    monkeypatch.setattr(SimulatorHypervisor, "capabilities",
                        replace(SimulatorHypervisor.capabilities, hot_plug_volumes=False))
    vm = _running_vm(api, cloud, "cold")
    volume = _data_volume(api, cloud, "cold-data")

    assert _job(api, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])["jobstatus"] == 1

    assert volume["id"] not in _simulator(api).vm_disks(vm["instancename"])
    assert "does not declare hot_plug_volumes, so the VM gets the disk at its next start" in _last_event(
        api, "VOLUME.ATTACH")
    assert _job(api, "stopVirtualMachine", id=vm["id"])["jobstatus"] == 1
    assert _job(api, "startVirtualMachine", id=vm["id"])["jobstatus"] == 1
    assert _simulator(api).vm_disks(vm["instancename"])[volume["id"]] == 1


def test_deleting_a_volume_removes_its_file_and_a_driver_failure_keeps_it_for_a_retry(operator_api: OperatorApi,
                                                                                      cloud: dict) -> None:
    api = operator_api
    vm = _running_vm(api, cloud, "owner")
    volume = _data_volume(api, cloud, "doomed-data")
    assert _job(api, "attachVolume", id=volume["id"], virtualmachineid=vm["id"])["jobstatus"] == 1
    assert _job(api, "detachVolume", id=volume["id"])["jobstatus"] == 1
    disk_file = _file(api, volume["id"])
    assert disk_file in _simulator(api).disk_files()
    _simulator(api).faults.fail_next("delete_disk", error="HostUnreachable")

    status, body = api.root("deleteVolume", id=volume["id"])

    assert status == 534, body
    assert _volume(api, volume["id"])["state"] == "Ready" and disk_file in _simulator(api).disk_files()
    status, body = api.root("deleteVolume", id=volume["id"])
    assert status == 200, body
    assert _volume(api, volume["id"]) is None and disk_file not in _simulator(api).disk_files()


def test_a_never_attached_volume_is_deleted_without_the_hypervisor(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    volume = _data_volume(api, cloud, "unused")
    _simulator(api).faults.fail_next("delete_disk", error="HostUnreachable")
    status, body = api.root("deleteVolume", id=volume["id"])
    assert status == 200, body
    assert _simulator(api).faults.pending("delete_disk") == 1  # never asked: the volume had no file


def test_expunging_a_vm_removes_its_root_file_and_a_failure_can_be_retried(operator_api: OperatorApi,
                                                                           cloud: dict) -> None:
    api = operator_api
    vm = _running_vm(api, cloud, "gone")
    root = next(volume for volume in api.root("listVolumes", listall="true", type="ROOT")[1]["volume"]
                if volume["virtualmachineid"] == vm["id"])
    root_file = _file(api, root["id"])
    assert root_file in _simulator(api).disk_files()
    assert _job(api, "destroyVirtualMachine", id=vm["id"])["jobstatus"] == 1
    _simulator(api).faults.fail_next("delete_disk", error="HostUnreachable")

    failed = _job(api, "expungeVirtualMachine", id=vm["id"])

    assert failed["jobstatus"] == 2 and failed["jobresult"]["errorcode"] == 534, failed
    assert api.root("listVirtualMachines", id=vm["id"], listall="true")[1]["virtualmachine"][0]["state"] == \
        "Destroyed"
    assert root_file in _simulator(api).disk_files()
    assert _job(api, "expungeVirtualMachine", id=vm["id"])["jobstatus"] == 1
    assert root_file not in _simulator(api).disk_files()

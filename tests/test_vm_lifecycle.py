"""The VM life cycle through the API, in-process on SQLite and MariaDB, on the simulator demo zone:
deploy, stop, start, reboot, destroy, recover, expunge; refused transitions; hypervisor faults;
and what other tenants may see and do."""

from __future__ import annotations

import pytest

from cirrostack.demo import build_demo_zone
from tests.fixtures.operator_api import OperatorApi


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def demo_cloud(operator_api: OperatorApi) -> dict:
    """Build the demo zone; the deploy parameters of its zone, its template and the Small Instance offering."""
    assert build_demo_zone(operator_api.server, announce=lambda _line: None) is not None
    zone = operator_api.root("listZones")[1]["zone"][0]["id"]
    template = operator_api.root("listTemplates", templatefilter="featured")[1]["template"][0]["id"]
    offerings = operator_api.root("listServiceOfferings")[1]["serviceoffering"]
    small = next(offering["id"] for offering in offerings if offering["name"] == "Small Instance")
    return {"zoneid": zone, "templateid": template, "serviceofferingid": small}


def _job(api: OperatorApi, reply: tuple[int, dict]) -> dict:
    status, body = reply
    assert status == 200, body
    return api.job_result(body["jobid"])


def _vm(api: OperatorApi, vm_id: str) -> dict | None:
    listed = api.root("listVirtualMachines", id=vm_id, listall="true")[1].get("virtualmachine", [])
    return listed[0] if listed else None


def _used(api: OperatorApi, zone: str) -> dict[int, int]:
    """Zone capacity in use: type 0 memory bytes, type 1 CPU MHz."""
    figures = api.root("listCapacity", zoneid=zone)[1]["capacity"]
    return {figure["type"]: figure["capacityused"] for figure in figures if figure["type"] in (0, 1)}


def test_a_vm_goes_through_its_whole_life(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    result = _job(api, api.root("deployVirtualMachine", name="web-1", displayname="Web one", **cloud))
    vm = result["jobresult"]["virtualmachine"]
    assert (vm["name"], vm["displayname"], vm["state"]) == ("web-1", "Web one", "Running")
    assert (vm["cpunumber"], vm["cpuspeed"], vm["memory"]) == (1, 500, 512)
    assert vm["hostname"].startswith("sim/demo-cluster/") and vm["hypervisor"] == "Simulator"
    assert vm["zoneid"] == cloud["zoneid"] and vm["serviceofferingname"] == "Small Instance"
    assert _used(api, cloud["zoneid"]) == {0: 512 * 1024 * 1024, 1: 500}

    stopped = _job(api, api.root("stopVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]
    assert stopped["state"] == "Stopped" and "hostid" not in stopped
    assert _used(api, cloud["zoneid"]) == {0: 0, 1: 0}

    started = _job(api, api.root("startVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]
    assert started["state"] == "Running" and started["hostid"]
    rebooted = _job(api, api.root("rebootVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]
    assert rebooted["state"] == "Running"

    destroyed = _job(api, api.root("destroyVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]
    assert destroyed["state"] == "Destroyed" and _used(api, cloud["zoneid"]) == {0: 0, 1: 0}
    status, body = api.root("recoverVirtualMachine", id=vm["id"])
    assert status == 200 and body["virtualmachine"]["state"] == "Stopped"

    assert _job(api, api.root("destroyVirtualMachine", id=vm["id"], expunge="true"))["jobstatus"] == 1
    assert _vm(api, vm["id"]) is None
    root_volumes = api.root("listVolumes", listall="true", type="ROOT")[1].get("volume", [])
    assert [volume for volume in root_volumes if volume.get("virtualmachineid") == vm["id"]] == []


def test_deploy_without_starting_leaves_the_vm_stopped_and_holding_no_host(operator_api: OperatorApi,
                                                                          cloud: dict) -> None:
    vm = _job(operator_api, operator_api.root("deployVirtualMachine", startvm="false", **cloud))
    vm = vm["jobresult"]["virtualmachine"]
    assert vm["state"] == "Stopped" and "hostid" not in vm and vm["name"] == vm["id"]
    assert _used(operator_api, cloud["zoneid"]) == {0: 0, 1: 0}
    assert vm["rootdeviceid"] == 0


def test_transitions_the_state_does_not_allow_are_refused_naming_the_state(operator_api: OperatorApi,
                                                                          cloud: dict) -> None:
    api = operator_api
    vm = _job(api, api.root("deployVirtualMachine", **cloud))["jobresult"]["virtualmachine"]
    again = _job(api, api.root("startVirtualMachine", id=vm["id"]))
    assert again["jobstatus"] == 2 and again["jobresult"]["errorcode"] == 431
    assert "state Running" in again["jobresult"]["errortext"]
    status, body = api.root("recoverVirtualMachine", id=vm["id"])
    assert status == 431 and "state Running" in body["errortext"] and "Destroyed" in body["errortext"]
    failed = _job(api, api.root("expungeVirtualMachine", id=vm["id"]))
    assert failed["jobresult"]["errorcode"] == 431 and "state Running" in failed["jobresult"]["errortext"]


def test_a_failing_hypervisor_start_leaves_an_error_vm_and_releases_the_host(operator_api: OperatorApi,
                                                                            cloud: dict) -> None:
    api = operator_api
    api.server.registry.hypervisor("Simulator").faults.fail_next("start_vm", error="HostUnreachable")
    failed = _job(api, api.root("deployVirtualMachine", name="unlucky", **cloud))
    assert failed["jobstatus"] == 2, failed
    vm = api.root("listVirtualMachines", name="unlucky", listall="true")[1]["virtualmachine"][0]
    assert vm["state"] == "Error" and "hostid" not in vm
    assert _used(api, cloud["zoneid"]) == {0: 0, 1: 0}
    # the Error VM starts once the hypervisor works again
    started = _job(api, api.root("startVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]
    assert started["state"] == "Running"
    # a failing start of a stopped VM leaves it Stopped, with nothing reserved
    _job(api, api.root("stopVirtualMachine", id=vm["id"]))
    api.server.registry.hypervisor("Simulator").faults.fail_next("start_vm", error="HostUnreachable")
    assert _job(api, api.root("startVirtualMachine", id=vm["id"]))["jobstatus"] == 2
    assert _vm(api, vm["id"])["state"] == "Stopped" and _used(api, cloud["zoneid"]) == {0: 0, 1: 0}


def test_a_vm_too_large_for_every_host_fails_with_insufficient_capacity(operator_api: OperatorApi,
                                                                        cloud: dict) -> None:
    api = operator_api
    status, body = api.root("createServiceOffering", name="huge", displaytext="huge", cpunumber=4096,
                            cpuspeed=2400, memory=1024)
    assert status == 200, body
    failed = _job(api, api.root("deployVirtualMachine", **{**cloud, "serviceofferingid":
                                                           body["serviceoffering"]["id"]}))
    assert failed["jobresult"]["errorcode"] == 533
    assert "insufficient capacity" in failed["jobresult"]["errortext"]
    assert "demo-zone" in failed["jobresult"]["errortext"]
    assert _used(api, cloud["zoneid"]) == {0: 0, 1: 0}


def test_tenants_see_and_act_on_their_own_vms_only(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    alice, bob = api.user("alice"), api.user("bob")
    status, body = alice("deployVirtualMachine", name="alices", **cloud)
    assert status == 200, body
    api.server.jobs.wait(body["jobid"], timeout=20)
    vm_id = body["id"]
    mine = alice("listVirtualMachines")[1]["virtualmachine"]
    assert [vm["id"] for vm in mine] == [vm_id] and "hostid" not in mine[0] and "instancename" not in mine[0]
    assert bob("listVirtualMachines")[1].get("virtualmachine") is None
    status, body = bob("stopVirtualMachine", id=vm_id)
    assert status == 431 and vm_id in body["errortext"]
    status, body = bob("destroyVirtualMachine", id=vm_id)
    assert status == 431
    status, body = alice("recoverVirtualMachine", id=vm_id)
    assert status == 432  # a user may not recover: only administrators can
    assert _vm(api, vm_id)["state"] == "Running"


def test_two_stops_of_one_vm_release_its_host_once(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    small = next(host["id"] for host in api.root("listHosts")[1]["host"] if host["name"].endswith("host-small"))
    first, second = (_job(api, api.root("deployVirtualMachine", hostid=small, **cloud))["jobresult"]["virtualmachine"]
                     for _ in range(2))
    replies = [api.root("stopVirtualMachine", id=first["id"]) for _ in range(2)]
    results = [api.job_result(body["jobid"]) for _status, body in replies]
    assert sorted(result["jobstatus"] for result in results) == [1, 2]
    refused = next(result for result in results if result["jobstatus"] == 2)["jobresult"]
    assert refused["errorcode"] == 431 and "state Stopp" in refused["errortext"]
    assert _used(api, cloud["zoneid"]) == {0: 512 * 1024 * 1024, 1: 500}  # the second VM still holds its share
    assert _vm(api, second["id"])["state"] == "Running"


def test_a_forced_stop_marks_the_vm_stopped_when_the_host_fails(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _job(api, api.root("deployVirtualMachine", **cloud))["jobresult"]["virtualmachine"]
    api.server.registry.hypervisor("Simulator").faults.fail_next("stop_vm", error="HostUnreachable")
    failed = _job(api, api.root("stopVirtualMachine", id=vm["id"]))
    assert failed["jobstatus"] == 2 and _vm(api, vm["id"])["state"] == "Running"
    api.server.registry.hypervisor("Simulator").faults.fail_next("stop_vm", error="HostUnreachable")
    forced = _job(api, api.root("stopVirtualMachine", id=vm["id"], forced="true"))
    assert forced["jobresult"]["virtualmachine"]["state"] == "Stopped"
    assert _used(api, cloud["zoneid"]) == {0: 0, 1: 0}


def test_a_restarted_vm_goes_back_to_its_last_host(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    large = next(host["id"] for host in api.root("listHosts")[1]["host"] if host["name"].endswith("host-large"))
    vm = _job(api, api.root("deployVirtualMachine", hostid=large, **cloud))["jobresult"]["virtualmachine"]
    _job(api, api.root("stopVirtualMachine", id=vm["id"]))
    assert _job(api, api.root("startVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]["hostid"] == large
    _job(api, api.root("stopVirtualMachine", id=vm["id"]))
    assert api.root("updateHost", id=large, allocationstate="Disable")[0] == 200
    moved = _job(api, api.root("startVirtualMachine", id=vm["id"]))["jobresult"]["virtualmachine"]
    assert moved["state"] == "Running" and moved["hostid"] != large


def test_a_vm_name_must_be_a_host_name(operator_api: OperatorApi, cloud: dict) -> None:
    for bad in ("9lives", "-web", "web_1", "x" * 64):
        status, body = operator_api.root("deployVirtualMachine", name=bad, **cloud)
        assert status == 431 and body["errortext"].startswith("name: ") and bad in body["errortext"], body
    assert operator_api.root("listVirtualMachines", listall="true")[1].get("virtualmachine") is None


def test_list_filters_pages_and_detail_groups(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    ids = [_job(api, api.root("deployVirtualMachine", name=f"app-{n}", group="apps" if n < 2 else "db",
                              startvm="true" if n % 2 == 0 else "false", **cloud))["jobresult"]["virtualmachine"]["id"]
           for n in range(3)]

    def listed(**params) -> tuple[int, list[str]]:
        status, body = api.root("listVirtualMachines", listall="true", **params)
        assert status == 200, body
        return body.get("count", 0), [vm["name"] for vm in body.get("virtualmachine", [])]

    assert listed() == (3, ["app-2", "app-1", "app-0"])
    assert listed(state="Stopped") == (1, ["app-1"])
    assert listed(groupid="apps") == (2, ["app-1", "app-0"])
    assert listed(keyword="p-2") == (1, ["app-2"])
    assert listed(ids=f"{ids[0]},{ids[2]}") == (2, ["app-2", "app-0"])
    assert listed(page=2, pagesize=2) == (3, ["app-0"])
    assert listed(zoneid=cloud["zoneid"], templateid=cloud["templateid"])[0] == 3

    status, body = api.root("listVirtualMachines", id=ids[0], details="min")
    shown = body["virtualmachine"][0]
    assert "cpunumber" not in shown and "templateid" not in shown and shown["state"] == "Running"
    status, body = api.root("listVirtualMachines", id=ids[0], details="servoff,tmpl")
    assert {"cpunumber", "templateid"} <= set(body["virtualmachine"][0]) and "nic" not in body["virtualmachine"][0]
    status, body = api.root("listVirtualMachines", details="everything")
    assert status == 431 and body["errortext"].startswith("details: everything")

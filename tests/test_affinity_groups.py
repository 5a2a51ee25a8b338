"""Affinity groups through the API in process, on the demo zone's four simulator hosts (SQLite, then MariaDB):
the group commands, host anti-affinity at deploy, start and migration, updateVMAffinityGroup and tenancy."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.operator_api import OperatorApi, UserClient
from tests.test_vm_lifecycle import demo_cloud

HOSTS = 4  # the demo cluster's hosts


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _ok(reply: tuple[int, dict]) -> dict:
    status, body = reply
    assert status == 200, body
    return body


def _job(api: OperatorApi, command: str, **params: str) -> dict:
    return api.job_result(_ok(api.root(command, **params))["jobid"])


def _group(api: OperatorApi, name: str, **extra: str) -> dict:
    result = _job(api, "createAffinityGroup", name=name, type="host anti-affinity", **extra)
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["affinitygroup"]


def _deploy(api: OperatorApi, cloud: dict, name: str, **extra: str) -> dict:
    return _job(api, "deployVirtualMachine", name=name, **cloud, **extra)


def _vm(api: OperatorApi, vm_id: str) -> dict:
    return _ok(api.root("listVirtualMachines", id=vm_id, listall="true"))["virtualmachine"][0]


def test_the_one_type_is_host_anti_affinity(operator_api: OperatorApi) -> None:
    body = _ok(operator_api.root("listAffinityGroupTypes"))
    assert body["count"] == 1 and body["affinityGroupType"] == [{"type": "host anti-affinity"}]


def test_create_list_and_delete_a_group(operator_api: OperatorApi) -> None:
    api = operator_api
    group = _group(api, "web", description="front ends")
    assert (group["name"], group["type"], group["description"], group["account"]) == (
        "web", "host anti-affinity", "front ends", "admin")
    assert group["virtualmachineIds"] == []

    listed = _ok(api.root("listAffinityGroups", name="WEB"))
    assert listed["count"] == 1 and listed["affinitygroup"][0]["id"] == group["id"]
    assert _ok(api.root("listAffinityGroups", type="host anti-affinity"))["count"] == 1
    assert _ok(api.root("listAffinityGroups", keyword="we"))["count"] == 1
    assert _ok(api.root("listAffinityGroups", keyword="db")).get("count", 0) == 0

    status, body = api.root("createAffinityGroup", name="Web", type="host anti-affinity")
    assert status == 431 and "already has an affinity group named Web" in body["errortext"]
    status, body = api.root("createAffinityGroup", name="x", type="host affinity")
    assert status == 431 and "'host affinity' is not an affinity group type" in body["errortext"]
    assert "'host anti-affinity'" in body["errortext"]

    assert _job(api, "deleteAffinityGroup", name="web")["jobstatus"] == 1
    assert _ok(api.root("listAffinityGroups")).get("count", 0) == 0
    assert _group(api, "web")["id"] != group["id"]  # the name is free again


def test_delete_needs_exactly_one_of_id_and_name(operator_api: OperatorApi) -> None:
    group = _group(operator_api, "db")
    result = _job(operator_api, "deleteAffinityGroup", id=group["id"], name="db")
    assert result["jobstatus"] == 2 and "either id or name" in result["jobresult"]["errortext"]


def test_members_of_an_anti_affinity_group_land_on_distinct_hosts_and_one_more_is_refused(
        operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    group = _group(api, "spread")
    placed = []
    for index in range(HOSTS):
        result = _deploy(api, cloud, f"spread-{index}", affinitygroupids=group["id"])
        assert result["jobstatus"] == 1, result
        placed.append(result["jobresult"]["virtualmachine"])
    assert len({vm["hostid"] for vm in placed}) == HOSTS
    assert all(vm["affinitygroup"] == [{"id": group["id"], "name": "spread", "type": "host anti-affinity"}]
               for vm in placed)

    refused = _deploy(api, cloud, "spread-extra", affinitygroupnames="spread")
    assert refused["jobstatus"] == 2
    error = refused["jobresult"]
    assert error["errorcode"] == 533, error
    assert "insufficient capacity for affinity group(s) spread" in error["errortext"], error
    extra = _ok(api.root("listVirtualMachines", name="spread-extra", listall="true"))["virtualmachine"][0]
    assert extra["state"] == "Error" and "hostid" not in extra

    members = _ok(api.root("listAffinityGroups", id=group["id"]))["affinitygroup"][0]["virtualmachineIds"]
    assert set(members) == {vm["id"] for vm in placed} | {extra["id"]}
    by_group = _ok(api.root("listVirtualMachines", affinitygroupid=group["id"], listall="true"))
    assert by_group["count"] == HOSTS + 1
    assert _ok(api.root("listAffinityGroups", virtualmachineid=placed[0]["id"]))["affinitygroup"][0]["id"] == \
        group["id"]


def test_a_stopped_member_gives_its_host_back_and_a_started_one_avoids_the_others(
        operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    group = _group(api, "pair")
    first = _deploy(api, cloud, "pair-1", affinitygroupids=group["id"])["jobresult"]["virtualmachine"]
    second = _deploy(api, cloud, "pair-2", affinitygroupids=group["id"])["jobresult"]["virtualmachine"]
    assert first["hostid"] != second["hostid"]
    assert _job(api, "stopVirtualMachine", id=second["id"])["jobstatus"] == 1
    for _ in range(3):  # each start avoids the host of pair-1, whatever the planner would prefer
        started = _job(api, "startVirtualMachine", id=second["id"])["jobresult"]["virtualmachine"]
        assert started["hostid"] != first["hostid"]
        assert _job(api, "stopVirtualMachine", id=second["id"])["jobstatus"] == 1
    started = _job(api, "startVirtualMachine", id=second["id"], hostid=first["hostid"])
    assert started["jobstatus"] == 2 and started["jobresult"]["errorcode"] == 533
    assert "VM pair-1 of host anti-affinity group pair" in started["jobresult"]["errortext"]


def test_update_vm_affinity_group_needs_a_stopped_vm_and_replaces_its_groups(
        operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    first, second = _group(api, "first"), _group(api, "second")
    vm = _deploy(api, cloud, "mover", affinitygroupids=first["id"])["jobresult"]["virtualmachine"]

    running = _job(api, "updateVMAffinityGroup", id=vm["id"], affinitygroupids=second["id"])
    assert running["jobstatus"] == 2 and running["jobresult"]["errorcode"] == 431
    assert "it is in state Running, it must be Stopped" in running["jobresult"]["errortext"]

    assert _job(api, "stopVirtualMachine", id=vm["id"])["jobstatus"] == 1
    updated = _job(api, "updateVMAffinityGroup", id=vm["id"], affinitygroupnames="first,second")
    assert updated["jobstatus"] == 1, updated
    assert [group["name"] for group in updated["jobresult"]["virtualmachine"]["affinitygroup"]] == ["first", "second"]
    updated = _job(api, "updateVMAffinityGroup", id=vm["id"], affinitygroupids=second["id"])
    assert [group["name"] for group in _vm(api, vm["id"])["affinitygroup"]] == ["second"]
    assert _ok(api.root("listAffinityGroups", id=first["id"]))["affinitygroup"][0]["virtualmachineIds"] == []

    assert _job(api, "deleteAffinityGroup", id=second["id"])["jobstatus"] == 1
    assert _vm(api, vm["id"])["affinitygroup"] == []  # deleting a group takes its VMs out of it


def test_deploy_refuses_both_ids_and_names(operator_api: OperatorApi, cloud: dict) -> None:
    group = _group(operator_api, "both")
    status, body = operator_api.root("deployVirtualMachine", name="both-1", affinitygroupids=group["id"],
                                     affinitygroupnames="both", **cloud)
    assert status == 431 and "either affinitygroupids or affinitygroupnames" in body["errortext"]
    assert not _ok(operator_api.root("listVirtualMachines", name="both-1", listall="true")).get("virtualmachine")


def test_find_hosts_for_migration_marks_hosts_of_group_members_unsuitable(
        operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    group = _group(api, "migrating")
    vms = [_deploy(api, cloud, f"mig-{index}", affinitygroupids=group["id"])["jobresult"]["virtualmachine"]
           for index in range(2)]
    found = _ok(api.root("findHostsForMigration", virtualmachineid=vms[0]["id"]))["host"]
    suitable = {host["id"]: host["suitableformigration"] for host in found}
    assert suitable[vms[1]["hostid"]] is False
    assert sum(suitable.values()) == HOSTS - 2

    status, body = api.root("migrateVirtualMachine", virtualmachineid=vms[0]["id"], hostid=vms[1]["hostid"])
    result = api.job_result(body["jobid"]) if status == 200 else {"jobresult": body, "jobstatus": 2}
    assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 533
    assert "hostid: insufficient capacity" in result["jobresult"]["errortext"]
    assert "VM mig-1 of host anti-affinity group migrating" in result["jobresult"]["errortext"]
    assert _vm(api, vms[0]["id"])["hostid"] == vms[0]["hostid"]
    free = next(host_id for host_id, ok in suitable.items() if ok)
    assert _job(api, "migrateVirtualMachine", virtualmachineid=vms[0]["id"], hostid=free)["jobstatus"] == 1


def test_another_account_neither_sees_nor_uses_the_group(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    group = _group(api, "private")
    alice: UserClient = api.user("alice")
    assert _ok(alice("listAffinityGroups", listall="true")).get("count", 0) == 0
    status, body = alice("listAffinityGroups", id=group["id"])
    assert status == 431 and f"AffinityGroup {group['id']} does not exist" in body["errortext"]
    status, body = alice("deployVirtualMachine", name="alice-1", affinitygroupids=group["id"], **cloud)
    assert status == 431 and "affinitygroupids" in body["errortext"]
    status, body = alice("deployVirtualMachine", name="alice-1", affinitygroupnames="private", **cloud)
    assert status == 431 and "account alice has no affinity group named private" in body["errortext"]
    status, body = alice("deleteAffinityGroup", id=group["id"])
    assert status == 431

    own = alice("createAffinityGroup", name="private", type="host anti-affinity")  # names are per account
    assert own[0] == 200, own
    assert _ok(api.root("listAffinityGroups", listall="true"))["count"] == 2


def test_an_admin_cannot_put_another_accounts_vm_into_its_group(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    group = _group(api, "admins-only")
    api.user("bob")
    domain = _ok(api.root("listDomains"))["domain"][0]["id"]
    status, body = api.root("deployVirtualMachine", name="bob-1", account="bob", domainid=domain,
                            affinitygroupids=group["id"], **cloud)
    assert status == 431 and "does not belong to account bob" in body["errortext"]


def test_host_maintenance_moves_a_member_past_the_hosts_of_the_other_members(
        operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    group = _group(api, "evacuees")
    members = [_deploy(api, cloud, f"evac-{index}", affinitygroupids=group["id"])["jobresult"]["virtualmachine"]
               for index in range(HOSTS - 1)]
    hosts = {host["id"] for host in _ok(api.root("listHosts", type="Routing"))["host"]}
    (free,) = hosts - {vm["hostid"] for vm in members}
    for index in range(2):  # the free host now holds the most, so the planner would try it last
        assert _deploy(api, cloud, f"other-{index}", hostid=free)["jobstatus"] == 1

    result = _job(api, "prepareHostForMaintenance", id=members[0]["hostid"])

    assert result["jobstatus"] == 1 and result["jobresult"]["host"]["resourcestate"] == "Maintenance", result
    assert _vm(api, members[0]["id"])["hostid"] == free


def test_a_members_migration_target_is_avoided_while_it_moves(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    group = _group(api, "movers")
    moving, staying = (_deploy(api, cloud, f"movers-{index}", affinitygroupids=group["id"])["jobresult"][
        "virtualmachine"] for index in range(2))
    hosts = {host["id"] for host in _ok(api.root("listHosts", type="Routing"))["host"]}
    target, busy = sorted(hosts - {moving["hostid"], staying["hostid"]})
    for index in range(2):  # the busy host holds the most, so the planner would try the target before it
        assert _deploy(api, cloud, f"filler-{index}", hostid=busy)["jobstatus"] == 1
    simulator = api.server.registry.hypervisor("Simulator").unguarded
    simulator.faults.set_latency("migrate_vm", 3000)
    try:
        migration = _ok(api.root("migrateVirtualMachine", virtualmachineid=moving["id"], hostid=target))["jobid"]
        for _ in range(200):
            if _vm(api, moving["id"])["state"] == "Migrating":
                break
            time.sleep(0.02)
        assert _vm(api, moving["id"])["state"] == "Migrating"
        joined = _deploy(api, cloud, "movers-late", affinitygroupids=group["id"])
    finally:
        simulator.faults.clear()
    assert api.job_result(migration)["jobstatus"] == 1
    assert _vm(api, moving["id"])["hostid"] == target
    assert joined["jobstatus"] == 1 and joined["jobresult"]["virtualmachine"]["hostid"] == busy, joined

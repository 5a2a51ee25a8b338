"""Affinity groups through a real `cirro serve --demo` and the `cs` client (SQLite, then MariaDB): a host
anti-affinity group spreads its VMs over the demo zone's four hosts and refuses a fifth, a stopped VM changes
groups, and another account neither sees nor uses the group."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cs import CloudStack, CloudStackApiException

from tests.fixtures.server import RunningServer, _database_url, start_server

HOSTS = 4


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def cirro_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`cirro serve --demo`: a zone with four simulator hosts."""
    with _database_url(request, request.param) as db_url:
        server = start_server(tmp_path_factory.mktemp(f"affinity-{request.param}"), db_url, extra_args=("--demo",))
        yield server
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


def client(keys, **options) -> CloudStack:
    return CloudStack(endpoint=keys.endpoint, key=keys.api_key, secret=keys.secret_key, poll_interval=0.2,
                      timeout=60, **options)


@pytest.fixture(scope="module")
def admin(admin_keys) -> CloudStack:
    return client(admin_keys)


@pytest.fixture(scope="module")
def deploy_params(admin: CloudStack) -> dict[str, str]:
    zone = admin.listZones(fetch_list=True)[0]
    template = admin.listTemplates(templatefilter="featured", zoneid=zone["id"], fetch_list=True)[0]
    offering = next(offering for offering in admin.listServiceOfferings(fetch_list=True)
                    if offering["name"] == "Small Instance")
    return {"zoneid": zone["id"], "templateid": template["id"], "serviceofferingid": offering["id"]}


def api_error(raised: pytest.ExceptionInfo) -> dict:
    error = raised.value.error
    return error.get("jobresult", error) if isinstance(error, dict) else {}


def test_a_group_spreads_its_vms_over_the_hosts_and_refuses_one_more(admin: CloudStack, deploy_params: dict) -> None:
    assert [kind["type"] for kind in admin.listAffinityGroupTypes(fetch_list=True)] == ["host anti-affinity"]
    group = admin.createAffinityGroup(name="e2e-spread", type="host anti-affinity", description="one per host",
                                      fetch_result=True)["affinitygroup"]
    vms = [admin.deployVirtualMachine(name=f"e2e-spread-{index}", affinitygroupnames="e2e-spread", fetch_result=True,
                                      **deploy_params)["virtualmachine"] for index in range(HOSTS)]
    assert len({vm["hostid"] for vm in vms}) == HOSTS
    assert all(vm["affinitygroup"][0]["id"] == group["id"] for vm in vms)

    with pytest.raises(CloudStackApiException) as failed:
        admin.deployVirtualMachine(name="e2e-spread-extra", affinitygroupids=group["id"], fetch_result=True,
                                   **deploy_params)
    error = api_error(failed)
    assert error["errorcode"] == 533 and "affinity group(s) e2e-spread" in error["errortext"], error

    listed = admin.listAffinityGroups(name="e2e-spread", fetch_list=True)[0]
    assert len(listed["virtualmachineIds"]) == HOSTS + 1  # the refused VM is in Error, still a member
    members = admin.listVirtualMachines(affinitygroupid=group["id"], listall=True, fetch_list=True)
    assert {vm["name"] for vm in members} == {f"e2e-spread-{index}" for index in range(HOSTS)} | {"e2e-spread-extra"}

    # A stopped member leaves the group; then the extra VM's start finds a free host.
    admin.stopVirtualMachine(id=vms[0]["id"], fetch_result=True)
    moved = admin.updateVMAffinityGroup(id=vms[0]["id"], fetch_result=True)  # no groups given: none left
    assert moved["virtualmachine"]["affinitygroup"] == []
    admin.destroyVirtualMachine(id=vms[0]["id"], expunge=True, fetch_result=True)
    extra = next(vm for vm in members if vm["name"] == "e2e-spread-extra")
    started = admin.startVirtualMachine(id=extra["id"], fetch_result=True)["virtualmachine"]
    assert started["state"] == "Running" and started["hostid"] not in {vm["hostid"] for vm in vms[1:]}

    admin.deleteAffinityGroup(id=group["id"], fetch_result=True)
    assert not admin.listAffinityGroups(name="e2e-spread", fetch_list=True)
    assert admin.listVirtualMachines(id=started["id"], fetch_list=True)[0]["affinitygroup"] == []


def test_another_account_neither_sees_nor_uses_the_group(admin: CloudStack, admin_keys, deploy_params: dict) -> None:
    group = admin.createAffinityGroup(name="e2e-private", type="host anti-affinity",
                                      fetch_result=True)["affinitygroup"]
    account = admin.createAccount(accounttype=0, email="carol@example.org", firstname="Carol", lastname="Tester",
                                  username="carol", password="pw-123456")["account"]
    keys = admin.registerUserKeys(id=account["user"][0]["id"])["userkeys"]
    carol = CloudStack(endpoint=admin_keys.endpoint, key=keys["apikey"], secret=keys["secretkey"], poll_interval=0.2,
                       timeout=60)

    assert not carol.listAffinityGroups(listall=True, fetch_list=True)
    with pytest.raises(CloudStackApiException) as failed:
        carol.deployVirtualMachine(name="carol-1", affinitygroupids=group["id"], fetch_result=True, **deploy_params)
    assert api_error(failed)["errorcode"] == 431
    assert f"AffinityGroup {group['id']} does not exist" in api_error(failed)["errortext"]
    with pytest.raises(CloudStackApiException) as failed:
        carol.deleteAffinityGroup(id=group["id"], fetch_result=True)
    assert api_error(failed)["errorcode"] == 431
    assert admin.listAffinityGroups(id=group["id"], fetch_list=True)

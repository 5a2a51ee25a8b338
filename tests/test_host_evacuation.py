"""prepareHostForMaintenance moves the host's running VMs away, on the simulator demo zone (SQLite, then
MariaDB): live migration to other hosts of the cluster with room; VMs that cannot move leave the host in
ErrorInMaintenance with an alert naming them, or are stopped when the setting says so."""

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


def _hosts(api: OperatorApi) -> dict[str, dict]:
    return {host["name"].rsplit("/", 1)[-1]: host for host in api.root("listHosts", type="Routing")[1]["host"]}


def _vm(api: OperatorApi, vm_id: str) -> dict:
    return api.root("listVirtualMachines", id=vm_id, listall="true")[1]["virtualmachine"][0]


def _deploy_on(api: OperatorApi, cloud: dict, host: dict, name: str) -> dict:
    result = _job(api, "deployVirtualMachine", name=name, hostid=host["id"], **cloud)
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["virtualmachine"]


def _prepare(api: OperatorApi, host: dict) -> dict:
    result = _job(api, "prepareHostForMaintenance", id=host["id"])
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["host"]


def test_running_vms_are_live_migrated_to_other_hosts_of_the_cluster(operator_api: OperatorApi,
                                                                      cloud: dict) -> None:
    api = operator_api
    small = _hosts(api)["host-small"]
    vms = [_deploy_on(api, cloud, small, name) for name in ("mover-1", "mover-2")]
    stopped = _deploy_on(api, cloud, small, "sleeper")
    assert _job(api, "stopVirtualMachine", id=stopped["id"])["jobstatus"] == 1

    host = _prepare(api, small)

    assert host["resourcestate"] == "Maintenance"
    for vm in vms:
        moved = _vm(api, vm["id"])
        assert moved["state"] == "Running" and moved["hostid"] != small["id"]
    simulator: SimulatorHypervisor = api.server.registry.hypervisor("Simulator").unguarded
    assert simulator.host_free_memory_mb("http://sim/demo-cluster/host-small") == 16384  # nothing runs there
    assert _vm(api, stopped["id"])["state"] == "Stopped"
    migrations = api.root("listEvents", type="VM.MIGRATE", listall="true")[1]["event"]
    assert len(migrations) == 2 and all("from host sim/demo-cluster/host-small" in e["description"]
                                        for e in migrations)
    assert _job(api, "cancelHostMaintenance", id=small["id"])["jobresult"]["host"]["resourcestate"] == "Enabled"


def test_vms_without_live_migration_leave_the_host_in_error_in_maintenance(operator_api: OperatorApi, cloud: dict,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    api = operator_api
    small = _hosts(api)["host-small"]
    vm = _deploy_on(api, cloud, small, "stuck")
    monkeypatch.setattr(SimulatorHypervisor, "capabilities",
                        replace(SimulatorHypervisor.capabilities, live_migration=False))

    host = _prepare(api, small)

    assert host["resourcestate"] == "ErrorInMaintenance"
    assert _vm(api, vm["id"])["state"] == "Running" and _vm(api, vm["id"])["hostid"] == small["id"]
    alerts = api.root("listAlerts")[1]["alert"]
    text = next(alert["description"] for alert in alerts if "ErrorInMaintenance" in alert["description"])
    assert "host-small" in text
    events = api.root("listEvents", type="MAINT.PREPARE", listall="true")[1]["event"]
    error = next(event["description"] for event in events if event["level"] == "ERROR")
    assert f"stuck ({vm['id']}): hypervisor Simulator does not declare live_migration" in error

    # with the setting on, preparing again stops what cannot move and the host reaches Maintenance
    status, body = api.root("updateConfiguration", name="host.maintenance.stop.unmovable.vms", value="true")
    assert status == 200, body
    assert _prepare(api, small)["resourcestate"] == "Maintenance"
    assert _vm(api, vm["id"])["state"] == "Stopped"


def test_a_vm_no_other_host_has_room_for_stays_and_is_named(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    hosts = _hosts(api)
    vm = _deploy_on(api, cloud, hosts["host-small"], "homebound")
    for name in ("host-medium", "host-large", "host-xlarge"):
        status, body = api.root("updateHost", id=hosts[name]["id"], allocationstate="Disable")
        assert status == 200, body

    host = _prepare(api, hosts["host-small"])

    assert host["resourcestate"] == "ErrorInMaintenance"
    events = api.root("listEvents", type="MAINT.PREPARE", listall="true")[1]["event"]
    error = next(event["description"] for event in events if event["level"] == "ERROR")
    assert "homebound" in error and "no other host of its cluster is Up and Enabled" in error
    assert _vm(api, vm["id"])["state"] == "Running"

"""resetSSHKeyForVirtualMachine and resetPasswordForVirtualMachine on the simulator demo zone,
in-process on SQLite and MariaDB; deploy usage events reach listUsageRecords."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from cirrostack.db.models import VirtualMachine
from cirrostack.demo import build_demo_zone
from tests.fixtures.operator_api import OperatorApi


@pytest.fixture
def stopped_vm(operator_api: OperatorApi) -> dict:
    assert build_demo_zone(operator_api.server, announce=lambda _line: None) is not None
    zone = operator_api.root("listZones")[1]["zone"][0]["id"]
    template = operator_api.root("listTemplates", templatefilter="featured")[1]["template"][0]["id"]
    offerings = operator_api.root("listServiceOfferings")[1]["serviceoffering"]
    small = next(offering["id"] for offering in offerings if offering["name"] == "Small Instance")
    status, body = operator_api.root("deployVirtualMachine", zoneid=zone, templateid=template,
                                     serviceofferingid=small, startvm="false", name="keyed")
    assert status == 200, body
    return operator_api.job_result(body["jobid"])["jobresult"]["virtualmachine"]


def _run(api: OperatorApi, command: str, **params) -> dict:
    status, body = api.root(command, **params)
    submitted = body.get("resetSSHKeyforvirtualmachineresponse", body)
    assert status == 200 and "jobid" in submitted, body
    return api.job_result(submitted["jobid"])


def test_reset_ssh_key_needs_a_stopped_vm_and_an_existing_pair(operator_api: OperatorApi, stopped_vm: dict) -> None:
    assert operator_api.root("createSSHKeyPair", name="ops")[0] == 200
    result = _run(operator_api, "resetSSHKeyForVirtualMachine", id=stopped_vm["id"], keypair="ops")
    assert result["jobstatus"] == 1, result
    assert "password" not in result["jobresult"]["virtualmachine"], "the demo template is not password enabled"
    with operator_api.server.database.session() as session:
        vm = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == stopped_vm["id"])).one()
        assert vm.keypair_name == "ops"
    missing = _run(operator_api, "resetSSHKeyForVirtualMachine", id=stopped_vm["id"], keypair="nope")
    assert missing["jobstatus"] == 2 and "keypair" in missing["jobresult"]["errortext"]
    assert operator_api.job_result(operator_api.root("startVirtualMachine", id=stopped_vm["id"])[1]["jobid"])[
        "jobstatus"] == 1
    running = _run(operator_api, "resetSSHKeyForVirtualMachine", id=stopped_vm["id"], keypair="ops")
    assert running["jobstatus"] == 2 and "is Running" in running["jobresult"]["errortext"]


def test_reset_password_only_for_password_enabled_templates(operator_api: OperatorApi, stopped_vm: dict) -> None:
    refused = _run(operator_api, "resetPasswordForVirtualMachine", id=stopped_vm["id"])
    assert refused["jobstatus"] == 2 and "not password enabled" in refused["jobresult"]["errortext"]
    status, body = operator_api.root("updateTemplate", id=stopped_vm["templateid"], passwordenabled="true")
    assert status == 200, body
    result = _run(operator_api, "resetPasswordForVirtualMachine", id=stopped_vm["id"])
    password = result["jobresult"]["virtualmachine"]["password"]
    assert len(password) == 12
    with operator_api.server.database.session() as session:
        vm = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == stopped_vm["id"])).one()
        assert password not in vm.password_encrypted
        assert operator_api.server.secrets.decrypt(vm.password_encrypted) == password
    again = _run(operator_api, "resetPasswordForVirtualMachine", id=stopped_vm["id"])
    assert again["jobresult"]["virtualmachine"]["password"] != password


def test_a_deploy_is_metered_as_an_allocated_vm_and_a_volume(operator_api: OperatorApi, stopped_vm: dict) -> None:
    today = datetime.now(UTC).date().isoformat()
    assert operator_api.root("generateUsageRecords", startdate=today, enddate=today)[0] == 200
    status, body = operator_api.root("listUsageRecords", startdate=today, enddate=today)
    assert status == 200, body
    by_type = {}
    for row in body.get("usagerecord", []):
        by_type.setdefault(row["usagetype"], []).append(row)
    assert [row["virtualmachineid"] for row in by_type.get(2, [])] == [stopped_vm["id"]]
    assert 1 not in by_type, "the VM never ran"
    assert [row["size"] > 0 for row in by_type.get(6, [])] == [True]

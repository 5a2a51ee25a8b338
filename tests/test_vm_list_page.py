"""listVirtualMachines reads its page as plain joined rows: a listed VM must read exactly as the reply of the
call that made it, pages must be newest first with the total count, and a job's result must be stored with it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cirrostack.db.models.accounts import AsyncJob, JobStatus
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import _job, demo_cloud


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _without_iso(view: dict) -> dict:
    # attachIso's fields belong to the single-VM reply; a listed page does not carry them
    return {key: value for key, value in view.items() if not key.startswith("iso")}


def test_a_listed_vm_reads_as_the_reply_that_made_it(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    status, body = api.root("createServiceOffering", name="custom", displaytext="size chosen at deploy")
    assert status == 200, body
    custom = {**cloud, "serviceofferingid": body["serviceoffering"]["id"]}
    made = [
        _job(api, api.root("deployVirtualMachine", name="plain-1", group="web", **cloud)),
        _job(api, api.root("deployVirtualMachine", name="stopped-1", startvm="false", **cloud)),
        _job(api, api.root("deployVirtualMachine", name="custom-1", **custom, **{
            "details[0].cpuNumber": "2", "details[0].cpuSpeed": "1000", "details[0].memory": "1024"})),
    ]
    replies = {job["jobresult"]["virtualmachine"]["id"]: job["jobresult"]["virtualmachine"] for job in made}
    status, listed = api.root("listVirtualMachines", listall="true")
    assert status == 200 and listed["count"] == 3, listed
    for vm in listed["virtualmachine"]:
        assert _without_iso(vm) == _without_iso(replies[vm["id"]])
    by_name = {vm["name"]: vm for vm in listed["virtualmachine"]}
    assert by_name["custom-1"]["details"] == {"cpuNumber": "2", "cpuSpeed": "1000", "memory": "1024"}
    assert (by_name["plain-1"]["group"], by_name["plain-1"]["rootdevicetype"]) == ("web", "ROOT")
    assert "hostid" in by_name["plain-1"] and "hostid" not in by_name["stopped-1"]


def test_pages_come_newest_first_with_the_total_count(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    names = [f"vm-{number}" for number in range(5)]
    for name in names:
        _job(api, api.root("deployVirtualMachine", name=name, startvm="false", **cloud))
    pages = [api.root("listVirtualMachines", listall="true", page=str(page), pagesize="2")[1] for page in (1, 2, 3)]
    assert [page["count"] for page in pages] == [5, 5, 5]
    assert [[vm["name"] for vm in page["virtualmachine"]] for page in pages] == [
        ["vm-4", "vm-3"], ["vm-2", "vm-1"], ["vm-0"]]
    status, filtered = api.root("listVirtualMachines", listall="true", keyword="vm-3")
    assert status == 200 and filtered["count"] == 1 and filtered["virtualmachine"][0]["name"] == "vm-3"


def test_a_job_result_is_stored_with_the_work_of_the_job(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    status, body = api.root("deployVirtualMachine", name="stored-1", **cloud)
    assert status == 200, body
    result = api.job_result(body["jobid"])
    with api.server.database.session() as session:
        job = session.scalars(select(AsyncJob).where(AsyncJob.uuid == body["jobid"])).one()
        assert (job.status, job.result_code, job.instance_uuid) == (JobStatus.SUCCEEDED, 0, body["id"])
        assert json.loads(job.result)["virtualmachine"]["state"] == "Running"
    assert result["jobresult"]["virtualmachine"]["id"] == body["id"]

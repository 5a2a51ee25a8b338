"""updateVirtualMachine's ostypeid and isdynamicallyscalable, and what scaleVirtualMachine makes of the flag,
through the API on the simulator demo zone (SQLite, then MariaDB)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from cirrostack.db.models.templates import Template
from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _job(api: OperatorApi, command: str, **params: str) -> dict:
    status, body = api.root(command, **params)
    assert status == 200, body
    return api.job_result(body["jobid"])


def _deploy(api: OperatorApi, cloud: dict, name: str, **extra: str) -> dict:
    result = _job(api, "deployVirtualMachine", name=name, **{**cloud, **extra})
    assert result["jobstatus"] == 1, result
    return result["jobresult"]["virtualmachine"]


def _os_types(api: OperatorApi) -> list[dict]:
    return api.root("listOsTypes")[1]["ostype"]


def test_the_os_type_changes_only_while_the_vm_is_stopped(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    vm = _deploy(api, cloud, "os-change")
    other = next(os_type for os_type in _os_types(api) if os_type["id"] != vm["guestosid"])

    status, body = api.root("updateVirtualMachine", id=vm["id"], ostypeid=other["id"])
    assert status == 431 and body["errortext"].startswith("ostypeid:") and "Running" in body["errortext"], body

    assert _job(api, "stopVirtualMachine", id=vm["id"])["jobstatus"] == 1
    status, body = api.root("updateVirtualMachine", id=vm["id"], ostypeid=other["id"])
    assert status == 200 and body["virtualmachine"]["guestosid"] == other["id"], body
    listed = api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]
    assert listed["guestosid"] == other["id"]
    # the template keeps its own OS type
    template = api.root("listTemplates", templatefilter="featured", id=cloud["templateid"])[1]["template"][0]
    assert template["ostypeid"] != other["id"]
    status, body = api.root("updateVirtualMachine", id=vm["id"], ostypeid="not-an-os-type")
    assert status == 431 and "ostypeid" in body["errortext"]


def test_the_dynamic_scaling_flag_starts_as_the_templates_and_gates_live_scaling(operator_api: OperatorApi,
                                                                               cloud: dict) -> None:
    api = operator_api
    with api.server.database.session() as session:
        session.execute(update(Template).where(Template.uuid == cloud["templateid"])
                        .values(is_dynamically_scalable=False))
    status, body = api.root("updateConfiguration", name="enable.dynamic.scale.vm", value="true",
                            zoneid=cloud["zoneid"])
    assert status == 200, body
    offerings = api.root("listServiceOfferings")[1]["serviceoffering"]
    medium = next(offering["id"] for offering in offerings if offering["name"] == "Medium Instance")
    vm = _deploy(api, cloud, "rigid")
    assert vm["isdynamicallyscalable"] is False

    refused = _job(api, "scaleVirtualMachine", id=vm["id"], serviceofferingid=medium)
    assert refused["jobstatus"] == 2 and refused["jobresult"]["errorcode"] == 431, refused
    assert "not dynamically scalable" in refused["jobresult"]["errortext"] and "rigid" in \
        refused["jobresult"]["errortext"]

    status, body = api.root("updateVirtualMachine", id=vm["id"], isdynamicallyscalable="true")
    assert status == 200 and body["virtualmachine"]["isdynamicallyscalable"] is True, body
    scaled = _job(api, "scaleVirtualMachine", id=vm["id"], serviceofferingid=medium)
    assert scaled["jobstatus"] == 1, scaled
    assert scaled["jobresult"]["virtualmachine"]["serviceofferingname"] == "Medium Instance"


def test_a_vm_from_a_dynamically_scalable_template_is_scalable(operator_api: OperatorApi, cloud: dict) -> None:
    api = operator_api
    with api.server.database.session() as session:
        flag = session.scalars(select(Template.is_dynamically_scalable)
                               .where(Template.uuid == cloud["templateid"])).one()
    vm = _deploy(api, cloud, "flexible")
    assert flag is True and vm["isdynamicallyscalable"] is True
    status, body = api.root("updateVirtualMachine", id=vm["id"], isdynamicallyscalable="false")
    assert status == 200 and body["virtualmachine"]["isdynamicallyscalable"] is False
    assert api.root("listVirtualMachines", id=vm["id"])[1]["virtualmachine"][0]["isdynamicallyscalable"] is False

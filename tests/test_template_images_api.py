"""createTemplate and extractTemplate where the zone cannot do them, in-process on the simulator demo
zone (SQLite and MariaDB): the simulator does not declare `template_from_volume`, and the demo zone's
templates are direct downloads with no copy on an image store. The working paths run against a real
Samba share in plugins/hv_hyperv/tests/test_smb_templates.py."""

from __future__ import annotations

import pytest

from tests.fixtures.operator_api import OperatorApi
from tests.test_vm_lifecycle import demo_cloud


@pytest.fixture
def cloud(operator_api: OperatorApi) -> dict:
    return demo_cloud(operator_api)


def _job(api: OperatorApi, reply: tuple[int, dict]) -> dict:
    status, body = reply
    assert status == 200, body
    return api.job_result(body["jobid"])


def _stopped_vm_root_volume(api: OperatorApi, cloud: dict) -> str:
    vm = _job(api, api.root("deployVirtualMachine", **cloud))["jobresult"]["virtualmachine"]
    _job(api, api.root("stopVirtualMachine", id=vm["id"]))
    return api.root("listVolumes", virtualmachineid=vm["id"], type="ROOT", listall="true")[1]["volume"][0]["id"]


def test_create_template_is_refused_with_432_on_a_hypervisor_without_template_from_volume(
        operator_api: OperatorApi, cloud: dict) -> None:
    volume = _stopped_vm_root_volume(operator_api, cloud)
    os_type = operator_api.root("listOsTypes")[1]["ostype"][0]["id"]
    result = _job(operator_api, operator_api.root("createTemplate", volumeid=volume, name="t", displaytext="t",
                                                  ostypeid=os_type))
    assert result["jobstatus"] == 2 and result["jobresult"]["errorcode"] == 432, result
    assert "Simulator" in result["jobresult"]["errortext"]
    assert "template_from_volume" in result["jobresult"]["errortext"]
    listed = operator_api.root("listTemplates", templatefilter="self", name="t")[1]
    assert "template" not in listed, "nothing is recorded when the export cannot happen"


def test_create_template_from_a_snapshot_is_refused_naming_snapshotid(operator_api: OperatorApi,
                                                                     cloud: dict) -> None:
    os_type = operator_api.root("listOsTypes")[1]["ostype"][0]["id"]
    result = _job(operator_api, operator_api.root("createTemplate", snapshotid="x", name="t", displaytext="t",
                                                  ostypeid=os_type))
    assert result["jobresult"]["errorcode"] == 431 and "snapshotid" in result["jobresult"]["errortext"], result


def test_extract_needs_a_copy_on_an_image_store(operator_api: OperatorApi, cloud: dict) -> None:
    result = _job(operator_api, operator_api.root("extractTemplate", id=cloud["templateid"], mode="HTTP_DOWNLOAD",
                                                  zoneid=cloud["zoneid"]))
    error = result["jobresult"]
    assert error["errorcode"] == 431 and error["errortext"].startswith("zoneid:"), error
    assert "no copy on an image store" in error["errortext"]
    result = _job(operator_api, operator_api.root("extractTemplate", id=cloud["templateid"], mode="FTP_UPLOAD"))
    assert result["jobresult"]["errortext"].startswith("mode:"), result


def test_an_unknown_extract_token_is_refused(operator_api: OperatorApi) -> None:
    from cirrostack.api.http import api_app

    reply = api_app(operator_api.server).test_client().get("/client/extract/not-a-token")
    assert reply.status_code == 431 and "not valid" in reply.get_json()["errortext"]

"""createServiceOffering/updateServiceOffering/deleteServiceOffering and the disk offering commands,
through the API in-process (SQLite, then MariaDB)."""

from __future__ import annotations

from cirrostack.demo import build_demo_zone


def _create(operator_api, **params) -> dict:
    status, body = operator_api.root("createServiceOffering", **params)
    assert status == 200, body
    return body["serviceoffering"]


def _listed(operator_api, offering_id: str) -> list[dict]:
    status, body = operator_api.root("listServiceOfferings", id=offering_id)
    assert status in (200, 431), body
    return body.get("serviceoffering", [])


def test_fixed_offering_reports_its_values_and_attributes(operator_api):
    offering = _create(operator_api, name="Big", displaytext="4 x 2 GHz, 8 GB", cpunumber=4, cpuspeed=2000,
                       memory=8192, storagetype="LOCAL", tags="ssd, fast,", hosttags="gpu", offerha="true",
                       limitcpuuse="true", networkrate=100, bytesreadrate=1000, iopswriterate=50,
                       **{"serviceofferingdetails[0].key": "ImplicitDedicationMode",
                          "serviceofferingdetails[0].value": "Strict"})
    assert (offering["cpunumber"], offering["cpuspeed"], offering["memory"]) == (4, 2000, 8192)
    assert offering["iscustomized"] is False and offering["storagetype"] == "local"
    assert offering["tags"] == "ssd,fast" and offering["hosttags"] == "gpu"
    assert offering["offerha"] is True and offering["limitcpuuse"] is True and offering["networkrate"] == 100
    assert offering["diskBytesReadRate"] == 1000 and offering["diskIopsWriteRate"] == 50
    assert "diskBytesWriteRate" not in offering
    assert offering["serviceofferingdetails"] == {"ImplicitDedicationMode": "Strict"}
    assert _listed(operator_api, offering["id"])[0]["memory"] == 8192


def test_custom_offering_leaves_out_all_three_values_and_says_so(operator_api):
    offering = _create(operator_api, name="Custom", displaytext="pick your size")
    assert offering["iscustomized"] is True
    assert not {"cpunumber", "cpuspeed", "memory"} & set(offering)


def test_some_values_without_the_others_is_refused_with_cloudstacks_text(operator_api):
    status, body = operator_api.root("createServiceOffering", name="half", displaytext="half", cpunumber=2,
                                     memory=1024)
    assert status == 431
    assert "For creating a custom compute offering cpu, cpu speed and memory all should be null" in body["errortext"]
    assert body["errortext"].startswith("cpuspeed:")


def test_out_of_range_and_unknown_values_name_the_parameter(operator_api):
    cases = [({"memory": 16, "cpunumber": 1, "cpuspeed": 500}, "memory:"),
             ({"memory": 64, "cpunumber": 0, "cpuspeed": 500}, "cpunumber:"),
             ({"storagetype": "nfs"}, "storagetype:"),
             ({"systemvmtype": "domainrouter"}, "systemvmtype:"),
             ({"issystem": "true", "systemvmtype": "consoleproxy", "networkrate": 10}, "networkrate:")]
    for params, prefix in cases:
        status, body = operator_api.root("createServiceOffering", name="bad", displaytext="bad", **params)
        assert status == 431, (params, body)
        assert body["errortext"].startswith(prefix), (params, body["errortext"])


def test_system_offering_defaults_to_a_router_offering(operator_api):
    offering = _create(operator_api, name="router2", displaytext="r", cpunumber=1, cpuspeed=500, memory=256,
                       issystem="true")
    assert offering["issystem"] is True and offering["systemvmtype"] == "domainrouter"


def test_update_changes_name_text_and_order(operator_api):
    first = _create(operator_api, name="A", displaytext="a", cpunumber=1, cpuspeed=100, memory=64)
    status, body = operator_api.root("updateServiceOffering", id=first["id"], name="A2", displaytext="a two",
                                     sortkey=-5)
    assert status == 200, body
    assert (body["serviceoffering"]["name"], body["serviceoffering"]["displaytext"]) == ("A2", "a two")
    _status, listing = operator_api.root("listServiceOfferings")
    assert listing["serviceoffering"][0]["id"] == first["id"]


def test_deleted_offering_is_no_longer_listed_nor_loadable(operator_api):
    offering = _create(operator_api, name="gone", displaytext="gone", cpunumber=1, cpuspeed=100, memory=64)
    status, body = operator_api.root("deleteServiceOffering", id=offering["id"])
    assert (status, body) == (200, {"success": "true"})
    _status, listing = operator_api.root("listServiceOfferings")
    assert offering["id"] not in {row["id"] for row in listing["serviceoffering"]}
    status, body = operator_api.root("updateServiceOffering", id=offering["id"], name="back")
    assert status == 431 and "id" in body["errortext"]


def test_default_system_offering_cannot_be_deleted(operator_api):
    _status, body = operator_api.root("listServiceOfferings", issystem="true", systemvmtype="consoleproxy")
    system = body["serviceoffering"][0]
    status, body = operator_api.root("deleteServiceOffering", id=system["id"])
    assert status == 431 and "default service offerings cannot be deleted" in body["errortext"]


def test_offering_changes_are_root_admin_only(operator_api):
    user = operator_api.user("olga")
    status, _body = user("createServiceOffering", name="mine", displaytext="mine")
    assert status == 432


def test_offering_changes_leave_events(operator_api):
    offering = _create(operator_api, name="ev", displaytext="ev")
    operator_api.root("updateServiceOffering", id=offering["id"], name="ev2")
    operator_api.root("deleteServiceOffering", id=offering["id"])
    disk = operator_api.root("createDiskOffering", name="d", displaytext="d", disksize=3)[1]["diskoffering"]
    operator_api.root("updateDiskOffering", id=disk["id"], name="d2")
    operator_api.root("deleteDiskOffering", id=disk["id"])
    for event_type in ("SERVICE.OFFERING.CREATE", "SERVICE.OFFERING.EDIT", "SERVICE.OFFERING.DELETE",
                       "DISK.OFFERING.CREATE", "DISK.OFFERING.EDIT", "DISK.OFFERING.DELETE"):
        _status, body = operator_api.root("listEvents", type=event_type)
        assert body.get("count") == 1, event_type


def test_disk_offering_fixed_and_customized(operator_api):
    status, body = operator_api.root("createDiskOffering", name="Fifty", displaytext="50 GB", disksize=50,
                                     tags="fast", storagetype="local", iopsreadrate=500)
    assert status == 200, body
    fifty = body["diskoffering"]
    assert (fifty["disksize"], fifty["iscustomized"], fifty["tags"], fifty["storagetype"]) == (50, False, "fast",
                                                                                               "local")
    assert fifty["diskIopsReadRate"] == 500
    status, body = operator_api.root("createDiskOffering", name="Any", displaytext="any size", customized="true",
                                     customizediops="true")
    assert status == 200, body
    assert body["diskoffering"]["iscustomized"] is True and body["diskoffering"]["iscustomizediops"] is True
    status, body = operator_api.root("updateDiskOffering", id=fifty["id"], displayoffering="false")
    assert status == 200 and body["diskoffering"]["displayoffering"] is False
    user = operator_api.user("hidden")
    _status, body = user("listDiskOfferings")
    assert "Fifty" not in {row["name"] for row in body["diskoffering"]}


def test_disk_offering_sizes_are_checked(operator_api):
    cases = [({}, "disksize: Disksize is required for a non-customized disk offering"),
             ({"disksize": 0}, "disksize:"),
             ({"disksize": 5000}, "disksize: 5000 GB: The maximum size for a disk is 2000 Gb"),
             ({"disksize": 5, "customized": "true"}, "disksize:"),
             ({"disksize": 5, "miniops": 100, "maxiops": 10}, "miniops:"),
             ({"customized": "true", "customizediops": "true", "maxiops": 10}, "maxiops:")]
    for params, prefix in cases:
        status, body = operator_api.root("createDiskOffering", name="bad", displaytext="bad", **params)
        assert status == 431, (params, body)
        assert body["errortext"].startswith(prefix), (params, body["errortext"])


def test_a_deleted_disk_offering_stays_with_its_volumes(operator_api):
    assert build_demo_zone(operator_api.server, announce=lambda _line: None) is not None
    zone = operator_api.root("listZones")[1]["zone"][0]["id"]
    status, body = operator_api.root("createDiskOffering", name="Seven", displaytext="7 GB", disksize=7)
    assert status == 200, body
    offering = body["diskoffering"]["id"]
    status, body = operator_api.root("createVolume", name="data-7", zoneid=zone, diskofferingid=offering)
    assert status == 200, body
    operator_api.job_result(body["jobid"])
    assert operator_api.root("deleteDiskOffering", id=offering)[0] == 200
    volume = operator_api.root("listVolumes", name="data-7")[1]["volume"][0]
    assert (volume["diskofferingid"], volume["diskofferingname"]) == (offering, "Seven")
    status, body = operator_api.root("createVolume", name="data-8", zoneid=zone, diskofferingid=offering)
    assert status == 431 and "diskofferingid" in body["errortext"]

"""The largest page of list commands is the `default.page.size` setting, read per request."""

from __future__ import annotations


def _zones(api, count: int) -> None:
    for number in range(count):
        status, body = api.root("createZone", name=f"z{number}", networktype="Advanced", dns1="8.8.8.8",
                                internaldns1="10.0.0.2")
        assert status == 200, body


def test_pagesize_above_the_setting_is_refused_naming_pagesize_and_the_setting(operator_api) -> None:
    _zones(operator_api, 3)
    status, body = operator_api.root("listZones", page=1, pagesize=500)
    assert status == 200 and body["count"] == 3
    status, body = operator_api.root("updateConfiguration", name="default.page.size", value="2")
    assert status == 200, body
    status, body = operator_api.root("listZones", page=1, pagesize=3)
    assert status == 431, body
    assert body["errortext"] == "pagesize: 3 is larger than the maximum page size 2 (setting default.page.size)"
    status, body = operator_api.root("listZones", page=2, pagesize=2)
    assert status == 200 and body["count"] == 3 and len(body["zone"]) == 1


def test_without_paging_a_list_returns_the_first_default_page_size_rows(operator_api) -> None:
    _zones(operator_api, 3)
    assert len(operator_api.root("listZones")[1]["zone"]) == 3
    operator_api.root("updateConfiguration", name="default.page.size", value="2")
    status, body = operator_api.root("listZones")
    assert status == 200 and body["count"] == 3 and len(body["zone"]) == 2
    assert len(operator_api.root("listZones", pagesize=-1)[1]["zone"]) == 3


def test_resetting_the_setting_restores_cloudstacks_default_of_500(operator_api) -> None:
    operator_api.root("updateConfiguration", name="default.page.size", value="10")
    assert operator_api.root("listZones", page=1, pagesize=11)[0] == 431
    status, body = operator_api.root("updateConfiguration", name="default.page.size", value="")
    assert status == 200, body
    assert operator_api.root("listZones", page=1, pagesize=500)[0] == 200
    status, body = operator_api.root("listZones", page=1, pagesize=501)
    assert status == 431 and "maximum page size 500" in body["errortext"]


def test_a_page_size_that_is_not_a_positive_number_is_refused_by_updateconfiguration(operator_api) -> None:
    status, body = operator_api.root("updateConfiguration", name="default.page.size", value="0")
    assert status == 431 and "default.page.size" in body["errortext"]
    assert operator_api.root("listZones", page=1, pagesize=500)[0] == 200

"""resolve_compute and resolve_root_disk_size: the size a VM gets from a fixed or custom offering and
the request's details, checked against the min/max settings (SQLite, then MariaDB)."""

from __future__ import annotations

import pytest

from cirrostack.db.models import ServiceOffering, Template, TemplateZoneRef
from cirrostack.errors import InvalidParameter
from cirrostack.services.compute_offerings import ComputeSize, GiB, resolve_compute, resolve_root_disk_size


def _offering(operator_api, **params) -> str:
    status, body = operator_api.root("createServiceOffering", name="o", displaytext="o", **params)
    assert status == 200, body
    return body["serviceoffering"]["id"]


def _resolve(operator_api, offering_uuid: str, details, zone_id=None) -> ComputeSize:
    with operator_api.server.database.session() as session:
        offering = session.query(ServiceOffering).filter_by(uuid=offering_uuid).one()
        return resolve_compute(session, offering, details, zone_id=zone_id)


def _refused(operator_api, offering_uuid: str, details, zone_id=None) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        _resolve(operator_api, offering_uuid, details, zone_id)
    return caught.value


def test_fixed_offering_gives_its_own_values(operator_api):
    fixed = _offering(operator_api, cpunumber=2, cpuspeed=1500, memory=2048)
    assert _resolve(operator_api, fixed, None) == ComputeSize(2, 1500, 2048)
    assert _resolve(operator_api, fixed, [{"rootdisksize": "20"}]) == ComputeSize(2, 1500, 2048)


def test_fixed_offering_refuses_a_value_it_fixes(operator_api):
    fixed = _offering(operator_api, cpunumber=2, cpuspeed=1500, memory=2048)
    error = _refused(operator_api, fixed, [{"memory": "4096"}])
    assert error.param == "details[0].memory"
    assert f"The memory of this offering id:{fixed} is not customizable" in str(error)


def test_custom_offering_takes_the_values_from_details(operator_api):
    custom = _offering(operator_api)
    size = _resolve(operator_api, custom, [{"cpuNumber": "3", "cpuSpeed": "1200", "memory": "3072"}])
    assert size == ComputeSize(3, 1200, 3072)
    assert size.as_details() == {"cpuNumber": "3", "cpuSpeed": "1200", "memory": "3072"}


def test_custom_offering_without_details_is_refused_with_cloudstacks_text(operator_api):
    custom = _offering(operator_api)
    error = _refused(operator_api, custom, None)
    assert error.param == "details"
    assert "Need to specify custom parameter values cpu, cpu speed and memory" in str(error)


@pytest.mark.parametrize("missing", ["cpuNumber", "cpuSpeed", "memory"])
def test_each_missing_custom_value_is_named(operator_api, missing):
    custom = _offering(operator_api)
    details = {"cpuNumber": "2", "cpuSpeed": "1000", "memory": "1024"}
    del details[missing]
    error = _refused(operator_api, custom, [details])
    assert error.param == f"details[0].{missing}" and str(error).startswith(f"details[0].{missing}: is required")


def test_values_outside_the_settings_name_the_key_and_the_bounds(operator_api):
    custom = _offering(operator_api)
    for key, value in (("vm.serviceoffering.cpu.cores.max", 8), ("vm.serviceoffering.ram.size.min", 256)):
        status, body = operator_api.root("updateConfiguration", name=key, value=value)
        assert status == 200, body
    error = _refused(operator_api, custom, [{"cpuNumber": "9", "cpuSpeed": "1000", "memory": "1024"}])
    assert str(error) == ("details[0].cpuNumber: 9 is out of range: the cpu cores must be between 1 and 8 (settings "
                          "vm.serviceoffering.cpu.cores.min and vm.serviceoffering.cpu.cores.max)")
    error = _refused(operator_api, custom, [{"cpuNumber": "8", "cpuSpeed": "1000", "memory": "128"}])
    assert error.param == "details[0].memory" and "between 256 and 2147483647" in str(error)
    error = _refused(operator_api, custom, [{"cpuNumber": "two", "cpuSpeed": "1000", "memory": "512"}])
    assert error.param == "details[0].cpuNumber" and "'two'" in str(error)
    assert _resolve(operator_api, custom, [{"cpuNumber": "8", "cpuSpeed": "1", "memory": "256"}]) == \
        ComputeSize(8, 1, 256)


def test_a_zone_can_have_its_own_bounds(operator_api):
    custom = _offering(operator_api)
    status, body = operator_api.root("createZone", name="z", networktype="Advanced", dns1="8.8.8.8",
                                     internaldns1="10.0.0.2")
    assert status == 200, body
    zone_uuid = body["zone"]["id"]
    status, body = operator_api.root("updateConfiguration", name="vm.serviceoffering.cpu.speed.max", value=2000,
                                     zoneid=zone_uuid)
    assert status == 200, body
    from cirrostack.db.models import Zone

    with operator_api.server.database.session() as session:
        zone_id = session.query(Zone).filter_by(uuid=zone_uuid).one().id
    wanted = [{"cpuNumber": "1", "cpuSpeed": "2500", "memory": "512"}]
    assert _resolve(operator_api, custom, wanted).cpu_speed_mhz == 2500
    error = _refused(operator_api, custom, wanted, zone_id=zone_id)
    assert error.param == "details[0].cpuSpeed" and "between 1 and 2000" in str(error)


def test_root_disk_size_from_either_spelling_in_bytes():
    assert resolve_root_disk_size({}, None) is None
    assert resolve_root_disk_size({"rootdisksize": 20}, None) == 20 * GiB
    assert resolve_root_disk_size({"details": [{"rootdisksize": "30"}]}, None) == 30 * GiB
    assert resolve_root_disk_size({"rootdisksize": 30, "details": [{"rootdisksize": "30"}]}, None) == 30 * GiB
    with pytest.raises(InvalidParameter, match="disagree"):
        resolve_root_disk_size({"rootdisksize": 20, "details": [{"rootdisksize": "30"}]}, None)
    with pytest.raises(InvalidParameter) as caught:
        resolve_root_disk_size({"details": [{"rootdisksize": "0"}]}, None)
    assert caught.value.param == "details[0].rootdisksize"


def test_root_disk_size_cannot_be_smaller_than_the_template():
    template = Template(name="centos", display_text="c", format="QCOW2", account_id=1)
    template.zone_refs = [TemplateZoneRef(zone_id=1, size_bytes=10 * GiB), TemplateZoneRef(zone_id=2, size_bytes=GiB)]
    with pytest.raises(InvalidParameter) as caught:
        resolve_root_disk_size({"rootdisksize": 5}, template)
    assert str(caught.value) == ("rootdisksize: 5 GiB is smaller than template centos's 10 GiB; the root disk cannot "
                                 "shrink the image")
    assert resolve_root_disk_size({"rootdisksize": 5}, template, zone_id=2) == 5 * GiB

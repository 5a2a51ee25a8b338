"""Usage metering on the real `cirro serve --demo`, driven by an unmodified `cs` client (SQLite, then MariaDB).

A VM deployed from a custom offering with a custom ROOT disk size is scaled live to new custom values;
generateUsageRecords and listUsageRecords then show the old values for the period before the scale, the new
values after it, and the ROOT volume charged at the custom size in bytes. Also: oversized user data on a
deploy is refused with 431 naming userdata.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from cs import CloudStack, CloudStackApiException

from cirrostack.services.templates import SIMULATOR_TEMPLATE_NAME
from cirrostack.services.userdata import MAX_POST_LENGTH
from tests.fixtures.server import RunningServer, _database_url, start_server

GIB = 2**30
RUNNING_VM, ALLOCATED_VM, VOLUME = 1, 2, 6
OLD = {"cpuNumber": "1", "cpuSpeed": "1000", "memory": "1024"}
NEW = {"cpuNumber": "2", "cpuSpeed": "1200", "memory": "2048"}


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def cirro_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with _database_url(request, request.param) as db_url:
        server = start_server(tmp_path_factory.mktemp(f"usage-{request.param}"), db_url, extra_args=("--demo",))
        yield server
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


def admin(keys, method: str = "get") -> CloudStack:
    return CloudStack(endpoint=keys.endpoint, key=keys.api_key, secret=keys.secret_key, method=method,
                      poll_interval=0.2, timeout=60)


def demo_ids(client: CloudStack) -> tuple[str, str]:
    zone = client.listZones(fetch_list=True)[0]
    template = client.listTemplates(templatefilter="featured", zoneid=zone["id"], fetch_list=True)[0]
    assert template["name"] == SIMULATOR_TEMPLATE_NAME
    return zone["id"], template["id"]


def custom_offering(client: CloudStack, name: str) -> str:
    offering = client.createServiceOffering(name=name, displaytext="Custom: size chosen at deploy")["serviceoffering"]
    assert offering["iscustomized"] is True
    return offering["id"]


def sizes(details: dict[str, str]) -> tuple[int, int, int]:
    return int(details["cpuNumber"]), int(details["cpuSpeed"]), int(details["memory"])


def test_usage_records_show_the_values_before_and_after_a_live_scale_and_the_custom_root_size(admin_keys):
    client = admin(admin_keys)
    zone_id, template_id = demo_ids(client)
    offering = custom_offering(client, "usage-custom")
    template_bytes = int(client.listTemplates(templatefilter="featured", id=template_id, fetch_list=True)[0]["size"])
    root_gib = template_bytes // GIB + 3  # larger than the template, so the size is really the custom one

    # enabled before the start: a VM started without it has its starting size as the most it can scale to
    client.updateConfiguration(name="enable.dynamic.scale.vm", value="true", zoneid=zone_id)
    vm = client.deployVirtualMachine(zoneid=zone_id, templateid=template_id, serviceofferingid=offering,
                                     name="usage-vm", rootdisksize=root_gib, details=[OLD],
                                     fetch_result=True)["virtualmachine"]
    assert (vm["state"], vm["cpunumber"], vm["cpuspeed"], vm["memory"]) == ("Running", *sizes(OLD))
    root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", listall=True, fetch_list=True)
    assert [volume["size"] for volume in root] == [root_gib * GIB]

    time.sleep(1.1)  # MariaDB keeps whole seconds: the period before the scale must not be empty
    client.scaleVirtualMachine(id=vm["id"], serviceofferingid=offering, details=[NEW], fetch_result=True)
    listed = client.listVirtualMachines(id=vm["id"], listall=True, fetch_list=True)[0]
    assert (listed["state"], listed["cpunumber"], listed["cpuspeed"], listed["memory"]) == ("Running", *sizes(NEW))
    time.sleep(1.1)  # and neither must the period after it

    today = datetime.now(UTC).date()
    window = {"startdate": str(today - timedelta(days=1)), "enddate": str(today + timedelta(days=1))}
    assert client.generateUsageRecords(**window)["success"] in (True, "true")

    for usage_type in (RUNNING_VM, ALLOCATED_VM):
        records = [row for row in client.listUsageRecords(type=usage_type, **window, fetch_list=True)
                   if row.get("virtualmachineid") == vm["id"]]
        records.sort(key=lambda row: row["startdate"])
        periods = [(row["cpunumber"], row["cpuspeed"], row["memory"]) for row in records]
        # a period may be cut at midnight UTC into two records with the same values
        assert list(dict.fromkeys(periods)) == [sizes(OLD), sizes(NEW)], (usage_type, records)
        last_old = max(row["enddate"] for row in records if row["cpunumber"] == int(OLD["cpuNumber"]))
        first_new = min(row["startdate"] for row in records if row["cpunumber"] == int(NEW["cpuNumber"]))
        assert last_old <= first_new
        assert all(row["offeringid"] == offering and float(row["rawusage"]) > 0 for row in records)

    volume_records = [row for row in client.listUsageRecords(type=VOLUME, **window, fetch_list=True)
                      if row.get("usageid") == root[0]["id"]]
    assert volume_records, "no usage record for the ROOT volume"
    assert {row["size"] for row in volume_records} == {root_gib * GIB}

    client.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_oversized_userdata_on_deploy_is_refused_naming_userdata(admin_keys):
    client = admin(admin_keys, method="post")  # the size that POST allows, so the limit is what refuses it
    zone_id, template_id = demo_ids(client)
    small = next(row["id"] for row in client.listServiceOfferings(fetch_list=True) if not row.get("iscustomized"))
    with pytest.raises(CloudStackApiException) as refused:
        client.deployVirtualMachine(zoneid=zone_id, templateid=template_id, serviceofferingid=small, name="oversized",
                                    userdata="A" * MAX_POST_LENGTH, fetch_result=True)
    error = refused.value.error
    error = error.get("jobresult", error)
    assert error["errorcode"] == 431 and "userdata" in error["errortext"], error
    assert str(MAX_POST_LENGTH) in error["errortext"]
    assert "oversized" not in {row["name"] for row in client.listVirtualMachines(listall=True, fetch_list=True)}

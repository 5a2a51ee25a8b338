"""VMs and volumes on the real `cirro serve --demo`, driven by unmodified `cs` and Libcloud clients.

Libcloud: create_node, reboot_node, its volume calls, destroy_node. cs: the life cycle of a VM
from a normal offering (start, stop, reboot, change of offering, a data volume attached and detached,
destroy, expunge) and from a custom offering (the values given in details[0] are the VM's; a deploy
without details[0].cpuNumber is refused with 431 naming it; live scaling within the size the VM started
with, and a larger size while stopped). SQLite, then MariaDB.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cs import CloudStack, CloudStackApiException
from libcloud.compute.drivers.cloudstack import CloudStackNodeDriver
from libcloud.compute.types import NodeState

from cirrostack.services.templates import SIMULATOR_TEMPLATE_NAME
from tests.fixtures.server import RunningServer, _database_url, start_server

GIB = 2**30


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def cirro_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with _database_url(request, request.param) as db_url:
        server = start_server(tmp_path_factory.mktemp(f"compute-{request.param}"), db_url, extra_args=("--demo",))
        yield server
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


def admin(keys) -> CloudStack:
    return CloudStack(endpoint=keys.endpoint, key=keys.api_key, secret=keys.secret_key, poll_interval=0.2,
                      timeout=60)


def libcloud(keys) -> CloudStackNodeDriver:
    return CloudStackNodeDriver(keys.api_key, keys.secret_key, url=keys.endpoint, secure=False)


def demo_ids(client: CloudStack) -> tuple[str, str]:
    zone = client.listZones(fetch_list=True)[0]
    template = client.listTemplates(templatefilter="featured", zoneid=zone["id"], fetch_list=True)[0]
    assert template["name"] == SIMULATOR_TEMPLATE_NAME
    return zone["id"], template["id"]


def offering_id(client: CloudStack, name: str) -> str:
    return next(row["id"] for row in client.listServiceOfferings(fetch_list=True) if row["name"] == name)


def vm_of(client: CloudStack, vm_id: str) -> dict:
    found = client.listVirtualMachines(id=vm_id, listall=True, fetch_list=True)
    assert len(found) == 1, found
    return found[0]


def api_error(raised: pytest.ExceptionInfo) -> dict:
    error = raised.value.error
    return error.get("jobresult", error) if isinstance(error, dict) else {}


def test_libcloud_creates_lists_reboots_and_destroys_a_node_with_a_data_volume(admin_keys):
    driver = libcloud(admin_keys)
    image = next(image for image in driver.list_images() if image.name == SIMULATOR_TEMPLATE_NAME)
    size = next(size for size in driver.list_sizes() if size.name == "Small Instance")
    location = driver.list_locations()[0]

    node = driver.create_node(name="libcloud-node", size=size, image=image, location=location, ex_start_vm=True)
    assert (node.name, node.state) == ("libcloud-node", NodeState.RUNNING)
    client = admin(admin_keys)
    assert driver.reboot_node(node) is True
    assert (vm_of(client, node.id)["name"], vm_of(client, node.id)["state"]) == ("libcloud-node", "Running")

    volume = driver.create_volume(size=5, name="libcloud-data", location=location)
    assert driver.attach_volume(node, volume) is True
    attached = {v.id: v for v in driver.list_volumes(node=node)}
    assert volume.id in attached and len(attached) == 2  # the ROOT volume and the data volume
    assert driver.detach_volume(volume) is True
    assert volume.id not in {v.id for v in driver.list_volumes(node=node)}
    assert driver.destroy_volume(volume) is True
    assert volume.id not in {v.id for v in driver.list_volumes()}

    assert driver.destroy_node(node) is True
    assert vm_of(client, node.id)["state"] == "Destroyed"


def test_cs_life_cycle_of_a_vm_from_a_normal_offering(admin_keys):
    client = admin(admin_keys)
    zone_id, template_id = demo_ids(client)
    small, medium = offering_id(client, "Small Instance"), offering_id(client, "Medium Instance")
    vm = client.deployVirtualMachine(zoneid=zone_id, templateid=template_id, serviceofferingid=small,
                                     name="cs-normal", fetch_result=True)["virtualmachine"]
    assert (vm["state"], vm["cpunumber"], vm["cpuspeed"], vm["memory"]) == ("Running", 1, 500, 512)
    assert (vm["serviceofferingid"], vm["templateid"], vm["zoneid"]) == (small, template_id, zone_id)
    assert vm["hostid"] and vm["hostname"]

    assert client.stopVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Stopped"
    assert client.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Running"
    assert client.rebootVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Running"

    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    changed = client.changeServiceForVirtualMachine(id=vm["id"], serviceofferingid=medium)["virtualmachine"]
    assert (changed["serviceofferingid"], changed["cpuspeed"], changed["memory"]) == (medium, 1000, 1024)
    assert client.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Running"

    disk = next(row["id"] for row in client.listDiskOfferings(fetch_list=True) if row["name"] == "Small")
    volume = client.createVolume(name="cs-data", zoneid=zone_id, diskofferingid=disk, fetch_result=True)["volume"]
    assert volume["size"] == 5 * GIB
    attached = client.attachVolume(id=volume["id"], virtualmachineid=vm["id"], fetch_result=True)["volume"]
    assert attached["virtualmachineid"] == vm["id"]
    types = {row["type"] for row in client.listVolumes(virtualmachineid=vm["id"], fetch_list=True)}
    assert types == {"ROOT", "DATADISK"}
    detached = client.detachVolume(id=volume["id"], fetch_result=True)["volume"]
    assert not detached.get("virtualmachineid")
    assert client.deleteVolume(id=volume["id"])["success"] in (True, "true")

    assert client.destroyVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Destroyed"
    client.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    assert vm["id"] not in {row["id"] for row in client.listVirtualMachines(listall=True, fetch_list=True)}


def test_cs_custom_offering_needs_details_and_the_vm_has_the_values_given(admin_keys):
    client = admin(admin_keys)
    zone_id, template_id = demo_ids(client)
    custom = client.createServiceOffering(name="cs-custom", displaytext="Custom: size chosen at deploy")
    custom = custom["serviceoffering"]
    assert custom["iscustomized"] is True

    with pytest.raises(CloudStackApiException) as refused:
        client.deployVirtualMachine(zoneid=zone_id, templateid=template_id, serviceofferingid=custom["id"],
                                    details=[{"cpuSpeed": "1200", "memory": "1536"}], fetch_result=True)
    error = api_error(refused)
    assert error["errorcode"] == 431 and "details[0].cpuNumber" in error["errortext"]

    vm = client.deployVirtualMachine(zoneid=zone_id, templateid=template_id, serviceofferingid=custom["id"],
                                     name="cs-custom-vm", fetch_result=True,
                                     details=[{"cpuNumber": "2", "cpuSpeed": "1200", "memory": "1536"}])
    vm = vm["virtualmachine"]
    assert (vm["state"], vm["cpunumber"], vm["cpuspeed"], vm["memory"]) == ("Running", 2, 1200, 1536)
    listed = vm_of(client, vm["id"])
    assert (listed["cpunumber"], listed["cpuspeed"], listed["memory"], listed["serviceofferingid"]) == (
        2, 1200, 1536, custom["id"])

    client.updateConfiguration(name="enable.dynamic.scale.vm", value="true", zoneid=zone_id)
    scaled = client.scaleVirtualMachine(id=vm["id"], serviceofferingid=custom["id"], fetch_result=True,
                                        details=[{"cpuNumber": "2", "cpuSpeed": "1400", "memory": "1536"}])
    assert scaled.get("success") in (True, "true", None)
    listed = vm_of(client, vm["id"])
    assert (listed["state"], listed["cpunumber"], listed["cpuspeed"], listed["memory"]) == ("Running", 2, 1400, 1536)

    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    changed = client.changeServiceForVirtualMachine(id=vm["id"], serviceofferingid=custom["id"],
                                                    details=[{"cpuNumber": "3", "cpuSpeed": "1000", "memory": "2048"}])
    assert (changed["virtualmachine"]["cpunumber"], changed["virtualmachine"]["memory"]) == (3, 2048)
    started = client.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert (started["state"], started["cpunumber"], started["cpuspeed"], started["memory"]) == (
        "Running", 3, 1000, 2048)

    client.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
    assert vm["id"] not in {row["id"] for row in client.listVirtualMachines(listall=True, fetch_list=True)}

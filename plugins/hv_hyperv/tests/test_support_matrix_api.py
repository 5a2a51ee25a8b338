"""Each row of Hyper-V's 4.3 support matrix that has an API is refused with 432 by the core, naming
Hyper-V and the feature, before any call reaches a Hyper-V host (the simulator's log stays as it was)."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException
from hyperv_cloud import Cloud, api_error, deploy


def refused(cloud: Cloud, command: str, **params) -> str:
    """The errortext of `command`, which must fail with 432 without any cmdlet reaching a host."""
    before = len(cloud.estate.world.log)
    with pytest.raises(CloudStackApiException) as failed:
        getattr(cloud.client, command)(fetch_result=True, **params)
    error = api_error(failed)
    assert error["errorcode"] == 432, error
    assert len(cloud.estate.world.log) == before, cloud.estate.world.log[before:]
    return error["errortext"]


@pytest.fixture(scope="module")
def running_vm(cloud: Cloud) -> dict:
    return deploy(cloud, name="hv-matrix")


def test_vm_snapshots(cloud: Cloud, running_vm: dict) -> None:
    text = refused(cloud, "createVMSnapshot", virtualmachineid=running_vm["id"])
    assert "Hyperv" in text and "vm_snapshots" in text


def test_scaling_a_running_vm(cloud: Cloud, running_vm: dict) -> None:
    text = refused(cloud, "scaleVirtualMachine", id=running_vm["id"], serviceofferingid=cloud.medium)
    assert "Hyperv" in text and "scale_running_vm" in text


def test_ha_of_guest_vms(cloud: Cloud) -> None:
    offering = cloud.client.createServiceOffering(name="ha-small", displaytext="HA", cpunumber=1, cpuspeed=500,
                                                  memory=512, offerha=True)["serviceoffering"]
    text = refused(cloud, "deployVirtualMachine", zoneid=cloud.zone["id"], templateid=cloud.template["id"],
                   serviceofferingid=offering["id"], name="hv-ha")
    assert text.startswith("HA of guest VMs (service offering ha-small offers HA) is not supported on hypervisor "
                           "Hyperv"), text
    assert not cloud.client.listVirtualMachines(name="hv-ha", listall=True, fetch_list=True)


def test_zone_wide_primary_storage(cloud: Cloud) -> None:
    text = refused(cloud, "createStoragePool", zoneid=cloud.zone["id"], scope="zone", hypervisor="Hyperv",
                   name="zone-wide", url="cifs://fs01/zonewide",
                   details=[{"user": "smbuser", "password": "x", "domain": "CLOUD"}])
    assert "Hyperv" in text and "zone_wide_primary_storage" in text


def test_mixed_hypervisor_zone_refuses_another_type_next_to_hyper_v(cloud: Cloud) -> None:
    text = refused(cloud, "addCluster", zoneid=cloud.zone["id"], podid=cloud.pod["id"], clustername="sim-next-door",
                   clustertype="CloudManaged", hypervisor="Simulator")
    assert text.startswith("A mixed hypervisor zone is not supported on hypervisor Hyperv"), text


def test_mixed_hypervisor_zone_refuses_hyper_v_next_to_another_type(cloud: Cloud) -> None:
    client = cloud.client
    zone = client.createZone(name="sim-zone", networktype="Advanced", dns1="8.8.8.8", internaldns1="10.0.0.2")["zone"]
    pod = client.createPod(zoneid=zone["id"], name="sim-pod", gateway="172.17.0.1", netmask="255.255.255.0",
                           startip="172.17.0.10", endip="172.17.0.200")["pod"]
    client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="sim", clustertype="CloudManaged",
                      hypervisor="Simulator")
    text = refused(cloud, "addCluster", zoneid=zone["id"], podid=pod["id"], clustername="hv-next-door",
                   clustertype="CloudManaged", hypervisor="Hyperv")
    assert "mixed hypervisor zone is not supported on hypervisor Hyperv" in text and "sim-zone" in text


def test_object_store(cloud: Cloud) -> None:
    text = refused(cloud, "addImageStore", provider="S3", name="objects", zoneid=cloud.zone["id"],
                   details=[{"key": "accesskey", "value": "AKIA"}])
    assert text.startswith("An object store (S3 image store) is not supported on hypervisor Hyperv"), text

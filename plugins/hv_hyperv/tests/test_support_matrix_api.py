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


# -- rows checked when a guest network is created in a zone with Hyper-V clusters ---------------------------------


@pytest.fixture(scope="module")
def guest_physical_network(cloud: Cloud) -> dict:
    """A physical network carrying Guest traffic in the Hyper-V zone, as the zone wizard adds it."""
    client = cloud.client
    physical = client.createPhysicalNetwork(zoneid=cloud.zone["id"], name="hv-physical", isolationmethods="VLAN",
                                            vlan="300-309", fetch_result=True)["physicalnetwork"]
    client.addTrafficType(physicalnetworkid=physical["id"], traffictype="Guest", hypervnetworklabel="vSwitch",
                          fetch_result=True)
    return physical


def _offering(cloud: Cloud, name: str, **extra: str) -> dict:
    """An enabled isolated offering served by the virtual router."""
    services = ("Dhcp", "Dns", "SourceNat")
    providers = {f"serviceproviderlist[{n}].{key}": value for n, service in enumerate(services)
                 for key, value in (("service", service), ("provider", "VirtualRouter"))}
    offering = cloud.client.createNetworkOffering(name=name, displaytext=name, traffictype="Guest",
                                                  guestiptype="Isolated", supportedservices=",".join(services),
                                                  **providers, **extra)["networkoffering"]
    cloud.client.updateNetworkOffering(id=offering["id"], state="Enabled")
    return offering


def _default_offering(cloud: Cloud) -> dict:
    return cloud.client.listNetworkOfferings(name="DefaultIsolatedNetworkOfferingWithSourceNatService",
                                             fetch_list=True)[0]


def _network_refused(cloud: Cloud, name: str, offering: dict, **extra: str) -> str:
    text = refused(cloud, "createNetwork", zoneid=cloud.zone["id"], name=name, displaytext=name,
                   networkofferingid=offering["id"], **extra)
    kept = [network for network in cloud.client.listNetworks(listall=True, keyword=name, fetch_list=True)
            if network["name"] == name]  # listNetworks has no `name` filter in 4.3
    assert not kept, "a refused network was kept"
    return text


def test_ipv6(cloud: Cloud, guest_physical_network: dict) -> None:
    text = _network_refused(cloud, "hv-v6", _default_offering(cloud), ip6cidr="fd00:1::/64", ip6gateway="fd00:1::1")
    assert text.startswith("IPv6 is not supported on hypervisor Hyperv"), text


def test_pvlan(cloud: Cloud, guest_physical_network: dict) -> None:
    text = _network_refused(cloud, "hv-pvlan", _default_offering(cloud), isolatedpvlan="301")
    assert "not supported on hypervisor Hyperv" in text and "pvlan" in text, text


def test_network_throttling(cloud: Cloud, guest_physical_network: dict) -> None:
    text = _network_refused(cloud, "hv-rate", _offering(cloud, "hv-rate-100", networkrate="100"))
    assert "not supported on hypervisor Hyperv" in text and "network_throttling" in text, text


def test_redundant_router(cloud: Cloud, guest_physical_network: dict) -> None:
    offering = _offering(cloud, "hv-redundant", **{"servicecapabilitylist[0].service": "SourceNat",
                                                   "servicecapabilitylist[0].capabilitytype": "RedundantRouter",
                                                   "servicecapabilitylist[0].capabilityvalue": "true"})
    text = _network_refused(cloud, "hv-rvr", offering)
    assert "not supported on hypervisor Hyperv" in text and "redundant_router" in text, text

"""Hyper-V's 4.3 matrix row "VPC": createVPC in a zone with Hyper-V clusters, and a Hyper-V VM deployed into a
VPC tier, are refused with 432 naming Hyper-V and the feature, before any call reaches a Hyper-V host and
without recording anything."""

from __future__ import annotations

from typing import Any

import pytest
from hyperv_cloud import Cloud
from test_support_matrix_api import refused

from cirrostack.services.networks.zone_wizard import GuestNetworking, set_up_guest_networking


def test_create_vpc_in_a_zone_with_hyper_v_clusters(cloud: Cloud) -> None:
    offering = cloud.client.listVPCOfferings(isdefault="true", fetch_list=True)[0]
    text = refused(cloud, "createVPC", name="hv-vpc", displaytext="hv-vpc", cidr="10.40.0.0/16",
                   zoneid=cloud.zone["id"], vpcofferingid=offering["id"])
    assert text.startswith("VPC is not supported on hypervisor Hyperv"), text
    assert "does not declare vpc" in text and cloud.zone["name"] in text, text
    assert not cloud.client.listVPCs(listall="true", name="hv-vpc", fetch_list=True), "a refused VPC was kept"


@pytest.fixture(scope="module")
def simulator_tier(cloud: Cloud) -> dict:
    """A tier of a VPC in a zone of Simulator clusters (which declare vpc), set up as the zone wizard does."""
    client = cloud.client

    def run(command: str, object_name: str, **params: Any) -> Any:
        method = getattr(client, command)
        return method(fetch_list=True, **params) if command.startswith("list") else \
            method(fetch_result=True, **params)[object_name]

    zone = client.createZone(name="vpc-sim-zone", networktype="Advanced", dns1="8.8.8.8",
                             internaldns1="10.0.0.2")["zone"]
    pod = client.createPod(zoneid=zone["id"], name="vpc-sim-pod", gateway="172.18.0.1", netmask="255.255.255.0",
                           startip="172.18.0.10", endip="172.18.0.200")["pod"]
    client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="vpc-sim", clustertype="CloudManaged",
                      hypervisor="Simulator")
    set_up_guest_networking(run, zone["id"], GuestNetworking(physical_network_name="vpc-sim-phys",
                                                             guest_vlans="500-509", public_gateway="198.51.100.1",
                                                             public_start="198.51.100.10",
                                                             public_end="198.51.100.20"))
    offering = client.listVPCOfferings(isdefault="true", fetch_list=True)[0]
    vpc = client.createVPC(name="sim-vpc", displaytext="sim-vpc", cidr="10.41.0.0/16", zoneid=zone["id"],
                           vpcofferingid=offering["id"], start="false", fetch_result=True)["vpc"]
    tier_offering = client.listNetworkOfferings(name="DefaultIsolatedNetworkOfferingForVpcNetworksNoLB",
                                                fetch_list=True)[0]
    return client.createNetwork(name="sim-tier", displaytext="sim-tier", zoneid=zone["id"], vpcid=vpc["id"],
                                networkofferingid=tier_offering["id"], gateway="10.41.1.1",
                                netmask="255.255.255.0")["network"]


def test_deploying_a_hyper_v_vm_into_a_vpc_tier(cloud: Cloud, simulator_tier: dict) -> None:
    text = refused(cloud, "deployVirtualMachine", zoneid=simulator_tier["zoneid"], templateid=cloud.template["id"],
                   serviceofferingid=cloud.small, hypervisor="Hyperv", networkids=simulator_tier["id"],
                   name="hv-in-tier")
    assert text.startswith("VPC (network sim-tier is a tier of VPC sim-vpc) is not supported on hypervisor Hyperv"), \
        text
    assert not cloud.client.listVirtualMachines(name="hv-in-tier", listall=True, fetch_list=True)

"""Hyper-V's "Security groups (advanced zone)" row: the plugin declares neither `security_groups` nor
`security_groups_in_advanced_zone`, so the core refuses with 432 naming Hyper-V and the capability, before
any cmdlet reaches a Hyper-V host and without recording anything: a deploy with security groups into an
Advanced zone that has them, a Hyper-V cluster added to such a zone, and a network whose offering has the
SecurityGroup service in the zone with Hyper-V clusters."""

from __future__ import annotations

import pytest
from hyperv_cloud import Cloud
from test_support_matrix_api import refused

SG_OFFERING = "DefaultSharedNetworkOfferingWithSGService"


@pytest.fixture(scope="module")
def security_group_zone(cloud: Cloud) -> dict:
    """An Advanced zone created with security groups, with one pod."""
    client = cloud.client
    zone = client.createZone(name="hv-sg-zone", networktype="Advanced", securitygroupenabled="true", dns1="8.8.8.8",
                             internaldns1="10.0.0.2")["zone"]
    assert zone["securitygroupsenabled"] is True
    pod = client.createPod(zoneid=zone["id"], name="hv-sg-pod", gateway="172.18.0.1", netmask="255.255.255.0",
                           startip="172.18.0.10", endip="172.18.0.200")["pod"]
    return {**zone, "podid": pod["id"]}


def test_deploy_with_security_groups_in_an_advanced_zone_is_refused(cloud: Cloud, security_group_zone: dict) -> None:
    text = refused(cloud, "deployVirtualMachine", zoneid=security_group_zone["id"], templateid=cloud.template["id"],
                   serviceofferingid=cloud.small, name="hv-guarded", securitygroupnames="default")
    assert text == ("Security groups in an advanced zone is not supported on hypervisor Hyperv: its plugin does not "
                    "declare security_groups_in_advanced_zone"), text
    assert not cloud.client.listVirtualMachines(name="hv-guarded", listall=True, fetch_list=True)


def test_a_hyper_v_cluster_is_refused_in_an_advanced_zone_with_security_groups(cloud: Cloud,
                                                                               security_group_zone: dict) -> None:
    text = refused(cloud, "addCluster", zoneid=security_group_zone["id"], podid=security_group_zone["podid"],
                   clustername="hv-in-sg-zone", clustertype="CloudManaged", hypervisor="Hyperv")
    assert text.startswith("Security groups in an advanced zone (zone hv-sg-zone has security groups) is not "
                           "supported on hypervisor Hyperv"), text
    assert not cloud.client.listClusters(zoneid=security_group_zone["id"], fetch_list=True)


def test_a_security_group_network_is_refused_in_the_zone_with_hyper_v_clusters(cloud: Cloud) -> None:
    offering = cloud.client.listNetworkOfferings(name=SG_OFFERING, fetch_list=True)[0]
    text = refused(cloud, "createNetwork", zoneid=cloud.zone["id"], name="hv-sg-net", displaytext="hv-sg-net",
                   networkofferingid=offering["id"], vlan="350", gateway="10.30.0.1", netmask="255.255.255.0",
                   startip="10.30.0.10", endip="10.30.0.50")
    assert text.startswith("Security groups in an advanced zone (the network offering's SecurityGroup service) is "
                           "not supported on hypervisor Hyperv (zone hyperv-zone has Hyperv clusters)"), text
    assert not cloud.client.listNetworks(listall=True, name="hv-sg-net", fetch_list=True)

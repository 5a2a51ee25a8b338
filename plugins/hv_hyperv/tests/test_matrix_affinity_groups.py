"""Hyper-V's "Affinity and anti-affinity groups" row: the plugin does not declare `affinity_groups`, so the core
refuses a deploy into an affinity group and updateVMAffinityGroup with 432 naming Hyper-V and the feature, before
any call reaches a Hyper-V host and without recording anything."""

from __future__ import annotations

import pytest
from hyperv_cloud import Cloud, deploy
from test_support_matrix_api import refused


@pytest.fixture(scope="module")
def group(cloud: Cloud) -> dict:
    return cloud.client.createAffinityGroup(name="hv-spread", type="host anti-affinity",
                                            fetch_result=True)["affinitygroup"]


def test_deploy_into_an_affinity_group_is_refused(cloud: Cloud, group: dict) -> None:
    text = refused(cloud, "deployVirtualMachine", zoneid=cloud.zone["id"], templateid=cloud.template["id"],
                   serviceofferingid=cloud.small, name="hv-grouped", affinitygroupids=group["id"])
    assert text.startswith("Placement by affinity and anti-affinity groups is not supported on hypervisor Hyperv"), text
    assert "affinity_groups" in text
    assert not cloud.client.listVirtualMachines(name="hv-grouped", listall=True, fetch_list=True)
    listed = cloud.client.listAffinityGroups(id=group["id"], fetch_list=True)
    assert listed[0]["virtualmachineIds"] == []


def test_update_vm_affinity_group_is_refused(cloud: Cloud, group: dict) -> None:
    vm = deploy(cloud, name="hv-ungrouped")
    cloud.client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    text = refused(cloud, "updateVMAffinityGroup", id=vm["id"], affinitygroupids=group["id"])
    assert text.startswith("Placement by affinity and anti-affinity groups is not supported on hypervisor Hyperv"), text
    shown = cloud.client.listVirtualMachines(id=vm["id"], fetch_list=True)[0]
    assert shown["affinitygroup"] == [] and shown["state"] == "Stopped"

"""Hyper-V end to end: `cirro serve` reaches simulated Hyper-V hosts over WinRM, driven by the `cs` client
(the `cloud` fixture of hyperv_cloud.py)."""

from __future__ import annotations

import pytest
from cs import CloudStackApiException
from hyperv_cloud import Cloud, api_error, deploy, sim_host_of
from hyperv_estate import DOMAIN, PASSWORD, SHARE, USER
from hyperv_sim import WinRMServer


def test_hosts_report_what_hyper_v_reports(cloud: Cloud) -> None:
    rows = cloud.client.listHosts(zoneid=cloud.zone["id"], fetch_list=True)
    assert {row["hypervisor"] for row in rows} == {"Hyperv"} and len(rows) == 2
    assert all((row["cpusockets"], row["cpunumber"], row["cpuspeed"]) == (2, 16, 2600) for row in rows)
    assert all(row["hypervisorversion"] == "Hyper-V 6.3.9600" and row["state"] == "Up" for row in rows)


def test_deploy_stop_scale_start_migrate_destroy_expunge(cloud: Cloud) -> None:
    client, world = cloud.client, cloud.estate.world
    vm = deploy(cloud, name="hv-life")
    assert (vm["state"], vm["hypervisor"], vm["cpunumber"], vm["memory"]) == ("Running", "Hyperv", 1, 512)
    first = sim_host_of(cloud, vm["hostid"])
    assert "New-VM" in world.cmdlets_run(first) and "Start-VM" in world.cmdlets_run(first)
    instance = next(name for name in world.all_vms()[first] if name.endswith("-vm"))

    assert client.stopVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Stopped"
    scaled = client.scaleVirtualMachine(id=vm["id"], serviceofferingid=cloud.medium, fetch_result=True)
    assert scaled.get("success") in (True, "true", None)
    started = client.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]
    assert (started["state"], started["cpuspeed"], started["memory"]) == ("Running", 1000, 1024)
    now_on = sim_host_of(cloud, started["hostid"])
    sizing = [e.params for e in world.log if e.host == now_on and e.cmdlet == "Set-VMMemory"]
    assert sizing[-1]["StartupBytes"] == 1024 * 1024**2

    target = next(row["id"] for name, row in cloud.hosts.items() if name != now_on)
    moved = client.migrateVirtualMachine(virtualmachineid=vm["id"], hostid=target, fetch_result=True)
    assert moved["virtualmachine"]["hostid"] == target
    assert "Move-VM" in world.cmdlets_run(now_on)
    assert instance in world.all_vms()[sim_host_of(cloud, target)]

    assert client.destroyVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Destroyed"
    assert cloud.estate.hosts[sim_host_of(cloud, target)].vms[instance].state == 3  # Off
    root = client.listVolumes(virtualmachineid=vm["id"], listall=True, fetch_list=True)[0]
    share = cloud.estate.world.share_files[SHARE.lower()][SHARE.lower()]
    assert f"{root['id']}.vhdx" in share and "template-" + cloud.template["id"] + ".vhdx" in share
    client.expungeVirtualMachine(id=vm["id"], fetch_result=True)
    removed = [e.params for e in world.log if e.cmdlet == "Remove-VM"]
    assert removed[-1]["Name"].lower() == instance
    assert instance not in sum(world.all_vms().values(), [])
    assert f"{root['id']}.vhdx" not in share and "template-" + cloud.template["id"] + ".vhdx" in share


def test_a_powershell_error_fails_the_deploy_with_hyper_v_message_and_leaves_no_vm(cloud: Cloud) -> None:
    world = cloud.estate.world
    for name in cloud.hosts:
        world.fail_next(name, "New-VM", "Failed to create a new virtual machine. The Virtual Machine Management "
                        "Service encountered an unexpected error: The disk is full.", "WriteError")
    before = world.all_vms()
    try:
        with pytest.raises(CloudStackApiException) as failed:
            deploy(cloud, name="hv-broken")
    finally:
        world.clear_faults()  # the host the deploy did not use must not fail the module's later deploys
    error = api_error(failed)
    assert "New-VM failed: Failed to create a new virtual machine" in error["errortext"]
    assert "The disk is full" in error["errortext"]
    assert world.all_vms() == before
    vm = cloud.client.listVirtualMachines(name="hv-broken", listall=True, fetch_list=True)[0]
    assert vm["state"] == "Error"


def test_adding_a_host_with_wrong_credentials_says_they_were_refused(cloud: Cloud) -> None:
    extra = WinRMServer(cloud.estate.world, cloud.estate.world.add_host("hv-03")).start()
    try:
        with pytest.raises(CloudStackApiException) as refused:
            cloud.client.addHost(zoneid=cloud.zone["id"], podid=cloud.pod["id"], clusterid=cloud.cluster["id"],
                                 hypervisor="Hyperv", url=extra.url, username=f"{DOMAIN}\\{USER}", password="wrong")
    finally:
        extra.stop()
    error = api_error(refused)
    assert error["errorcode"] == 534 and "refused the credentials of user" in error["errortext"]


def test_adding_an_unreachable_host_says_it_does_not_answer(cloud: Cloud) -> None:
    with pytest.raises(CloudStackApiException) as refused:
        cloud.client.addHost(zoneid=cloud.zone["id"], podid=cloud.pod["id"], clusterid=cloud.cluster["id"],
                             hypervisor="Hyperv", url=cloud.estate.closed_url, username=f"{DOMAIN}\\{USER}",
                             password=PASSWORD)
    error = api_error(refused)
    assert error["errorcode"] == 534 and "does not answer" in error["errortext"]
    assert len(cloud.client.listHosts(zoneid=cloud.zone["id"], fetch_list=True)) == 2

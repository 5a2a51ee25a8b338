"""Hyper-V end to end: `cirro serve` reaches simulated Hyper-V hosts over WinRM, driven by the `cs` client.

The server runs as its own process with this plugin installed; the WinRM simulator runs in the test
process on loopback. The core cannot transfer templates to secondary storage yet (that arrives with
the storage work), so after registerTemplate the test records the template as downloaded in the
zone, directly in the server's database, as that transfer would.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import (
    DOMAIN,
    PASSWORD,
    SHARE,
    SHARE_PASSWORD,
    SHARE_USER,
    TEMPLATE_URL,
    USER,
    Estate,
    build_estate,
    closed_port_url,
)
from cs import CloudStack, CloudStackApiException
from hyperv_sim import WinRMServer

from tests.fixtures.server import ADMIN_PASSWORD, RunningServer, log_in, start_server


@dataclass
class Cloud:
    client: CloudStack
    estate: Estate
    server: RunningServer
    zone: dict
    pod: dict
    cluster: dict
    hosts: dict[str, dict]  # simulated computer name -> listHosts row
    template: dict
    small: str
    medium: str


@pytest.fixture(scope="module")
def cloud(ntlm_users: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    world, sim_hosts = build_estate(memory_gib=8)
    servers = {name: WinRMServer(world, host).start() for name, host in sim_hosts.items()}
    server = start_server(tmp_path_factory.mktemp("hyperv-e2e"))
    try:
        http, login = log_in(server.endpoint, "admin", ADMIN_PASSWORD)
        keys = http.get(server.endpoint, params={"command": "registerUserKeys", "id": login["userid"],
                                                 "sessionkey": login["sessionkey"], "response": "json"}, timeout=10)
        keys = keys.json()["registeruserkeysresponse"]["userkeys"]
        client = CloudStack(endpoint=server.endpoint, key=keys["apikey"], secret=keys["secretkey"],
                            poll_interval=0.2, timeout=60)
        yield _build(client, Estate(world, sim_hosts, servers, closed_port_url()), server)
    finally:
        status = server.stop()
        for winrm in servers.values():
            winrm.stop()
    assert status == 0, server.log_text()


def _build(client: CloudStack, estate: Estate, server: RunningServer) -> Cloud:
    zone = client.createZone(name="hyperv-zone", networktype="Advanced", dns1="8.8.8.8",
                             internaldns1="10.0.0.2")["zone"]
    pod = client.createPod(zoneid=zone["id"], name="hyperv-pod", gateway="172.16.0.1", netmask="255.255.255.0",
                           startip="172.16.0.10", endip="172.16.0.200")["pod"]
    cluster = client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="hyperv-cluster",
                                clustertype="CloudManaged", hypervisor="Hyperv")["cluster"][0]
    hosts = {}
    for name in ("hv-01", "hv-02"):
        added = client.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Hyperv",
                               url=estate.url(name), username=f"{DOMAIN}\\{USER}", password=PASSWORD)["host"][0]
        hosts[name] = added
    client.createStoragePool(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], name="smb-primary",
                             url="cifs://fs01/primary", capacitybytes=2**40,
                             details=[{"user": SHARE_USER, "password": SHARE_PASSWORD, "domain": DOMAIN}])
    os_type = client.listOsTypes(fetch_list=True)[0]["id"]
    template = client.registerTemplate(name="centos-hyperv", displaytext="CentOS 6.5 for Hyper-V", format="VHDX",
                                       hypervisor="Hyperv", ostypeid=os_type, url=TEMPLATE_URL, zoneid=zone["id"],
                                       ispublic=True)["template"][0]
    _record_downloaded(server, template["id"])
    offerings = {row["name"]: row["id"] for row in client.listServiceOfferings(fetch_list=True)}
    return Cloud(client, estate, server, zone, pod, cluster, hosts, template, offerings["Small Instance"],
                 offerings["Medium Instance"])


def _record_downloaded(server: RunningServer, template_uuid: str) -> None:
    with sqlite3.connect(server.data_dir / "cirrostack.db") as db:
        updated = db.execute("UPDATE template_zone_refs SET is_ready = 1, status = 'Download Complete', "
                             "size_bytes = 2147483648 WHERE template_id = (SELECT id FROM templates WHERE uuid = ?)",
                             (template_uuid,)).rowcount
    assert updated == 1


def api_error(raised: pytest.ExceptionInfo) -> dict:
    error = raised.value.error
    return error.get("jobresult", error) if isinstance(error, dict) else {}


def deploy(cloud: Cloud, **extra: str) -> dict:
    return cloud.client.deployVirtualMachine(zoneid=cloud.zone["id"], templateid=cloud.template["id"],
                                             serviceofferingid=extra.pop("serviceofferingid", cloud.small),
                                             fetch_result=True, **extra)["virtualmachine"]


def sim_host_of(cloud: Cloud, host_id: str) -> str:
    return next(name for name, row in cloud.hosts.items() if row["id"] == host_id)


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
    with pytest.raises(CloudStackApiException) as failed:
        deploy(cloud, name="hv-broken")
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

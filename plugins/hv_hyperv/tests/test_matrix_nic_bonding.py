"""NIC bonding, a row of Hyper-V's 4.3 support matrix: cloud traffic over a virtual switch bound to an LBFO NIC
team is refused with 432 naming Hyper-V and NIC bonding, and nothing is recorded.

The core decides from what the host reports when it is added (the Hyper-V driver reads Get-VMSwitch and
Get-NetLbfoTeamNic): addHost refuses a host whose traffic would run over a teamed switch (the zone's
hypervnetworklabel, or the switch the host uses when a traffic type has none), and add/updateTrafficType
refuse a hypervnetworklabel naming a teamed switch of a Hyper-V host already in the zone. Only those read-only
cmdlets reach a refused host; no VM, switch or setting is changed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from cs import CloudStackApiException
from hyperv_cloud import Cloud, api_error
from hyperv_estate import DOMAIN, GIB, PASSWORD, USER
from hyperv_sim import SimHost, WinRMServer

READ_ONLY = {"Get-VMHost", "Get-CimInstance", "Get-VMSwitch", "Get-NetLbfoTeamNic"}


@pytest.fixture
def teamed_host(cloud: Cloud) -> Iterator[tuple[SimHost, str]]:
    """A fresh simulated host with switches External (plain NIC) and TeamSwitch (on NIC team Team1)."""
    name = f"hv-team-{len(cloud.estate.world.hosts)}"
    host = cloud.estate.world.add_host(name, memory_bytes=8 * GIB)
    host.switches["TeamSwitch"] = 2
    host.teams["TeamSwitch"] = "Team1"
    server = WinRMServer(cloud.estate.world, host).start()
    yield host, server.url
    server.stop()


def add_host(cloud: Cloud, zone: dict, pod: dict, cluster: dict, url: str) -> dict:
    return cloud.client.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Hyperv",
                                url=url, username=f"{DOMAIN}\\{USER}", password=PASSWORD)["host"][0]


def host_ids(cloud: Cloud) -> set[str]:
    return {row["id"] for row in cloud.client.listHosts(fetch_list=True)}


def host_add_events(cloud: Cloud) -> set[str]:
    return {row["id"] for row in cloud.client.listEvents(type="HOST.ADD", listall=True, fetch_list=True)}


def refused(cloud: Cloud, command: str, **params: str) -> str:
    with pytest.raises(CloudStackApiException) as failed:
        getattr(cloud.client, command)(**params)
    error = api_error(failed)
    assert error["errorcode"] == 432, error
    return error["errortext"]


def test_a_host_whose_default_switch_is_teamed_is_not_added(cloud: Cloud, teamed_host: tuple[SimHost, str]) -> None:
    host, url = teamed_host
    host.teams["External"] = "Team0"
    before, hosts, events = len(cloud.estate.world.log), host_ids(cloud), host_add_events(cloud)
    text = refused(cloud, "addHost", zoneid=cloud.zone["id"], podid=cloud.pod["id"], clusterid=cloud.cluster["id"],
                   hypervisor="Hyperv", url=url, username=f"{DOMAIN}\\{USER}", password=PASSWORD)
    assert text == (f"NIC bonding is not supported on hypervisor Hyperv: host {_host_name(url)}'s network device "
                    "'External' (the device it uses for traffic without a hypervnetworklabel) is bonded in 'Team0', "
                    "and the Hyperv plugin does not declare nic_bonding")
    assert {entry.cmdlet for entry in cloud.estate.world.log[before:]} <= READ_ONLY
    assert host_ids(cloud) == hosts and host_add_events(cloud) == events


def test_traffic_labels_naming_a_teamed_switch_are_refused(cloud: Cloud, teamed_host: tuple[SimHost, str]) -> None:
    _host, url = teamed_host
    zone = cloud.client.createZone(name=f"bonding-{urlsplit(url).port}", networktype="Advanced", dns1="8.8.8.8",
                                   internaldns1="10.0.0.2")["zone"]
    pod = cloud.client.createPod(zoneid=zone["id"], name="bonding-pod", gateway="172.17.0.1", netmask="255.255.255.0",
                                 startip="172.17.0.10", endip="172.17.0.20")["pod"]
    cluster = cloud.client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="bonding-cluster",
                                      clustertype="CloudManaged", hypervisor="Hyperv")["cluster"][0]
    added = add_host(cloud, zone, pod, cluster, url)  # its teamed switch carries nothing yet
    assert added["state"] == "Up"
    physical = cloud.client.createPhysicalNetwork(zoneid=zone["id"], name="bonding-phys", isolationmethods="VLAN",
                                                  fetch_result=True)["physicalnetwork"]

    text = refused(cloud, "addTrafficType", physicalnetworkid=physical["id"], traffictype="Guest",
                   hypervnetworklabel="TeamSwitch", fetch_result=True)
    assert text == (f"NIC bonding is not supported on hypervisor Hyperv: hypervnetworklabel 'TeamSwitch' names host "
                    f"{added['name']}'s network device bonded in 'Team1', and the Hyperv plugin does not declare "
                    "nic_bonding")
    assert cloud.client.listTrafficTypes(physicalnetworkid=physical["id"], fetch_list=True) == []

    traffic = cloud.client.addTrafficType(physicalnetworkid=physical["id"], traffictype="Guest",
                                          hypervnetworklabel="External", fetch_result=True)["traffictype"]
    text = refused(cloud, "updateTrafficType", id=traffic["id"], hypervnetworklabel="TeamSwitch", fetch_result=True)
    assert "hypervnetworklabel 'TeamSwitch'" in text and "NIC bonding" in text and "Hyperv" in text
    [kept] = cloud.client.listTrafficTypes(physicalnetworkid=physical["id"], fetch_list=True)
    assert kept["hypervnetworklabel"] == "External"


def test_a_host_joining_a_zone_whose_label_names_its_teamed_switch_is_not_added(
        cloud: Cloud, teamed_host: tuple[SimHost, str]) -> None:
    _host, url = teamed_host
    zone = cloud.client.createZone(name=f"labelled-{urlsplit(url).port}", networktype="Advanced", dns1="8.8.8.8",
                                   internaldns1="10.0.0.2")["zone"]
    pod = cloud.client.createPod(zoneid=zone["id"], name="labelled-pod", gateway="172.18.0.1", netmask="255.255.255.0",
                                 startip="172.18.0.10", endip="172.18.0.20")["pod"]
    cluster = cloud.client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="labelled-cluster",
                                      clustertype="CloudManaged", hypervisor="Hyperv")["cluster"][0]
    physical = cloud.client.createPhysicalNetwork(zoneid=zone["id"], name="labelled-phys", isolationmethods="VLAN",
                                                  fetch_result=True)["physicalnetwork"]
    cloud.client.addTrafficType(physicalnetworkid=physical["id"], traffictype="Guest", hypervnetworklabel="TeamSwitch",
                                fetch_result=True)
    text = refused(cloud, "addHost", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Hyperv",
                   url=url, username=f"{DOMAIN}\\{USER}", password=PASSWORD)
    assert text == (f"NIC bonding is not supported on hypervisor Hyperv: host {_host_name(url)}'s network device "
                    "'TeamSwitch' (the hypervnetworklabel of Guest traffic on physical network labelled-phys) is "
                    "bonded in 'Team1', and the Hyperv plugin does not declare nic_bonding")
    assert cloud.client.listHosts(zoneid=zone["id"], fetch_list=True) == []


def _host_name(url: str) -> str:
    """The name addHost gives a host: its URL's host and path ("127.0.0.1/wsman")."""
    parts = urlsplit(url)
    return f"{parts.hostname}{parts.path}".strip("/")

"""Password and SSH key reset of a Hyper-V VM go through the template's mechanism, as on any hypervisor: the VM
sits on an isolated guest network, the reset (VM stopped, template password enabled) is delivered at the next
start to the network's virtual router, whose password and metadata service for the VM's address then holds
the new password and key. The Hyper-V host only tags the VM's adapter with the network's VLAN
(Set-VMNetworkAdapterVlan) on the switch the guest traffic label names.

The router runs in namespaces of this machine (root and dnsmasq/iptables/haproxy needed: skipped without them,
failed with CI=true); the Hyper-V host is a WinRM simulator, so no guest fetches the password: the router's own
files for the VM's address are read instead."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cs import CloudStack, CloudStackApiException
from hyperv_cloud import Cloud, _wait_until_ready, api_error
from hyperv_estate import DOMAIN, GIB, PASSWORD, SHARE_PASSWORD, SHARE_USER, USER
from hyperv_sim import SimHost, WinRMServer

from tests.router.conftest import _require_data_plane, sh, unique

GUEST_SWITCH = "GuestSwitch"
SETTINGS = ("network.host.namespace", "router.state.dir")


@dataclass
class NetworkedZone:
    client: CloudStack
    sim_host: SimHost
    state_dir: Path
    zone: dict
    template: dict
    network: dict

    def vm_data(self, ip: str, *names: str) -> str:
        """A file of the router's password and metadata service for guest `ip` ("" when absent)."""
        found = [path for path in self.state_dir.rglob(f"vmdata/{ip}/{'/'.join(names)}") if path.is_file()]
        assert len(found) <= 1, found
        return found[0].read_text() if found else ""


@pytest.fixture(scope="module")
def networked(cloud: Cloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkedZone]:
    """A second Hyper-V zone with guest networking (VirtualRouter, VLAN 400-409, Guest traffic on GuestSwitch)
    on one simulated host, a password-enabled template and an isolated network; all removed afterwards."""
    _require_data_plane()
    client, world = cloud.client, cloud.estate.world
    host_namespace = unique("cirro-nh-hv-")
    state_dir = tmp_path_factory.mktemp("hyperv-routers")
    previous = {row["name"]: row["value"] for row in client.listConfigurations(fetch_list=True)
                if row["name"] in SETTINGS}
    sim_host = world.add_host(f"hv-cred-{host_namespace}", memory_bytes=8 * GIB)
    sim_host.switches[GUEST_SWITCH] = 2
    world.add_share("\\\\fs01\\credentials", SHARE_USER, SHARE_PASSWORD, domain=DOMAIN)
    winrm = WinRMServer(world, sim_host).start()
    sh("ip", "netns", "add", host_namespace)
    zone = network = None
    try:
        client.updateConfiguration(name="network.host.namespace", value=host_namespace)
        client.updateConfiguration(name="router.state.dir", value=str(state_dir))
        zone = _zone_with_guest_networking(client, winrm.url)
        template = _password_template(cloud, zone)
        offering = client.listNetworkOfferings(name="DefaultIsolatedNetworkOfferingWithSourceNatService",
                                               fetch_list=True)[0]
        network = client.createNetwork(name="hv-cred-net", displaytext="hv-cred-net", zoneid=zone["id"],
                                       networkofferingid=offering["id"], gateway="10.28.0.1",
                                       netmask="255.255.255.0")["network"]
        yield NetworkedZone(client, sim_host, state_dir, zone, template, network)
    finally:
        for vm in client.listVirtualMachines(zoneid=zone["id"], listall=True, fetch_list=True) if zone else []:
            client.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)
        if network is not None:
            client.deleteNetwork(id=network["id"], fetch_result=True)
        for name, value in previous.items():
            client.updateConfiguration(name=name, value=value)
        winrm.stop()
        for pid in sh("ip", "netns", "pids", host_namespace, check=False).stdout.split():
            sh("kill", "-9", pid, check=False)
        sh("ip", "netns", "del", host_namespace, check=False)


def _zone_with_guest_networking(client: CloudStack, host_url: str) -> dict:
    zone = client.createZone(name="hyperv-net-zone", networktype="Advanced", dns1="8.8.8.8",
                             internaldns1="10.0.0.2")["zone"]
    pod = client.createPod(zoneid=zone["id"], name="hyperv-net-pod", gateway="172.19.0.1", netmask="255.255.255.0",
                           startip="172.19.0.10", endip="172.19.0.20")["pod"]
    cluster = client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="hyperv-net-cluster",
                                clustertype="CloudManaged", hypervisor="Hyperv")["cluster"][0]
    physical = client.createPhysicalNetwork(zoneid=zone["id"], name="hyperv-net-phys", isolationmethods="VLAN",
                                            fetch_result=True)["physicalnetwork"]
    client.addTrafficType(physicalnetworkid=physical["id"], traffictype="Guest", hypervnetworklabel=GUEST_SWITCH,
                          fetch_result=True)
    for traffic in ("Management", "Public"):
        client.addTrafficType(physicalnetworkid=physical["id"], traffictype=traffic, fetch_result=True)
    nsp = client.listNetworkServiceProviders(physicalnetworkid=physical["id"], name="VirtualRouter",
                                             fetch_list=True)[0]
    element = client.listVirtualRouterElements(nspid=nsp["id"], fetch_list=True)[0]
    client.configureVirtualRouterElement(id=element["id"], enabled="true", fetch_result=True)
    client.updateNetworkServiceProvider(id=nsp["id"], state="Enabled", fetch_result=True)
    client.updatePhysicalNetwork(id=physical["id"], state="Enabled", vlan="400-409", fetch_result=True)
    client.createVlanIpRange(zoneid=zone["id"], vlan="untagged", gateway="10.27.0.1", netmask="255.255.255.0",
                             startip="10.27.0.10", endip="10.27.0.20", forvirtualnetwork="true")
    client.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Hyperv", url=host_url,
                   username=f"{DOMAIN}\\{USER}", password=PASSWORD)
    client.createStoragePool(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], name="smb-credentials",
                             url="cifs://fs01/credentials", capacitybytes=2**40,
                             details=[{"user": SHARE_USER, "password": SHARE_PASSWORD, "domain": DOMAIN}])
    return zone


def _password_template(cloud: Cloud, zone: dict) -> dict:
    """The cloud's VHDX, registered again for `zone` as a password-enabled template."""
    url, (_size, content) = next((url, item) for url, item in cloud.estate.world.web.items()
                                 if url.startswith("http://127.0.0.1"))
    os_type = cloud.client.listOsTypes(fetch_list=True)[0]["id"]
    template = cloud.client.registerTemplate(name="centos-hyperv-pw", displaytext="CentOS 6.5, password enabled",
                                             format="VHDX", hypervisor="Hyperv", ostypeid=os_type, url=url,
                                             zoneid=zone["id"], checksum=hashlib.md5(content).hexdigest(),
                                             passwordenabled=True)["template"][0]
    return _wait_until_ready(cloud.client, template["id"])


def _deploy(cloud: Cloud, networked: NetworkedZone, name: str) -> dict:
    vm = networked.client.deployVirtualMachine(zoneid=networked.zone["id"], templateid=networked.template["id"],
                                               serviceofferingid=cloud.small, networkids=networked.network["id"],
                                               name=name, fetch_result=True)["virtualmachine"]
    return {**vm, "ip": vm["nic"][0]["ipaddress"]}


def _restart(networked: NetworkedZone, vm: dict, reset: str, **params: str) -> dict:
    """Stop `vm`, run the reset command, start it again; returns the reset's job result."""
    client = networked.client
    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    result = getattr(client, reset)(id=vm["id"], fetch_result=True, **params)["virtualmachine"]
    assert client.startVirtualMachine(id=vm["id"], fetch_result=True)["virtualmachine"]["state"] == "Running"
    return result


def test_a_hyper_v_vm_joins_its_network_vlan_on_the_labelled_switch(cloud: Cloud, networked: NetworkedZone) -> None:
    vm = _deploy(cloud, networked, "hv-cred-vlan")
    vlan = int(networked.client.listNetworks(id=networked.network["id"], fetch_list=True)[0]["vlan"])
    [adapter] = networked.sim_host.vms[vm["instancename"].lower()].adapters
    assert (adapter.switch, adapter.vlan) == (GUEST_SWITCH, vlan) and 400 <= vlan <= 409
    assert adapter.mac == vm["nic"][0]["macaddress"].replace(":", "").upper()
    assert networked.vm_data(vm["ip"], "meta-data", "local-ipv4") == vm["ip"]


def test_reset_password_reaches_the_router_at_the_next_start(cloud: Cloud, networked: NetworkedZone) -> None:
    vm = _deploy(cloud, networked, "hv-cred-pw")
    first = networked.vm_data(vm["ip"], "password")
    assert first == vm["password"]  # the deploy's generated password, pending for the guest
    with pytest.raises(CloudStackApiException) as failed:
        networked.client.resetPasswordForVirtualMachine(id=vm["id"], fetch_result=True)
    assert api_error(failed)["errortext"] == "id: VM hv-cred-pw is Running; stop it to reset its password"

    result = _restart(networked, vm, "resetPasswordForVirtualMachine")
    assert result["password"] != first and len(result["password"]) == 12
    assert networked.vm_data(vm["ip"], "password") == result["password"]


def test_reset_ssh_key_reaches_the_router_with_a_new_password(cloud: Cloud, networked: NetworkedZone) -> None:
    vm = _deploy(cloud, networked, "hv-cred-key")
    pair = networked.client.createSSHKeyPair(name="hv-cred-pair")["keypair"]
    public_key = next(row for row in networked.client.listSSHKeyPairs(name="hv-cred-pair", fetch_list=True))
    result = _restart(networked, vm, "resetSSHKeyForVirtualMachine", keypair=pair["name"])
    assert result["keypair"] == "hv-cred-pair"
    assert networked.vm_data(vm["ip"], "meta-data", "public-keys").startswith("ssh-rsa ")
    assert public_key["fingerprint"] == pair["fingerprint"]
    assert networked.vm_data(vm["ip"], "password") == result["password"]  # password-enabled template: reset too

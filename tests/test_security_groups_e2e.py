"""Security groups enforced for real, through `cirro serve --demo` and the unmodified `cs` client.

A second zone, Advanced with securitygroupenabled=true, gets a simulator cluster, storage, the demo's
template (copyTemplate) and guest networking; two namespace-backed VMs on one isolated network: "server"
in group web, "client" in the default group. Ingress to the server is dropped until web allows the
default group's members; revoking closes it again; an egress rule on default then limits what the client
may reach. Everything lives in namespaces of this test and is removed afterwards. Without root or the
data-plane programs the test skips, except with CI=true, where it fails.
"""

from __future__ import annotations

import functools
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cs import CloudStack

from cirrostack.simulator.guest_netns import namespace_for
from tests.fixtures.server import RunningServer, start_server
from tests.router.conftest import HttpServers, _require_data_plane, fetch, guest_address, sh, unique, wait_for
from tests.test_e2e_networking import NetworkedCloud, _admin_client, _remove_leftovers

PUBLIC_GATEWAY, PUBLIC_START, PUBLIC_END = "10.27.0.1", "10.27.0.10", "10.27.0.20"
GUEST_GATEWAY, GUEST_NETMASK = "10.28.0.1", "255.255.255.0"
SOURCE_NAT_OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"


@dataclass
class GuardedVM:
    id: str
    name: str
    ip: str
    namespace: str


def _security_group_zone(client: CloudStack, image_url: str) -> dict[str, str]:
    """The zone with security groups and everything a deploy there needs; its deploy parameters."""
    zone = client.createZone(name="sg-zone", networktype="Advanced", securitygroupenabled="true", dns1="8.8.8.8",
                             internaldns1="10.0.0.2", guestcidraddress="10.28.0.0/24")["zone"]
    assert zone["securitygroupsenabled"] is True
    pod = client.createPod(zoneid=zone["id"], name="sg-pod", gateway="172.16.30.1", netmask="255.255.255.0",
                           startip="172.16.30.10", endip="172.16.30.200")["pod"]
    cluster = client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="sgc", clustertype="CloudManaged",
                                hypervisor="Simulator")["cluster"][0]
    client.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Simulator",
                   url="http://sim/sgc/h0?sockets=2&cores=8&memory=65536", username="root", password="password")
    client.createStoragePool(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], scope="cluster",
                             name="sg-primary", url="nfs://10.147.28.6/export/sg/primary", capacitybytes=2**42)
    client.addImageStore(provider="NFS", name="sg-secondary", zoneid=zone["id"],
                         url="nfs://10.147.28.6/export/sg/secondary")
    os_type = client.listOsTypes(fetch_list=True)[0]["id"]
    template = client.registerTemplate(name="sg-image", displaytext="sg-image", format="QCOW2", hypervisor="Simulator",
                                       ostypeid=os_type, url=image_url, zoneid=zone["id"])["template"][0]
    wait_for(lambda: any(row.get("isready") for row in client.listTemplates(
        templatefilter="self", zoneid=zone["id"], id=template["id"], fetch_list=True)),
        "the template ready in sg-zone", 60)
    physical = client.createPhysicalNetwork(zoneid=zone["id"], name="sg-phys", isolationmethods="VLAN",
                                            fetch_result=True)["physicalnetwork"]
    for traffic in ("Guest", "Management", "Public"):
        client.addTrafficType(physicalnetworkid=physical["id"], traffictype=traffic, fetch_result=True)
    nsp = client.listNetworkServiceProviders(physicalnetworkid=physical["id"], name="VirtualRouter",
                                             fetch_list=True)[0]
    element = client.listVirtualRouterElements(nspid=nsp["id"], fetch_list=True)[0]
    client.configureVirtualRouterElement(id=element["id"], enabled="true", fetch_result=True)
    client.updateNetworkServiceProvider(id=nsp["id"], state="Enabled", fetch_result=True)
    client.updatePhysicalNetwork(id=physical["id"], state="Enabled", vlan="320-329", fetch_result=True)
    client.createVlanIpRange(zoneid=zone["id"], vlan="untagged", gateway=PUBLIC_GATEWAY, netmask="255.255.255.0",
                             startip=PUBLIC_START, endip=PUBLIC_END, forvirtualnetwork="true")
    offering = next(row for row in client.listServiceOfferings(fetch_list=True) if row["name"] == "Small Instance")
    return {"zoneid": zone["id"], "templateid": template["id"], "serviceofferingid": offering["id"]}


class ImageServer:
    """A small QCOW2 image made by qemu-img, served by http.server on loopback for registerTemplate."""

    def __init__(self, directory: Path) -> None:
        subprocess.run(["qemu-img", "create", "-f", "qcow2", str(directory / "sg.qcow2"), "64M"], check=True,
                       capture_output=True)
        handler = functools.partial(_QuietFiles, directory=str(directory))
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sg-image-server", daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/sg.qcow2"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:
        pass


@dataclass
class SecurityCloud:
    cloud: NetworkedCloud
    deploy: dict[str, str]

    def vm(self, name: str, network_id: str, **groups: str) -> GuardedVM:
        client = self.cloud.client
        vm = client.deployVirtualMachine(name=name, networkids=network_id, fetch_result=True, **self.deploy,
                                         **groups)["virtualmachine"]
        self.cloud.vm_ids.append(vm["id"])
        [nic] = client.listNics(virtualmachineid=vm["id"], fetch_list=True)
        guarded = GuardedVM(vm["id"], name, nic["ipaddress"], namespace_for(vm["id"]))
        wait_for(lambda: guest_address(guarded.namespace) == guarded.ip, f"the DHCP lease of {name}", 30)
        return guarded


@pytest.fixture(scope="module")
def security_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecurityCloud]:
    _require_data_plane()
    data_dir = tmp_path_factory.mktemp("e2e-security-groups")
    host_namespace = unique("cirro-nh-")
    sh("ip", "netns", "add", host_namespace)
    images = ImageServer(data_dir)
    server: RunningServer = start_server(data_dir, extra_args=("--demo",))
    client = _admin_client(server)
    cloud = NetworkedCloud(server, client, "", host_namespace, data_dir / "routers")
    try:
        for name, value in (("network.host.namespace", host_namespace), ("router.state.dir", str(cloud.state_dir)),
                            ("simulator.guest.namespaces", "true")):
            client.updateConfiguration(name=name, value=value)
        deploy = _security_group_zone(client, images.url)
        cloud.zone_id = deploy["zoneid"]
        yield SecurityCloud(cloud, deploy)
    finally:
        status = server.stop()
        images.close()
        _remove_leftovers(cloud)
        assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


@pytest.fixture
def http_servers() -> Iterator[HttpServers]:
    servers = HttpServers()
    yield servers
    servers.stop_all()


def test_groups_filter_real_traffic_between_two_guests(security_cloud: SecurityCloud,
                                                       http_servers: HttpServers) -> None:
    cloud, client = security_cloud.cloud, security_cloud.cloud.client
    offering = client.listNetworkOfferings(name=SOURCE_NAT_OFFERING, fetch_list=True)[0]
    network = client.createNetwork(name="sg-net", displaytext="sg-net", zoneid=cloud.zone_id,
                                   networkofferingid=offering["id"], gateway=GUEST_GATEWAY,
                                   netmask=GUEST_NETMASK)["network"]
    cloud.network_ids.append(network["id"])
    web = client.createSecurityGroup(name="web", description="web servers")["securitygroup"]
    server = security_cloud.vm("server", network["id"], securitygroupnames="web")
    guest = security_cloud.vm("client", network["id"])
    assert [g["name"] for g in client.listVirtualMachines(id=guest.id, fetch_list=True)[0]["securitygroup"]] == [
        "default"]
    http_servers.serve(server.namespace, server.ip, 8000, "server")
    url = f"http://{server.ip}:8000/"
    assert fetch(server.namespace, url) == "server", "the server answers itself (loopback is never filtered)"
    assert fetch(guest.namespace, url, timeout=1) == "", "ingress is dropped until a rule allows it"

    allowed = client.authorizeSecurityGroupIngress(
        securitygroupid=web["id"], protocol="tcp", startport=8000, endport=8000, fetch_result=True,
        **{"usersecuritygrouplist[0].account": "admin", "usersecuritygrouplist[0].group": "default"}
    )["securitygroup"]["ingressrule"]
    wait_for(lambda: fetch(guest.namespace, url) == "server", "the client reaching the server through web", 15)

    client.revokeSecurityGroupIngress(id=allowed[0]["ruleid"], fetch_result=True)
    wait_for(lambda: fetch(guest.namespace, url, timeout=1) == "", "revoking the rule closing the port", 15)

    # ingress open to the whole network again; then an egress rule on the client's group that does not
    # allow port 8000 stops the client's own requests, although the server would accept them
    client.authorizeSecurityGroupIngress(securitygroupid=web["id"], protocol="tcp", startport=8000, endport=8000,
                                         cidrlist=f"{GUEST_GATEWAY.rsplit('.', 1)[0]}.0/24", fetch_result=True)
    wait_for(lambda: fetch(guest.namespace, url) == "server", "the CIDR rule opening the port", 15)
    client.authorizeSecurityGroupEgress(securitygroupname="default", protocol="tcp", startport=22, endport=22,
                                        cidrlist="0.0.0.0/0", fetch_result=True)
    wait_for(lambda: fetch(guest.namespace, url, timeout=1) == "", "the egress rule limiting the client", 15)
    rules = sh("iptables-save", "-t", "filter", namespace=guest.namespace).stdout
    assert ":OUTPUT DROP" in rules and "-A OUTPUT -p tcp -m tcp --dport 22 -j ACCEPT" in rules, rules

    for vm in (server, guest):
        client.destroyVirtualMachine(id=vm.id, expunge="true", fetch_result=True)
    client.deleteNetwork(id=network["id"], fetch_result=True)
    assert not {server.namespace, guest.namespace} & set(sh("ip", "netns", "list").stdout.split())



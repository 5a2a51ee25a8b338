"""Guest networking end to end with real packets, through `cirro serve --demo` and the unmodified `cs` client.

An isolated network from the default SourceNat offering, two namespace-backed simulator VMs on it: each
takes its DHCP lease and resolves the other by name through the router; a port forwarding rule and a
load balancer rule on the network's public IP reach HTTP servers inside the guests from a client
namespace on the public bridge; removing the firewall rule closes the port; a guest's egress leaves as
the public IP; a guest fetches its user data from the router; deleting the network leaves no namespace,
process or device of it behind.

Everything lives in namespaces of this test (the network host namespace, the client, the routers and
guests the server makes inside it) on 10.25.0.0/24 (public) and 10.26.0.0/24 (guest), and is removed
afterwards even when the test fails. Without root or the data-plane programs the test skips, except with
CI=true, where it fails.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cs import CloudStack

from cirrostack.router import bridges
from cirrostack.simulator.guest_netns import namespace_for
from tests.fixtures.server import ADMIN_PASSWORD, RunningServer, log_in, start_server
from tests.router.conftest import HttpServers, _require_data_plane, fetch, guest_address, sh, unique, wait_for

PUBLIC_GATEWAY, PUBLIC_START, PUBLIC_END = "10.25.0.1", "10.25.0.10", "10.25.0.20"
GUEST_GATEWAY, GUEST_NETMASK = "10.26.0.1", "255.255.255.0"
NETWORK_DOMAIN = "e2e.test"
SOURCE_NAT_OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"


@dataclass
class NetworkedCloud:
    """A running server with guest networking on its demo zone, plumbed into this test's network host."""

    server: RunningServer
    client: CloudStack
    zone_id: str
    host_namespace: str
    state_dir: Path
    vm_ids: list[str] = field(default_factory=list)  # their guest namespaces are named after them
    network_ids: list[str] = field(default_factory=list)

    def create_network(self, name: str) -> dict:
        offering = self.client.listNetworkOfferings(name=SOURCE_NAT_OFFERING, fetch_list=True)[0]
        network = self.client.createNetwork(name=name, displaytext=name, zoneid=self.zone_id,
                                            networkofferingid=offering["id"], gateway=GUEST_GATEWAY,
                                            netmask=GUEST_NETMASK, networkdomain=NETWORK_DOMAIN)["network"]
        self.network_ids.append(network["id"])
        return network

    def deploy(self, name: str, network_id: str, userdata: str = "") -> dict:
        """A running VM on `network_id`, with its instance name, NIC address and guest namespace."""
        template = self.client.listTemplates(templatefilter="featured", zoneid=self.zone_id, fetch_list=True)[0]
        offering = next(row for row in self.client.listServiceOfferings(fetch_list=True)
                        if row["name"] == "Small Instance")
        extra = {"userdata": base64.b64encode(userdata.encode()).decode()} if userdata else {}
        vm = self.client.deployVirtualMachine(zoneid=self.zone_id, templateid=template["id"], name=name,
                                              serviceofferingid=offering["id"], networkids=network_id,
                                              fetch_result=True, **extra)["virtualmachine"]
        self.vm_ids.append(vm["id"])
        [nic] = self.client.listNics(virtualmachineid=vm["id"], fetch_list=True)
        return {**vm, "ip": nic["ipaddress"], "namespace": namespace_for(vm["id"])}


def _admin_client(server: RunningServer) -> CloudStack:
    http, login = log_in(server.endpoint, "admin", ADMIN_PASSWORD)
    reply = http.get(server.endpoint, params={"command": "registerUserKeys", "id": login["userid"],
                                              "sessionkey": login["sessionkey"], "response": "json"}, timeout=10)
    keys = reply.json()["registeruserkeysresponse"]["userkeys"]
    return CloudStack(endpoint=server.endpoint, key=keys["apikey"], secret=keys["secretkey"], poll_interval=0.2,
                      timeout=120)


def _add_guest_networking(client: CloudStack, zone_id: str) -> None:
    """Physical network, traffic types, the VirtualRouter provider and a public range, as the zone wizard does."""
    physical = client.createPhysicalNetwork(zoneid=zone_id, name="e2e-phys", isolationmethods="VLAN",
                                            fetch_result=True)["physicalnetwork"]
    for traffic in ("Guest", "Management", "Public"):
        client.addTrafficType(physicalnetworkid=physical["id"], traffictype=traffic, fetch_result=True)
    nsp = client.listNetworkServiceProviders(physicalnetworkid=physical["id"], name="VirtualRouter",
                                             fetch_list=True)[0]
    element = client.listVirtualRouterElements(nspid=nsp["id"], fetch_list=True)[0]
    client.configureVirtualRouterElement(id=element["id"], enabled="true", fetch_result=True)
    client.updateNetworkServiceProvider(id=nsp["id"], state="Enabled", fetch_result=True)
    client.updatePhysicalNetwork(id=physical["id"], state="Enabled", vlan="300-310", fetch_result=True)
    client.createVlanIpRange(zoneid=zone_id, vlan="untagged", gateway=PUBLIC_GATEWAY, netmask="255.255.255.0",
                             startip=PUBLIC_START, endip=PUBLIC_END, forvirtualnetwork="true")


def _remove_leftovers(cloud: NetworkedCloud) -> None:
    """Delete what a failed test may have left: guest and router namespaces of this test, then its host."""
    names = [namespace_for(vm_id) for vm_id in cloud.vm_ids]
    names += [f"cirro-vr-{uuid}" for uuid in cloud.network_ids]
    existing = sh("ip", "netns", "list", check=False).stdout
    for name in names + [cloud.host_namespace]:
        if name in existing:
            for pid in sh("ip", "netns", "pids", name, check=False).stdout.split():
                sh("kill", "-9", pid, check=False)
            sh("ip", "netns", "del", name, check=False)


@pytest.fixture(scope="module")
def networked_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkedCloud]:
    _require_data_plane()
    data_dir = tmp_path_factory.mktemp("e2e-networking")
    host_namespace = unique("cirro-nh-")
    sh("ip", "netns", "add", host_namespace)
    server = start_server(data_dir, extra_args=("--demo",))
    client = _admin_client(server)
    cloud = NetworkedCloud(server, client, client.listZones(fetch_list=True)[0]["id"], host_namespace,
                           data_dir / "routers")
    try:
        for name, value in (("network.host.namespace", host_namespace), ("router.state.dir", str(cloud.state_dir)),
                            ("simulator.guest.namespaces", "true")):
            client.updateConfiguration(name=name, value=value)
        _add_guest_networking(client, cloud.zone_id)
        yield cloud
    finally:
        status = server.stop()
        _remove_leftovers(cloud)
        assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


@pytest.fixture
def http_servers() -> Iterator[HttpServers]:
    servers = HttpServers()
    yield servers
    servers.stop_all()


@pytest.fixture
def client_namespace(networked_cloud: NetworkedCloud) -> Iterator[str]:
    """The outside world: a namespace on the public bridge holding the public gateway's address."""
    name = unique("cirro-cl-")
    bridge = bridges.public_bridge_name("vlan://untagged")
    host = networked_cloud.host_namespace
    device = unique("vcl")
    sh("ip", "netns", "add", name)
    try:
        bridges.ensure_bridge(bridge, host)
        sh("ip", "link", "add", device, "type", "veth", "peer", "name", "eth0", "netns", name, namespace=host)
        sh("ip", "link", "set", device, "master", bridge, "up", namespace=host)
        sh("ip", "addr", "add", f"{PUBLIC_GATEWAY}/24", "dev", "eth0", namespace=name)
        sh("ip", "link", "set", "eth0", "up", namespace=name)
        sh("ip", "link", "set", "lo", "up", namespace=name)
        yield name
    finally:
        for pid in sh("ip", "netns", "pids", name, check=False).stdout.split():
            sh("kill", "-9", pid, check=False)
        sh("ip", "netns", "del", name, check=False)
        sh("ip", "link", "del", device, namespace=host, check=False)


def _host_links(namespace: str) -> set[str]:
    lines = sh("ip", "-o", "link", "show", namespace=namespace).stdout.splitlines()
    return {line.split(":", 2)[1].strip().split("@", 1)[0] for line in lines}


def test_an_isolated_network_forwards_balances_filters_and_cleans_up(
        networked_cloud: NetworkedCloud, client_namespace: str, http_servers: HttpServers) -> None:
    cloud, client = networked_cloud, networked_cloud.client
    links_before = _host_links(cloud.host_namespace)
    network = cloud.create_network("e2e-net")
    web1 = cloud.deploy("web-1", network["id"], userdata="#cloud-config\nhostname: web-1\n")
    web2 = cloud.deploy("web-2", network["id"])

    # each guest takes its lease and resolves the other by name through the router
    for vm in (web1, web2):
        wait_for(lambda vm=vm: guest_address(vm["namespace"]) == vm["ip"], f"the DHCP lease of {vm['name']}", 30)
    assert sh("dig", "+short", f"@{GUEST_GATEWAY}", f"web-2.{NETWORK_DOMAIN}",
              namespace=web1["namespace"]).stdout.split() == [web2["ip"]]
    assert sh("dig", "+short", f"@{GUEST_GATEWAY}", "web-1", namespace=web2["namespace"]).stdout.split() == [web1["ip"]]

    # the guest fetches its user data from the router
    assert fetch(web1["namespace"], f"http://{GUEST_GATEWAY}/latest/user-data") == "#cloud-config\nhostname: web-1\n"

    source_nat = client.listPublicIpAddresses(associatednetworkid=network["id"], issourcenat="true",
                                              fetch_list=True)[0]
    public_ip = source_nat["ipaddress"]

    # the default offering denies egress until an egress rule allows it; then it leaves as the public IP
    http_servers.echo_client_address(client_namespace, PUBLIC_GATEWAY, 9000)
    assert fetch(web1["namespace"], f"http://{PUBLIC_GATEWAY}:9000/", timeout=1) == "", "egress is denied by default"
    client.createEgressFirewallRule(networkid=network["id"], protocol="tcp", startport=9000, endport=9000,
                                    cidrlist="0.0.0.0/0", fetch_result=True)
    wait_for(lambda: fetch(web1["namespace"], f"http://{PUBLIC_GATEWAY}:9000/") == public_ip,
             f"web-1's request arriving from {public_ip}", 15)

    # port forwarding, opened by a firewall rule and closed again when it goes
    http_servers.serve(web1["namespace"], web1["ip"], 8000, "web-1")
    http_servers.serve(web2["namespace"], web2["ip"], 8000, "web-2")
    client.createPortForwardingRule(ipaddressid=source_nat["id"], protocol="tcp", publicport=8080, privateport=8000,
                                    virtualmachineid=web1["id"], openfirewall="false", fetch_result=True)
    assert fetch(client_namespace, f"http://{public_ip}:8080/", timeout=1) == "", "no firewall rule opens it yet"
    opened = client.createFirewallRule(ipaddressid=source_nat["id"], protocol="tcp", startport=8080,
                                       fetch_result=True)["firewallrule"]
    wait_for(lambda: fetch(client_namespace, f"http://{public_ip}:8080/") == "web-1",
             "web-1 through the port forwarding rule", 15)
    client.deleteFirewallRule(id=opened["id"], fetch_result=True)
    assert fetch(client_namespace, f"http://{public_ip}:8080/", timeout=1) == "", "the removed rule closes the port"

    # a load balancer rule over both guests (its firewall rule opened with it)
    rule = client.createLoadBalancerRule(publicipid=source_nat["id"], name="web", algorithm="roundrobin",
                                         publicport=80, privateport=8000, fetch_result=True)["loadbalancer"]
    client.assignToLoadBalancerRule(id=rule["id"], virtualmachineids=f"{web1['id']},{web2['id']}", fetch_result=True)
    # haproxy checks its members before it sends them traffic, so wait until both are in rotation
    wait_for(lambda: {fetch(client_namespace, f"http://{public_ip}/") for _ in range(4)} == {"web-1", "web-2"},
             "both guests answering through the load balancer", 20)
    answers = {fetch(client_namespace, f"http://{public_ip}/") for _ in range(6)}
    assert answers == {"web-1", "web-2"}, f"round robin over both guests answered {answers}"

    # restartNetwork with cleanup rebuilds the router from the database; it converges to the same rules
    client.restartNetwork(id=network["id"], cleanup="true", fetch_result=True)
    wait_for(lambda: {fetch(client_namespace, f"http://{public_ip}/") for _ in range(4)} == {"web-1", "web-2"},
             "both guests through the rebuilt router's load balancer", 20)
    assert fetch(client_namespace, f"http://{public_ip}:8080/", timeout=1) == "", "the removed rule stays removed"
    assert sh("dig", "+short", f"@{GUEST_GATEWAY}", "web-1", namespace=web2["namespace"]).stdout.split() == [web1["ip"]]

    # deleting the network (after its VMs) leaves nothing of it behind
    implemented = client.listNetworks(id=network["id"], listall="true", fetch_list=True)[0]
    for vm in (web1, web2):
        client.destroyVirtualMachine(id=vm["id"], expunge="true", fetch_result=True)
    client.deleteNetwork(id=network["id"], fetch_result=True)
    namespaces = sh("ip", "netns", "list").stdout
    assert f"cirro-vr-{network['id']}" not in namespaces
    assert not [vm["namespace"] for vm in (web1, web2) if vm["namespace"] in namespaces]
    leftover = subprocess.run(["pgrep", "-f", network["id"]], capture_output=True, text=True).stdout.split()
    assert leftover == [], f"processes of the deleted network still run: {leftover}"
    assert not (cloud.state_dir / network["id"]).exists()
    # the guest bridge of the network's VLAN goes with it; the public bridge stays for the zone's other networks
    guest_bridge = bridges.bridge_name(implemented["broadcasturi"])
    assert guest_bridge not in _host_links(cloud.host_namespace)
    public_bridge = bridges.public_bridge_name("vlan://untagged")
    new_links = _host_links(cloud.host_namespace) - links_before - {public_bridge}
    assert not [link for link in new_links if not link.startswith("vcl")], \
        f"devices of the deleted network remain on the network host: {new_links}"

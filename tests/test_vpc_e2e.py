"""A VPC end to end with real packets, through `cirro serve --demo` and the unmodified `cs` client.

A VPC (10.30.0.0/16) with two tiers, web (10.30.1.0/24) and db (10.30.2.0/24), and a namespace-backed
simulator VM in each: both take their DHCP lease from the VPC's one router (each tier from its own gateway).
With the default_deny ACL list nothing crosses; once web has default_allow and db a list of its own, web
reaches db's HTTP server across the tiers, egress from either tier leaves as the VPC's source NAT address, a
Deny numbered before the Allow closes the port again; port forwarding, a load balancer rule and static NAT
on other VPC addresses reach the guests as far as the tier's ACL lets them; restartVPC keeps all of it
working, and once the VMs, the tiers and the VPC are deleted no namespace, process, file or device of the
VPC is left.

Everything lives in namespaces of this test (the network host namespace, the outside client, and the router
and guests the server makes inside it) on 10.29.0.0/24 (public) and 10.30.0.0/16 (the VPC), and is removed
afterwards even when the test fails. Without root or the data-plane programs the test skips, except with
CI=true, where it fails.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cs import CloudStack

from cirrostack.router import bridges
from cirrostack.router.vpc_config import vpc_namespace
from cirrostack.services.networks.zone_wizard import GuestNetworking, set_up_guest_networking
from cirrostack.simulator.guest_netns import namespace_for
from tests.fixtures.server import ADMIN_PASSWORD, RunningServer, log_in, start_server
from tests.netns import remove_namespace
from tests.router.conftest import HttpServers, _require_data_plane, fetch, guest_address, sh, unique, wait_for

PUBLIC = GuestNetworking(physical_network_name="vpc-phys", guest_vlans="400-410", public_gateway="10.29.0.1",
                         public_start="10.29.0.10", public_end="10.29.0.20")
VPC_CIDR, WEB_GATEWAY, DB_GATEWAY = "10.30.0.0/16", "10.30.1.1", "10.30.2.1"
LB_TIER_OFFERING, TIER_OFFERING = ("DefaultIsolatedNetworkOfferingForVpcNetworks",
                                   "DefaultIsolatedNetworkOfferingForVpcNetworksNoLB")


@dataclass
class VpcCloud:
    """A running server whose demo zone has guest networking with the VPC router, plumbed into this test's
    network host."""

    server: RunningServer
    client: CloudStack
    zone_id: str
    host_namespace: str
    state_dir: Path
    owner: dict[str, str] = field(default_factory=dict)  # account and domainid of the VPC's tenant
    vm_ids: list[str] = field(default_factory=list)  # their guest namespaces are named after them
    vpc_ids: list[str] = field(default_factory=list)

    def run(self, command: str, object_name: str, **params: Any) -> Any:
        """The zone wizard's runner over the `cs` client."""
        method = getattr(self.client, command)
        if command.startswith("list"):
            return method(fetch_list=True, **params)
        return method(fetch_result=True, **params)[object_name]

    def tier(self, vpc: dict, name: str, gateway: str, offering_name: str = TIER_OFFERING) -> dict:
        offering = self.client.listNetworkOfferings(name=offering_name, fetch_list=True)[0]
        return self.client.createNetwork(name=name, displaytext=name, zoneid=self.zone_id, vpcid=vpc["id"],
                                         networkofferingid=offering["id"], gateway=gateway,
                                         netmask="255.255.255.0", **self.owner)["network"]

    def deploy(self, name: str, network_id: str) -> dict:
        """A running VM on `network_id`, with its NIC address and guest namespace."""
        template = self.client.listTemplates(templatefilter="featured", zoneid=self.zone_id, fetch_list=True)[0]
        offering = next(row for row in self.client.listServiceOfferings(fetch_list=True)
                        if row["name"] == "Small Instance")
        vm = self.client.deployVirtualMachine(zoneid=self.zone_id, templateid=template["id"], name=name,
                                              serviceofferingid=offering["id"], networkids=network_id,
                                              fetch_result=True, **self.owner)["virtualmachine"]
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


def _tenant(client: CloudStack) -> dict[str, str]:
    """The VPC's owner: the third account of a fresh cloud. Guest namespaces are named after instance names
    (i-<account id>-<vm id>-VM), which start again at i-1-1-VM in every fresh database; an account id no
    other test's first VMs have keeps this test's guests apart from theirs on a shared machine."""
    domain = client.listDomains(fetch_list=True)[0]
    for name in ("vpc-spare-1", "vpc-spare-2", "vpc-tenant"):
        client.createAccount(accounttype=0, email=f"{name}@example.org", firstname=name, lastname="Tenant",
                             username=name, password="vpc-tenant-pw", domainid=domain["id"])
    return {"account": "vpc-tenant", "domainid": domain["id"]}


def _remove_leftovers(cloud: VpcCloud) -> None:
    """Delete what a failed test may have left: guest and VPC router namespaces of this test, then its host."""
    names = [namespace_for(vm_id) for vm_id in cloud.vm_ids]
    names += [vpc_namespace(uuid) for uuid in cloud.vpc_ids]
    existing = sh("ip", "netns", "list", check=False).stdout
    for name in names + [cloud.host_namespace]:
        if name in existing:
            remove_namespace(name)


@pytest.fixture(scope="module")
def vpc_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VpcCloud]:
    _require_data_plane()
    data_dir = tmp_path_factory.mktemp("e2e-vpc")
    host_namespace = unique("cirro-nh-")
    sh("ip", "netns", "add", host_namespace)
    server = None
    try:  # a server that does not come up must not leave the host namespace behind
        server = start_server(data_dir, extra_args=("--demo",))
        client = _admin_client(server)
    except BaseException:
        if server is not None:
            server.stop()
        remove_namespace(host_namespace)
        raise
    cloud = VpcCloud(server, client, client.listZones(fetch_list=True)[0]["id"], host_namespace,
                     data_dir / "routers")
    try:
        for name, value in (("network.host.namespace", host_namespace), ("router.state.dir", str(cloud.state_dir)),
                            ("simulator.guest.namespaces", "true")):
            client.updateConfiguration(name=name, value=value)
        set_up_guest_networking(cloud.run, cloud.zone_id, PUBLIC)
        cloud.owner = _tenant(client)
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
def outside(vpc_cloud: VpcCloud) -> Iterator[str]:
    """The outside world: a namespace on the public bridge holding the public gateway's address."""
    name, device = unique("cirro-cl-"), unique("vcl")
    host = vpc_cloud.host_namespace
    sh("ip", "netns", "add", name)
    try:
        bridges.ensure_bridge(bridges.public_bridge_name("vlan://untagged"), host)
        sh("ip", "link", "add", device, "type", "veth", "peer", "name", "eth0", "netns", name, namespace=host)
        sh("ip", "link", "set", device, "master", bridges.public_bridge_name("vlan://untagged"), "up", namespace=host)
        sh("ip", "addr", "add", f"{PUBLIC.public_gateway}/24", "dev", "eth0", namespace=name)
        sh("ip", "link", "set", "eth0", "up", namespace=name)
        sh("ip", "link", "set", "lo", "up", namespace=name)
        yield name
    finally:
        remove_namespace(name)
        sh("ip", "link", "del", device, namespace=host, check=False)


def _host_links(namespace: str) -> set[str]:
    lines = sh("ip", "-o", "link", "show", namespace=namespace).stdout.splitlines()
    return {line.split(":", 2)[1].strip().split("@", 1)[0] for line in lines}


def test_a_vpc_routes_between_its_tiers_nats_egress_and_cleans_up(vpc_cloud: VpcCloud, outside: str,
                                                                   http_servers: HttpServers) -> None:
    cloud, client = vpc_cloud, vpc_cloud.client
    links_before = _host_links(cloud.host_namespace)
    offering = client.listVPCOfferings(isdefault="true", fetch_list=True)[0]
    vpc = client.createVPC(name="shop", displaytext="shop", cidr=VPC_CIDR, zoneid=cloud.zone_id,
                           vpcofferingid=offering["id"], fetch_result=True, **cloud.owner)["vpc"]
    cloud.vpc_ids.append(vpc["id"])
    [source_nat] = client.listPublicIpAddresses(vpcid=vpc["id"], issourcenat="true", listall="true",
                                                fetch_list=True)
    web_tier = cloud.tier(vpc, "web", WEB_GATEWAY, LB_TIER_OFFERING)
    db_tier = cloud.tier(vpc, "db", DB_GATEWAY)
    web = cloud.deploy("web-1", web_tier["id"])
    db = cloud.deploy("db-1", db_tier["id"])

    # one router for the VPC, one interface per tier; each guest takes its lease from its tier's gateway
    assert vpc_namespace(vpc["id"]) in sh("ip", "netns", "list").stdout
    for vm, gateway in ((web, WEB_GATEWAY), (db, DB_GATEWAY)):
        wait_for(lambda vm=vm: guest_address(vm["namespace"]) == vm["ip"], f"the DHCP lease of {vm['name']}", 30)
        route = sh("ip", "-4", "route", "show", "default", namespace=vm["namespace"]).stdout
        assert f"via {gateway} " in route, f"{vm['name']}'s default route: {route}"
    assert sh("dig", "+short", f"@{WEB_GATEWAY}", "web-1", namespace=web["namespace"]).stdout.split() == [web["ip"]]

    # a new tier starts with the default_deny ACL list: nothing enters db, nothing leaves either tier
    http_servers.serve(db["namespace"], db["ip"], 8000, "db-1")
    http_servers.echo_client_address(outside, PUBLIC.public_gateway, 9000)
    assert web_tier["aclid"] == db_tier["aclid"]
    assert fetch(web["namespace"], f"http://{db['ip']}:8000/", timeout=1) == ""
    for vm in (web, db):
        assert fetch(vm["namespace"], f"http://{PUBLIC.public_gateway}:9000/", timeout=1) == ""

    # web gets default_allow; db a list of its own: HTTP in from web's CIDR, anything out
    defaults = {acl["name"]: acl for acl in client.listNetworkACLLists(fetch_list=True)}
    acl = client.createNetworkACLList(name="db-acl", description="db", vpcid=vpc["id"],
                                      fetch_result=True)["networkacllist"]
    client.createNetworkACL(aclid=acl["id"], protocol="tcp", startport=8000, endport=8000, cidrlist="10.30.1.0/24",
                            number=10, fetch_result=True)
    client.createNetworkACL(aclid=acl["id"], protocol="all", traffictype="Egress", number=20, fetch_result=True)
    client.replaceNetworkACLList(aclid=defaults["default_allow"]["id"], networkid=web_tier["id"], fetch_result=True)
    client.replaceNetworkACLList(aclid=acl["id"], networkid=db_tier["id"], fetch_result=True)

    # web reaches db across the tiers, through the VPC router
    assert fetch(web["namespace"], f"http://{db['ip']}:8000/") == "db-1"
    # egress of either tier leaves as the VPC's source NAT address
    for vm in (web, db):
        assert fetch(vm["namespace"], f"http://{PUBLIC.public_gateway}:9000/") == source_nat["ipaddress"]
    # and nothing from outside reaches a tier: there is no port forwarding
    assert fetch(outside, f"http://{db['ip']}:8000/", timeout=1) == ""

    # a Deny numbered before the Allow closes the port; deleting it opens it again
    deny = client.createNetworkACL(aclid=acl["id"], protocol="tcp", startport=8000, cidrlist="10.30.1.0/24",
                                   action="Deny", number=5, fetch_result=True)["networkacl"]
    assert fetch(web["namespace"], f"http://{db['ip']}:8000/", timeout=1) == ""
    client.deleteNetworkACL(id=deny["id"], fetch_result=True)
    assert fetch(web["namespace"], f"http://{db['ip']}:8000/") == "db-1"

    # port forwarding from another VPC address to web (default_allow lets it in)
    http_servers.serve(web["namespace"], web["ip"], 8000, "web-1")
    forwarded = client.associateIpAddress(vpcid=vpc["id"], fetch_result=True)["ipaddress"]
    client.createPortForwardingRule(ipaddressid=forwarded["id"], networkid=web_tier["id"], protocol="tcp",
                                    publicport=8080, privateport=8000, virtualmachineid=web["id"], fetch_result=True)
    assert fetch(outside, f"http://{forwarded['ipaddress']}:8080/") == "web-1"

    # a load balancer rule on the same address: haproxy in the VPC's router sends port 80 to web
    rule = client.createLoadBalancerRule(publicipid=forwarded["id"], networkid=web_tier["id"], name="web",
                                         algorithm="roundrobin", publicport=80, privateport=8000,
                                         fetch_result=True)["loadbalancer"]
    client.assignToLoadBalancerRule(id=rule["id"], virtualmachineids=web["id"], fetch_result=True)
    wait_for(lambda: fetch(outside, f"http://{forwarded['ipaddress']}/") == "web-1", "web-1 behind haproxy", 20)

    # static NAT to db: its ACL lets only web's CIDR in until a rule opens the port to everyone
    mapped = client.associateIpAddress(vpcid=vpc["id"], fetch_result=True)["ipaddress"]
    client.enableStaticNat(ipaddressid=mapped["id"], virtualmachineid=db["id"], networkid=db_tier["id"])
    assert fetch(outside, f"http://{mapped['ipaddress']}:8000/", timeout=1) == ""
    client.createNetworkACL(aclid=acl["id"], protocol="tcp", startport=8000, endport=8000, cidrlist="0.0.0.0/0",
                            number=30, fetch_result=True)
    assert fetch(outside, f"http://{mapped['ipaddress']}:8000/") == "db-1"
    assert fetch(db["namespace"], f"http://{PUBLIC.public_gateway}:9000/") == mapped["ipaddress"]

    # restartVPC pushes every tier again and changes nothing that works
    restarted = client.restartVPC(id=vpc["id"], fetch_result=True)["vpc"]
    assert sorted(tier["name"] for tier in restarted["network"]) == ["db", "web"]
    assert fetch(web["namespace"], f"http://{db['ip']}:8000/") == "db-1"
    assert fetch(outside, f"http://{forwarded['ipaddress']}:8080/") == "web-1"
    assert fetch(outside, f"http://{mapped['ipaddress']}:8000/") == "db-1"

    # the VPC goes once its VMs and tiers are gone, and leaves nothing behind
    with pytest.raises(Exception, match="still has tiers"):
        client.deleteVPC(id=vpc["id"], fetch_result=True)
    for vm in (web, db):
        client.destroyVirtualMachine(id=vm["id"], expunge="true", fetch_result=True)
    client.deleteNetwork(id=web_tier["id"], fetch_result=True)
    assert vpc_namespace(vpc["id"]) in sh("ip", "netns", "list").stdout, "the db tier still needs the router"
    assert fetch(db["namespace"], f"http://{PUBLIC.public_gateway}:9000/") == "", "db-1 is gone"
    client.deleteNetwork(id=db_tier["id"], fetch_result=True)
    client.deleteVPC(id=vpc["id"], fetch_result=True)
    namespaces = sh("ip", "netns", "list").stdout
    assert vpc_namespace(vpc["id"]) not in namespaces
    assert not [vm["namespace"] for vm in (web, db) if vm["namespace"] in namespaces]
    leftover = subprocess.run(["pgrep", "-f", vpc["id"]], capture_output=True, text=True).stdout.split()
    assert leftover == [], f"processes of the deleted VPC still run: {leftover}"
    assert not (cloud.state_dir / f"vpc-{vpc['id']}").exists()
    public_bridge = bridges.public_bridge_name("vlan://untagged")
    new_links = _host_links(cloud.host_namespace) - links_before - {public_bridge}
    assert not [link for link in new_links if not link.startswith("vcl")], \
        f"devices of the deleted VPC remain on the network host: {new_links}"
    for address in (source_nat, forwarded, mapped):
        assert client.listPublicIpAddresses(ipaddress=address["ipaddress"], listall="true", fetch_list=True) == []

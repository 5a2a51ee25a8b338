"""A deploy on an isolated network drives the real VirtualRouter: the network is implemented with its source NAT
address, the router shows in listRouters, the router monitor sees a killed dnsmasq, restartNetwork with cleanup
rebuilds it, and deleting the network leaves no router namespace behind.

Everything runs in a network host namespace of the test's own (setting `network.host.namespace`), on the
test's private addresses (10.24.0.0/24 public, 10.25.0.0/24 guest). Without root or the data-plane programs
the test skips, except with CI=true, where it fails.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from cirrostack.db.models.networks import Network
from cirrostack.demo import build_demo_zone
from cirrostack.router.namespace_backend import router_namespace
from cirrostack.services.networks.router_monitor import RouterMonitor
from cirrostack.services.networks.service_network import service_network
from cirrostack.services.networks.zone_wizard import GuestNetworking, set_up_guest_networking
from tests.netns import namespaces, owned_host_namespace
from tests.networks_zone import DEFAULT_SOURCE_NAT_OFFERING, finished, ok

PROGRAMS = ("ip", "iptables-restore", "dnsmasq", "haproxy")


@pytest.fixture
def owned_namespaces() -> Iterator[list[str]]:
    """The test's network host namespace first; the test appends its routers' namespaces (see owned_host_namespace)."""
    with owned_host_namespace(PROGRAMS, "the router integration test", "nm") as owned:
        yield owned


def _config(api, name: str, value: str) -> None:
    assert ok(api.root("updateConfiguration", name=name, value=value))["configuration"]["value"] == value


def test_a_deploy_implements_its_network_on_the_virtual_router(operator_api, owned_namespaces, tmp_path):
    api, host_namespace = operator_api, owned_namespaces[0]
    _config(api, "network.host.namespace", host_namespace)
    _config(api, "router.state.dir", str(tmp_path / "routers"))
    assert build_demo_zone(api.server, announce=lambda _line: None) is not None
    zone = ok(api.root("listZones"))["zone"][0]["id"]

    def run(command: str, object_name: str, **params: str):
        reply = api.root(command, **params)
        return (finished(api, reply) if command in _ASYNC else ok(reply))[object_name]

    set_up_guest_networking(run, zone, GuestNetworking(guest_vlans="200-210", public_gateway="10.24.0.1",
                                                       public_start="10.24.0.10", public_end="10.24.0.20"))
    offering = ok(api.root("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
    alice = api.user("alice")
    network = ok(alice("createNetwork", name="web", displaytext="web", zoneid=zone, networkofferingid=offering["id"],
                       gateway="10.25.0.1", netmask="255.255.255.0"))["network"]
    owned_namespaces.append(router_namespace(network["id"]))
    template = ok(api.root("listTemplates", templatefilter="featured"))["template"][0]["id"]
    small = next(o["id"] for o in ok(api.root("listServiceOfferings"))["serviceoffering"]
                 if o["name"] == "Small Instance")
    vm = finished(api, alice("deployVirtualMachine", zoneid=zone, templateid=template, serviceofferingid=small,
                             name="web-1", networkids=network["id"]))["virtualmachine"]
    assert vm["state"] == "Running"
    nics = ok(alice("listNics", virtualmachineid=vm["id"]))["nic"]
    assert [(n["ipaddress"], n["gateway"], n["isdefault"]) for n in nics] == [("10.25.0.2", "10.25.0.1", True)]

    implemented = ok(api.root("listNetworks", id=network["id"]))["network"][0]
    assert implemented["state"] == "Implemented" and implemented["vlan"] == "200"
    source_nat = ok(alice("listPublicIpAddresses", issourcenat="true"))["publicipaddress"]
    assert [ip["ipaddress"] for ip in source_nat] == ["10.24.0.10"]
    router = ok(api.root("listRouters", networkid=network["id"]))["router"][0]
    assert (router["state"], router["publicip"], router["guestipaddress"]) == ("Running", "10.24.0.10", "10.25.0.1")
    assert router_namespace(network["id"]) in namespaces()

    monitor = RouterMonitor(api.server.database, api.server.registry, api.server.secrets, interval=3600)
    assert [health.healthy for health in monitor.check_all()] == [True]
    _kill_dnsmasq(router_namespace(network["id"]))
    found = monitor.check_all()
    assert len(found) == 1 and not found[0].healthy and any("dnsmasq" in p for p in found[0].problems)
    router = ok(api.root("listRouters", id=router["id"]))["router"][0]
    assert router["healthcheckfailed"] is True and "dnsmasq" in router["healthproblems"]
    alerts = ok(api.root("listAlerts", type="9"))["alert"]
    assert any(router["name"] in alert["description"] for alert in alerts)

    finished(api, alice("restartNetwork", id=network["id"], cleanup="true"))
    assert [health.healthy for health in monitor.check_all()] == [True]

    stopped = finished(api, api.root("stopRouter", id=router["id"]))["router"]
    assert stopped["state"] == "Stopped" and router_namespace(network["id"]) not in namespaces()
    started = finished(api, api.root("startRouter", id=router["id"]))["router"]
    assert started["state"] == "Running" and router_namespace(network["id"]) in namespaces()
    assert finished(api, api.root("rebootRouter", id=router["id"]))["router"]["state"] == "Running"
    assert _leases(api, network["id"]) == {("10.25.0.2", "web-1")}

    dhcp_only = ok(api.root("createNetworkOffering", name="dhcp-only", displaytext="DHCP only", traffictype="Guest",
                            guestiptype="Isolated", supportedservices="Dhcp,Dns,UserData"))["networkoffering"]
    ok(api.root("updateNetworkOffering", id=dhcp_only["id"], state="Enabled"))
    changed = finished(api, alice("updateNetwork", id=network["id"], networkofferingid=dhcp_only["id"]))["network"]
    assert (changed["networkofferingname"], changed["state"]) == ("dhcp-only", "Implemented")
    assert "publicipaddress" not in ok(alice("listPublicIpAddresses"))  # no SourceNat: the address went back
    assert _leases(api, network["id"]) == {("10.25.0.2", "web-1")}

    assert _leases(api, network["id"]) == {("10.25.0.2", "web-1")}
    finished(api, api.root("destroyVirtualMachine", id=vm["id"], expunge="true"))
    assert _leases(api, network["id"]) == set()  # the expunge pushed the network again
    finished(api, alice("deleteNetwork", id=network["id"]))
    assert router_namespace(network["id"]) not in namespaces()
    assert "router" not in ok(api.root("listRouters", listall="true"))
    assert "publicipaddress" not in ok(alice("listPublicIpAddresses"))


_ASYNC = {"createPhysicalNetwork", "addTrafficType", "configureVirtualRouterElement", "updateNetworkServiceProvider",
          "configureInternalLoadBalancerElement", "updatePhysicalNetwork"}


def _leases(api, network_uuid: str) -> set[tuple[str, str]]:
    """The DHCP leases the router enforces now, read back through the provider."""
    with api.server.database.session() as session:
        network = session.scalars(select(Network).where(Network.uuid == network_uuid)).one()
        applied = api.server.registry.network_provider("VirtualRouter").applied_config(
            service_network(session, network))
    return {(entry.ip_address, entry.hostname) for entry in applied.dhcp_entries}


def _kill_dnsmasq(namespace: str) -> None:
    pids = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout.split()
    killed = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if comm.read().strip() == "dnsmasq":
                    subprocess.run(["kill", "-9", pid], check=True)
                    killed += 1
        except FileNotFoundError:
            continue
    assert killed, f"no dnsmasq ran in {namespace}"


def test_vms_starting_at_once_on_one_network_share_one_router_and_source_nat(operator_api, owned_namespaces,
                                                                             tmp_path):
    api = operator_api
    _config(api, "network.host.namespace", owned_namespaces[0])
    _config(api, "router.state.dir", str(tmp_path / "routers"))
    assert build_demo_zone(api.server, announce=lambda _line: None) is not None
    zone = ok(api.root("listZones"))["zone"][0]["id"]

    def run(command: str, object_name: str, **params: str):
        reply = api.root(command, **params)
        return (finished(api, reply) if command in _ASYNC else ok(reply))[object_name]

    set_up_guest_networking(run, zone, GuestNetworking(guest_vlans="220-230", public_gateway="10.26.0.1",
                                                       public_start="10.26.0.10", public_end="10.26.0.20"))
    offering = ok(api.root("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
    network = ok(api.root("createNetwork", name="busy", displaytext="busy", zoneid=zone,
                          networkofferingid=offering["id"], gateway="10.27.0.1", netmask="255.255.255.0"))["network"]
    owned_namespaces.append(router_namespace(network["id"]))
    template = ok(api.root("listTemplates", templatefilter="featured"))["template"][0]["id"]
    small = next(o["id"] for o in ok(api.root("listServiceOfferings"))["serviceoffering"]
                 if o["name"] == "Small Instance")
    jobs = [ok(api.root("deployVirtualMachine", zoneid=zone, templateid=template, serviceofferingid=small,
                        name=f"vm-{n}", networkids=network["id"]))["jobid"] for n in range(4)]
    results = [api.job_result(job) for job in jobs]
    assert [result["jobstatus"] for result in results] == [1, 1, 1, 1], results
    routers = ok(api.root("listRouters", networkid=network["id"]))["router"]
    assert len(routers) == 1 and routers[0]["state"] == "Running"
    nat = ok(api.root("listPublicIpAddresses", associatednetworkid=network["id"], listall="true"))["publicipaddress"]
    assert [ip["issourcenat"] for ip in nat] == [True]
    assert len(_leases(api, network["id"])) == 4
    for result in results:
        finished(api, api.root("destroyVirtualMachine", id=result["jobresult"]["virtualmachine"]["id"],
                               expunge="true"))
    finished(api, api.root("deleteNetwork", id=network["id"]))

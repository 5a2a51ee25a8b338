"""A VPC's router as a Router row, in process with the real VpcVirtualRouter: listRouters shows it (by vpcid,
by a tier's networkid, forvpc, and unfiltered for the root admin) Running with the VPC's id, its source NAT
address and a NIC per tier; stopRouter removes its namespace, startRouter and rebootRouter bring back the
tier's leases and tables; the router monitor reports a namespace removed by hand, with an alert and an
event, and restartVPC rebuilds it; destroyRouter removes the row and restartVPC makes a new router; the router
of a VPC created with start=false comes with its first tier in use, stays Running once the tier is deleted,
and deleteVPC removes it with its row.

Everything runs in a network host namespace of the test's own (setting `network.host.namespace`) on
10.26.0.0/24 (public) and 10.27.0.0/16 (the VPC). Without root or the data-plane programs the test skips,
except with CI=true, where it fails.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from cirrostack.db.models.networks import Network
from cirrostack.demo import build_demo_zone
from cirrostack.router.vpc_config import vpc_namespace
from cirrostack.services.networks.router_monitor import RouterMonitor
from cirrostack.services.networks.service_network import service_network
from cirrostack.services.networks.zone_wizard import GuestNetworking, set_up_guest_networking
from tests.netns import namespaces, owned_host_namespace, remove_namespace
from tests.networks_zone import finished, ok

PROGRAMS = ("ip", "iptables-restore", "iptables-save", "dnsmasq", "haproxy")
PUBLIC = GuestNetworking(physical_network_name="vpc-rows-phys", guest_vlans="220-230", public_gateway="10.26.0.1",
                         public_start="10.26.0.10", public_end="10.26.0.20")
TIER_OFFERING = "DefaultIsolatedNetworkOfferingForVpcNetworksNoLB"
_ASYNC = {"createPhysicalNetwork", "addTrafficType", "configureVirtualRouterElement", "updateNetworkServiceProvider",
          "configureInternalLoadBalancerElement", "updatePhysicalNetwork"}


@pytest.fixture
def owned_namespaces() -> Iterator[list[str]]:
    """The network host namespace, then its VPC router's namespace (see owned_host_namespace)."""
    with owned_host_namespace(PROGRAMS, "the VPC router test", "vr") as owned:
        yield owned


def _tables(namespace: str) -> list[str]:
    """The router's nat and filter tables without comments and counters, to compare two loads."""
    saved = subprocess.run(["ip", "netns", "exec", namespace, "iptables-save"], capture_output=True, text=True,
                           check=True).stdout
    return [re.sub(r"\s*\[\d+:\d+\]$", "", line) for line in saved.splitlines() if not line.startswith("#")]


def _leases(api, tier_uuid: str) -> set[str]:
    """The DHCP addresses the VPC's router serves on the tier now, read back through the provider."""
    with api.server.database.session() as session:
        tier = session.scalars(select(Network).where(Network.uuid == tier_uuid)).one()
        applied = api.server.registry.network_provider("VpcVirtualRouter").applied_config(
            service_network(session, tier))
    return {entry.ip_address for entry in applied.dhcp_entries}


def _routers(api, **params: str) -> list[dict]:
    return ok(api.root("listRouters", **params)).get("router", [])


def test_the_vpc_router_is_listed_powered_monitored_and_removed_with_its_vpc(operator_api, owned_namespaces,
                                                                             tmp_path):
    api, host_namespace = operator_api, owned_namespaces[0]
    for name, value in (("network.host.namespace", host_namespace), ("router.state.dir", str(tmp_path / "r"))):
        assert ok(api.root("updateConfiguration", name=name, value=value))["configuration"]["value"] == value
    assert build_demo_zone(api.server, announce=lambda _line: None) is not None
    zone = ok(api.root("listZones"))["zone"][0]["id"]

    def run(command: str, object_name: str, **params: str):
        reply = api.root(command, **params)
        return (finished(api, reply) if command in _ASYNC else ok(reply))[object_name]

    set_up_guest_networking(run, zone, PUBLIC)
    alice = api.user("alice")
    vpc_offering = ok(api.root("listVPCOfferings", isdefault="true"))["vpcoffering"][0]
    vpc = finished(api, alice("createVPC", name="shop", displaytext="shop", cidr="10.27.0.0/16", zoneid=zone,
                              vpcofferingid=vpc_offering["id"], start="false"))["vpc"]
    owned_namespaces.append(vpc_namespace(vpc["id"]))
    assert _routers(api, vpcid=vpc["id"]) == []  # start=false: the router comes with the first tier in use
    offering = ok(api.root("listNetworkOfferings", name=TIER_OFFERING))["networkoffering"][0]
    tier = ok(alice("createNetwork", name="web", displaytext="web", zoneid=zone, vpcid=vpc["id"],
                    networkofferingid=offering["id"], gateway="10.27.1.1", netmask="255.255.255.0"))["network"]
    template = ok(api.root("listTemplates", templatefilter="featured"))["template"][0]["id"]
    small = next(o["id"] for o in ok(api.root("listServiceOfferings"))["serviceoffering"]
                 if o["name"] == "Small Instance")
    vm = finished(api, alice("deployVirtualMachine", zoneid=zone, templateid=template, serviceofferingid=small,
                             name="web-1", networkids=tier["id"]))["virtualmachine"]
    vm_ip = ok(alice("listNics", virtualmachineid=vm["id"]))["nic"][0]["ipaddress"]
    [source_nat] = ok(alice("listPublicIpAddresses", vpcid=vpc["id"], issourcenat="true"))["publicipaddress"]

    # listed once, by the VPC, by its tier, as a VPC router, and among all routers
    [router] = _routers(api, vpcid=vpc["id"])
    assert (router["state"], router["vpcid"], router["vpcname"], router["publicip"], router["isredundantrouter"]) \
        == ("Running", vpc["id"], "shop", source_nat["ipaddress"], False)
    assert [(nic["networkid"], nic["ipaddress"], nic["netmask"]) for nic in router["nic"]] \
        == [(tier["id"], "10.27.1.1", "255.255.255.0")]
    assert [r["id"] for r in _routers(api, networkid=tier["id"])] == [router["id"]]
    assert [r["id"] for r in _routers(api, forvpc="true")] == [router["id"]]
    assert router["id"] not in [r["id"] for r in _routers(api, forvpc="false")]
    assert router["id"] in [r["id"] for r in _routers(api)]
    assert vpc_namespace(vpc["id"]) in namespaces()

    # a rule of the tier: port forwarding from another VPC address to the VM
    forwarded = finished(api, alice("associateIpAddress", vpcid=vpc["id"]))["ipaddress"]
    finished(api, alice("createPortForwardingRule", ipaddressid=forwarded["id"], networkid=tier["id"],
                        protocol="tcp", publicport="8080", privateport="80", virtualmachineid=vm["id"]))
    tables = _tables(vpc_namespace(vpc["id"]))
    assert any(f"-d {forwarded['ipaddress']}/32" in line and f"--to-destination {vm_ip}:80" in line
               for line in tables), tables
    assert _leases(api, tier["id"]) == {vm_ip}
    monitor = RouterMonitor(api.server.database, api.server.registry, api.server.secrets, interval=3600)
    assert [(health.router_uuid, health.healthy) for health in monitor.check_all()] == [(router["id"], True)]

    # stop: the namespace goes; start: the tier's leases and tables come back as they were
    stopped = finished(api, api.root("stopRouter", id=router["id"]))["router"]
    assert stopped["state"] == "Stopped" and "nic" not in stopped
    assert vpc_namespace(vpc["id"]) not in namespaces()
    assert monitor.check_all() == []  # a Stopped router is not checked
    status, body = api.root("stopRouter", id=router["id"])
    job = api.job_result(body["jobid"]) if status == 200 else {"jobresult": body}
    assert "is already Stopped" in job["jobresult"]["errortext"]
    started = finished(api, api.root("startRouter", id=router["id"]))["router"]
    assert started["state"] == "Running" and vpc_namespace(vpc["id"]) in namespaces()
    assert _tables(vpc_namespace(vpc["id"])) == tables and _leases(api, tier["id"]) == {vm_ip}
    rebooted = finished(api, api.root("rebootRouter", id=router["id"]))["router"]
    assert rebooted["state"] == "Running" and _tables(vpc_namespace(vpc["id"])) == tables

    # the monitor reports a namespace removed by hand; restartVPC rebuilds it
    remove_namespace(vpc_namespace(vpc["id"]))
    [found] = monitor.check_all()
    assert not found.healthy and any("the router is gone" in problem for problem in found.problems), found
    [unhealthy] = _routers(api, vpcid=vpc["id"])
    assert unhealthy["healthcheckfailed"] is True and "tier web" in unhealthy["healthproblems"]
    assert any(router["name"] in alert["description"] and "VPC shop" in alert["description"]
               for alert in ok(api.root("listAlerts", type="9"))["alert"])
    assert any(event["type"] == "ROUTER.HEALTH.FAILED" for event in ok(api.root("listEvents", listall="true"))["event"])
    finished(api, alice("restartVPC", id=vpc["id"]))
    assert _tables(vpc_namespace(vpc["id"])) == tables and _leases(api, tier["id"]) == {vm_ip}
    assert [health.healthy for health in monitor.check_all()] == [True]

    # destroyRouter removes the row; restartVPC makes a new router
    finished(api, api.root("destroyRouter", id=router["id"]))
    assert _routers(api, vpcid=vpc["id"]) == [] and vpc_namespace(vpc["id"]) not in namespaces()
    finished(api, alice("restartVPC", id=vpc["id"]))
    [rebuilt] = _routers(api, vpcid=vpc["id"])
    assert rebuilt["id"] != router["id"] and rebuilt["state"] == "Running"
    assert _tables(vpc_namespace(vpc["id"])) == tables

    # the router outlives the VPC's last tier; it goes with the VPC
    finished(api, api.root("destroyVirtualMachine", id=vm["id"], expunge="true"))
    finished(api, alice("deleteNetwork", id=tier["id"]))
    assert vpc_namespace(vpc["id"]) in namespaces()
    [alone] = _routers(api, vpcid=vpc["id"])
    assert (alone["state"], alone["publicip"], alone.get("nic", [])) == ("Running", source_nat["ipaddress"], [])
    assert [health.healthy for health in monitor.check_all()] == [True]
    finished(api, alice("deleteVPC", id=vpc["id"]))
    assert _routers(api, listall="true") == [] and vpc_namespace(vpc["id"]) not in namespaces()

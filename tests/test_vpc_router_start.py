"""createVPC starts the VPC's router, as CloudStack 4.3 does: right after the job listRouters shows it Running
with the VPC's source NAT address, its namespace holds that address on the public side and answers a ping
from the public network, its packet filter drops what no tier allows, and the router monitor finds it healthy
without any tier. start=false leaves the VPC without a router until restartVPC; deleteVPC removes the router
and frees its address; a router that cannot be started fails createVPC and leaves no VPC behind.

Everything runs in a network host namespace of the test's own (setting `network.host.namespace`) with an
"outside" namespace on its public bridge holding the public gateway 192.0.2.1. Without root or the
data-plane programs the tests skip, except with CI=true, where they fail. SQLite, then MariaDB.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from cirrostack.db.models.vpc import Vpc
from cirrostack.router import bridges
from cirrostack.router.vpc_config import vpc_namespace
from cirrostack.services.networks.router_monitor import RouterMonitor
from tests.netns import namespaces, remove_namespace, require_data_plane
from tests.networks_zone import build_network_zone, finished, ok

PROGRAMS = ("ip", "iptables-restore", "iptables-save", "ping")
PUBLIC_GATEWAY = "192.0.2.1"


def _in(namespace: str, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", namespace, *argv], capture_output=True, text=True, check=check)


@pytest.fixture
def owned_namespaces() -> Iterator[list[str]]:
    """[network host, outside]; the test appends its VPC routers' namespaces. Each one still there afterwards
    is removed with its processes (never anyone else's)."""
    require_data_plane(PROGRAMS, "the VPC router start test")
    tag = os.getpid() % 100000
    owned = [f"cirro-nh-{tag}-vs", f"cirro-cl-{tag}-vs"]
    try:
        for name in owned:
            subprocess.run(["ip", "netns", "add", name], check=True)
        host, outside = owned
        bridge = bridges.public_bridge_name("vlan://untagged")
        bridges.ensure_bridge(bridge, host)
        subprocess.run(["ip", "-n", host, "link", "add", "vscl", "type", "veth", "peer", "name", "eth0", "netns",
                        outside], check=True)
        subprocess.run(["ip", "-n", host, "link", "set", "vscl", "master", bridge, "up"], check=True)
        _in(outside, "ip", "addr", "add", f"{PUBLIC_GATEWAY}/24", "dev", "eth0")
        _in(outside, "ip", "link", "set", "eth0", "up")
        yield owned
    finally:
        for name in reversed(owned):
            if name in namespaces():
                remove_namespace(name)


def _zone(api, host_namespace: str, state_dir: str) -> tuple[str, str]:
    """The zone's id and the default VPC offering's id, with the routers on `host_namespace`."""
    for name, value in (("network.host.namespace", host_namespace), ("router.state.dir", state_dir)):
        assert ok(api.root("updateConfiguration", name=name, value=value))["configuration"]["value"] == value
    zone = build_network_zone(api, name="vpc-start-zone", vlan="240-249")["zone"]["id"]
    return zone, ok(api.root("listVPCOfferings", isdefault="true"))["vpcoffering"][0]["id"]


def _routers(api, vpc_id: str) -> list[dict]:
    return ok(api.root("listRouters", vpcid=vpc_id, listall="true")).get("router", [])


def _source_nat(client, vpc_id: str) -> list[str]:
    listed = ok(client("listPublicIpAddresses", vpcid=vpc_id, issourcenat="true")).get("publicipaddress", [])
    return [address["ipaddress"] for address in listed]


def _answers_ping(outside: str, address: str) -> bool:
    """Whether `address` answers at least one of three pings from the outside (the first may go to ARP)."""
    return _in(outside, "ping", "-c", "3", "-i", "0.3", "-W", "1", address, check=False).returncode == 0


def test_create_vpc_starts_its_router_holding_the_source_nat_address_and_delete_vpc_removes_it(
        operator_api, owned_namespaces, tmp_path):
    api = operator_api
    host, outside = owned_namespaces
    zone, offering = _zone(api, host, str(tmp_path / "r"))
    alice = api.user("alice")
    vpc = finished(api, alice("createVPC", name="shop", displaytext="shop", cidr="10.29.0.0/16", zoneid=zone,
                              vpcofferingid=offering))["vpc"]
    namespace = vpc_namespace(vpc["id"])
    owned_namespaces.append(namespace)
    [source_nat] = _source_nat(alice, vpc["id"])

    # Running right after the job, without any tier, holding the source NAT address
    [router] = _routers(api, vpc["id"])
    assert (router["state"], router["vpcid"], router["publicip"]) == ("Running", vpc["id"], source_nat)
    assert "nic" not in router or router["nic"] == []
    assert namespace in namespaces()
    assert f"inet {source_nat}/24" in _in(namespace, "ip", "-4", "addr", "show", "dev", "eth1").stdout
    filter_table = _in(namespace, "iptables-save", "-t", "filter").stdout
    assert ":FORWARD DROP" in filter_table and ":INPUT DROP" in filter_table, filter_table
    assert _answers_ping(outside, source_nat)
    assert not _answers_ping(outside, "192.0.2.40")  # a free address of the range: nobody holds it

    # a router without tiers is healthy; one whose packet filter lets everything through is not
    monitor = RouterMonitor(api.server.database, api.server.registry, api.server.secrets, interval=3600)
    assert [(health.router_uuid, health.healthy) for health in monitor.check_all()] == [(router["id"], True)]
    _in(namespace, "iptables", "-P", "FORWARD", "ACCEPT")
    [tampered] = monitor.check_all()
    assert tampered.problems == ("the router's FORWARD policy is ACCEPT, not DROP",), tampered
    finished(api, alice("restartVPC", id=vpc["id"]))
    assert [health.healthy for health in monitor.check_all()] == [True]

    # deleteVPC removes the router and frees its address
    finished(api, alice("deleteVPC", id=vpc["id"]))
    assert namespace not in namespaces()
    assert ok(api.root("listRouters", listall="true")).get("router", []) == []
    assert not _answers_ping(outside, source_nat)
    freed = ok(api.root("listPublicIpAddresses", ipaddress=source_nat, allocatedonly="false"))["publicipaddress"]
    assert [(address["ipaddress"], address["state"]) for address in freed] == [(source_nat, "Free")]
    host_links = _in(host, "ip", "-o", "link", "show").stdout
    assert "vpp" not in host_links, host_links
    assert not (tmp_path / "r" / f"vpc-{vpc['id']}").exists()


def test_start_false_defers_the_router_to_restart_vpc(operator_api, owned_namespaces, tmp_path):
    api = operator_api
    host, outside = owned_namespaces
    zone, offering = _zone(api, host, str(tmp_path / "r"))
    alice = api.user("alice")
    vpc = finished(api, alice("createVPC", name="later", displaytext="later", cidr="10.29.0.0/16", zoneid=zone,
                              vpcofferingid=offering, start="false"))["vpc"]
    namespace = vpc_namespace(vpc["id"])
    owned_namespaces.append(namespace)
    [source_nat] = _source_nat(alice, vpc["id"])  # the address is taken at once; the router waits
    assert _routers(api, vpc["id"]) == [] and namespace not in namespaces()
    assert not _answers_ping(outside, source_nat)
    monitor = RouterMonitor(api.server.database, api.server.registry, api.server.secrets, interval=3600)
    assert monitor.check_all() == []

    finished(api, alice("restartVPC", id=vpc["id"]))
    [router] = _routers(api, vpc["id"])
    assert (router["state"], router["publicip"]) == ("Running", source_nat)
    assert namespace in namespaces() and _answers_ping(outside, source_nat)

    # stopRouter removes it, startRouter brings it back without any tier
    stopped = finished(api, api.root("stopRouter", id=router["id"]))["router"]
    assert stopped["state"] == "Stopped" and namespace not in namespaces()
    started = finished(api, api.root("startRouter", id=router["id"]))["router"]
    assert started["state"] == "Running" and _answers_ping(outside, source_nat)
    finished(api, alice("deleteVPC", id=vpc["id"]))
    assert namespace not in namespaces()


def test_a_router_that_cannot_start_fails_create_vpc_and_leaves_no_vpc(operator_api, owned_namespaces, tmp_path):
    api = operator_api
    host, _outside = owned_namespaces
    zone, offering = _zone(api, host, str(tmp_path / "r"))
    missing_host = f"{host}-gone"  # the network host is not there: the router cannot be plumbed
    assert ok(api.root("updateConfiguration", name="network.host.namespace", value=missing_host))
    alice = api.user("alice")
    status, body = alice("createVPC", name="broken", displaytext="broken", cidr="10.29.0.0/16", zoneid=zone,
                         vpcofferingid=offering)
    assert status == 200, body
    owned_namespaces.append(vpc_namespace(body["id"]))
    job = api.job_result(body["jobid"])
    assert job["jobstatus"] == 2, job
    text = job["jobresult"]["errortext"]
    assert "VPC broken was not created: its router could not be started" in text and missing_host in text, text
    assert vpc_namespace(body["id"]) not in namespaces()
    assert ok(alice("listVPCs")).get("vpc", []) == []
    assert ok(api.root("listRouters", listall="true")).get("router", []) == []
    allocated = ok(api.root("listPublicIpAddresses", allocatedonly="true", listall="true")).get("publicipaddress", [])
    assert allocated == []
    with api.server.database.session() as session:
        assert session.scalar(select(func.count()).select_from(Vpc).where(Vpc.uuid == body["id"])) == 0
    events = ok(alice("listEvents", type="VPC.CREATE")).get("event", [])
    assert any(event["level"] == "ERROR" and "was not created" in event["description"] for event in events), events

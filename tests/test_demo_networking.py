"""`cirro serve --demo` with guest networking: the zone is built with the wizard's sequence, and a VM deployed
without `networkids` gets the account's default isolated network with a real router in the demo's network host.

Needs root and the router's data plane (iproute2, dnsmasq, haproxy, iptables): with CI=true a missing piece
fails the test, elsewhere it skips."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from cs import CloudStack

from cirrostack.demo import DEMO_NETWORK_HOST, demo_networking_blocker
from tests.fixtures.server import ADMIN_PASSWORD, RunningServer, log_in, start_server


def _namespaces() -> set[str]:
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in listed.splitlines() if line.strip()}


@pytest.fixture
def networked_demo(tmp_path: Path) -> Iterator[RunningServer]:
    blocker = demo_networking_blocker()
    if blocker is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"demo networking cannot run here: {blocker}")
        pytest.skip(blocker)
    if DEMO_NETWORK_HOST in _namespaces():  # never delete what another demo server on this machine uses
        pytest.fail(f"namespace {DEMO_NETWORK_HOST} exists already: stop the demo server using it, or remove it "
                    f"with `ip netns del {DEMO_NETWORK_HOST}`")
    before = _namespaces()
    server = start_server(tmp_path / "demo", extra_args=("--demo",), env={"CIRRO_DEMO_NETWORKING": "on"})
    try:
        yield server
    finally:
        status = server.stop()
        for namespace in _namespaces() - before:  # routers the test did not get to delete, then the network host
            if namespace.startswith("cirro-vr-"):
                for pid in subprocess.run(["ip", "netns", "pids", namespace], capture_output=True,
                                          text=True).stdout.split():
                    subprocess.run(["kill", pid], capture_output=True)
                subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        subprocess.run(["ip", "netns", "del", DEMO_NETWORK_HOST], capture_output=True)
    assert status == 0, server.log_text()


def test_demo_builds_guest_networking_and_a_deploy_gets_its_default_network_and_router(networked_demo) -> None:
    http, login = log_in(networked_demo.endpoint, "admin", ADMIN_PASSWORD)
    keys = http.get(networked_demo.endpoint, params={"command": "registerUserKeys", "id": login["userid"],
                                                     "sessionkey": login["sessionkey"], "response": "json"},
                    timeout=10).json()["registeruserkeysresponse"]["userkeys"]
    client = CloudStack(endpoint=networked_demo.endpoint, key=keys["apikey"], secret=keys["secretkey"],
                        poll_interval=0.2)
    assert "physical network physical-net" in "\n".join(networked_demo.stdout_lines)
    zone = client.listZones(fetch_list=True)[0]
    physical = client.listPhysicalNetworks(zoneid=zone["id"], fetch_list=True)
    assert [(p["name"], p["state"]) for p in physical] == [("physical-net", "Enabled")]
    providers = {p["name"]: p["state"] for p in client.listNetworkServiceProviders(
        physicalnetworkid=physical[0]["id"], fetch_list=True)}
    assert providers["VirtualRouter"] == "Enabled"
    assert client.listConfigurations(name="network.host.namespace", fetch_list=True)[0]["value"] == DEMO_NETWORK_HOST

    template = client.listTemplates(templatefilter="featured", zoneid=zone["id"], fetch_list=True)[0]
    offering = client.listServiceOfferings(fetch_list=True)[0]
    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=template["id"], serviceofferingid=offering["id"],
                                     name="demo-vm", fetch_result=True)["virtualmachine"]
    assert vm["state"] == "Running"
    assert len(vm["nic"]) == 1 and vm["nic"][0]["isdefault"] is True
    network = client.listNetworks(id=vm["nic"][0]["networkid"], listall="true", fetch_list=True)[0]
    assert (network["type"], network["state"]) == ("Isolated", "Implemented")
    routers = client.listRouters(networkid=network["id"], listall="true", fetch_list=True)
    assert [router["state"] for router in routers] == ["Running"]
    assert f"cirro-vr-{network['id']}" in _namespaces()

    client.destroyVirtualMachine(id=vm["id"], expunge="true", fetch_result=True)
    client.deleteNetwork(id=network["id"], fetch_result=True)
    assert f"cirro-vr-{network['id']}" not in _namespaces()

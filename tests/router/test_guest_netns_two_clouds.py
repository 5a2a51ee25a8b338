"""Two clouds on one machine with namespace-backed simulator guests: two in-process servers on fresh
databases give their first VMs the same instance name, yet each guest gets a namespace of its own, takes
its own lease, answers on its own address, and destroying one leaves the other running.

Each cloud has its own network host namespace (its bridges and routers live there); the guest namespaces
of both are in the machine's one list, which is where same-named guests used to collide. Everything is
removed afterwards, even when the test fails. Without root or the data-plane programs the test skips,
except with CI=true, where it fails.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.demo import build_demo_zone
from cirrostack.router.namespace_backend import NAMESPACE_PREFIX as ROUTER_PREFIX
from cirrostack.simulator.guest_netns import guest_directory, namespace_for
from tests.fixtures.operator_api import OperatorApi
from tests.netns import namespaces, remove_namespace
from tests.router.conftest import HttpServers, _require_data_plane, fetch, guest_address, unique, wait_for

SOURCE_NAT_OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"
WEB_PORT = 8000


@dataclass
class Cloud:
    """One in-process server whose demo zone has guest networking in its own network host namespace."""

    api: OperatorApi
    host_namespace: str
    gateway: str
    network_ids: list[str] = field(default_factory=list)
    vm_ids: list[str] = field(default_factory=list)

    def run(self, command: str, created: list[str] | None = None, **params: Any) -> dict:
        """Run `command` as the root admin; an async command's job is waited for and its result returned.
        The id of an object it creates goes to `created` before the job ends, so teardown finds it."""
        status, body = self.api.root(command, **params)
        assert status == 200, f"{command} failed ({status}): {body}"
        if created is not None and "id" in body:
            created.append(body["id"])
        if "jobid" not in body:
            return body
        job = self.api.job_result(body["jobid"])
        assert job["jobstatus"] == 1, f"{command}'s job failed: {job}"
        return job["jobresult"]

    def deploy_on_new_network(self, name: str) -> dict:
        """A running VM on a new isolated network, with its NIC address and guest namespace."""
        zone = self.run("listZones")["zone"][0]
        [offering] = [row for row in self.run("listNetworkOfferings")["networkoffering"]
                      if row["name"] == SOURCE_NAT_OFFERING]
        network = self.run("createNetwork", name=name, displaytext=name, zoneid=zone["id"],
                           networkofferingid=offering["id"], gateway=self.gateway, netmask="255.255.255.0")["network"]
        self.network_ids.append(network["id"])
        template = self.run("listTemplates", templatefilter="featured", zoneid=zone["id"])["template"][0]
        [service] = [row for row in self.run("listServiceOfferings")["serviceoffering"]
                     if row["name"] == "Small Instance"]
        vm = self.run("deployVirtualMachine", self.vm_ids, zoneid=zone["id"], templateid=template["id"], name=name,
                      serviceofferingid=service["id"], networkids=network["id"])["virtualmachine"]
        [nic] = vm["nic"]
        return {**vm, "ip": nic["ipaddress"], "namespace": namespace_for(vm["id"]),
                "router": ROUTER_PREFIX + network["id"]}


@pytest.fixture
def two_clouds(tmp_path: Path) -> Iterator[tuple[Cloud, Cloud]]:
    _require_data_plane()
    clouds: list[Cloud] = []
    try:
        for label, gateway in (("a", "10.27.0.1"), ("b", "10.28.0.1")):
            server = build_server(ServerConfig(data_dir=tmp_path / label, admin_password="pw", job_workers=2,
                                               server_id=f"twin-{label}:1"))
            cloud = Cloud(OperatorApi(server), unique("cirro-nh-"), gateway)
            clouds.append(cloud)
            build_demo_zone(server, announce=lambda _line: None, guest_networking=True,
                            network_host=cloud.host_namespace)
            for name, value in (("router.state.dir", str(tmp_path / label / "routers")),
                                ("simulator.guest.namespaces", "true")):
                cloud.run("updateConfiguration", name=name, value=value)
        yield clouds[0], clouds[1]
    finally:
        for cloud in clouds:
            _tear_down(cloud)


def _tear_down(cloud: Cloud) -> None:
    """Destroy the cloud's VMs and networks through its API, stop it, then remove whatever is left."""
    try:
        for command, ids, extra in (("destroyVirtualMachine", cloud.vm_ids, {"expunge": "true"}),
                                    ("deleteNetwork", cloud.network_ids, {})):
            for object_id in ids:
                status, body = cloud.api.root(command, id=object_id, **extra)
                if status == 200 and "jobid" in body:
                    cloud.api.server.jobs.wait(body["jobid"], timeout=30)
    finally:
        cloud.api.server.close()
        existing = namespaces()
        leftovers = [namespace_for(vm_id) for vm_id in cloud.vm_ids]
        leftovers += [ROUTER_PREFIX + network_id for network_id in cloud.network_ids]
        for name in [*leftovers, cloud.host_namespace]:
            if name in existing:
                remove_namespace(name)
        for vm_id in cloud.vm_ids:
            shutil.rmtree(guest_directory(vm_id), ignore_errors=True)


@pytest.fixture
def http_servers() -> Iterator[HttpServers]:
    servers = HttpServers()
    yield servers
    servers.stop_all()


def test_same_named_guests_of_two_clouds_live_side_by_side(two_clouds: tuple[Cloud, Cloud],
                                                           http_servers: HttpServers) -> None:
    first_cloud, second_cloud = two_clouds
    first, second = first_cloud.deploy_on_new_network("twin"), second_cloud.deploy_on_new_network("twin")
    assert first["instancename"] == second["instancename"], "fresh databases name their first VMs alike"
    assert first["namespace"] != second["namespace"]

    for vm in (first, second):
        wait_for(lambda vm=vm: guest_address(vm["namespace"]) == vm["ip"], f"the DHCP lease of {vm['id']}", 30)
        http_servers.serve(vm["namespace"], vm["ip"], WEB_PORT, vm["id"])
    assert {first["namespace"], second["namespace"]} <= namespaces()
    for vm in (first, second):
        assert fetch(vm["router"], f"http://{vm['ip']}:{WEB_PORT}/") == vm["id"], f"{vm['id']} answers its router"

    first_cloud.run("destroyVirtualMachine", id=first["id"], expunge="true")
    remaining = namespaces()
    assert first["namespace"] not in remaining and not guest_directory(first["id"]).exists()
    assert second["namespace"] in remaining, "destroying the first cloud's VM left the second's guest alone"
    assert guest_address(second["namespace"]) == second["ip"]
    assert fetch(second["router"], f"http://{second['ip']}:{WEB_PORT}/") == second["id"]

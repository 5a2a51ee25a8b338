"""`cirro serve --demo`: a ready simulator zone on a new cloud, built the way an operator builds one.

Every piece is made by running the API command itself (createZone, createPod, addCluster, addHost,
createStoragePool, addImageStore, updateZone) through the server's dispatcher as the root admin,
so the demo goes through the same validation, plugin calls and events as any API client. With
`guest_networking`, the zone also gets guest networking through the zone wizard's own sequence
(`cirrostack.services.networks.zone_wizard`: physical network, traffic types, providers enabled
through their elements, guest VLANs, a public range) before its pod is made, as CloudStack does. Only the
simulator's BUILTIN template has no API command; it comes from `templates.create_builtin_template`,
as CloudStack's simulator seeds it.

The zone is made only on a cloud that never had a zone: a restart with `--demo` changes nothing.
Everything happens in one transaction, so a failing step leaves the database as it was: async
commands (the networking ones) run their prepare step and handler inline in that transaction instead
of through a job.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.api.declaration import Call, Command
from cirrostack.api.dispatch import job_result, load_objects, parse_params
from cirrostack.api.http import ApiServer
from cirrostack.api.wire import WireRequest, read_request
from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Zone
from cirrostack.errors import CirroError
from cirrostack.services import templates
from cirrostack.services.accounts import root_admin_caller
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks.zone_wizard import set_up_guest_networking

log = logging.getLogger(__name__)

ZONE_NAME = "demo-zone"
POD_NAME = "demo-pod"
CLUSTER_NAME = "demo-cluster"
PRIMARY_STORAGE_NAME = "demo-primary"
IMAGE_STORE_NAME = "demo-secondary"
#: What the demo primary storage offers (an NFS pool reports no size of its own): room for many ROOT volumes.
PRIMARY_STORAGE_BYTES = 10 * 1024 ** 4


@dataclass(frozen=True)
class DemoHost:
    """One simulated host of the demo cluster and the size its URL asks the simulator for."""

    key: str
    sockets: int
    cores_per_socket: int
    memory_mib: int

    @property
    def url(self) -> str:
        return (f"http://sim/{CLUSTER_NAME}/{self.key}?sockets={self.sockets}&cores={self.cores_per_socket}"
                f"&memory={self.memory_mib}")


#: Hosts of different sizes, so that placement and the sockets report have something to show.
DEMO_HOSTS = (
    DemoHost("host-small", sockets=1, cores_per_socket=4, memory_mib=16384),
    DemoHost("host-medium", sockets=2, cores_per_socket=8, memory_mib=65536),
    DemoHost("host-large", sockets=4, cores_per_socket=12, memory_mib=262144),
    DemoHost("host-xlarge", sockets=8, cores_per_socket=16, memory_mib=1048576),
)


#: The network namespace the demo's routers and guest bridges live in (its "network host").
DEMO_NETWORK_HOST = "cirro-demo"
_ROUTER_TOOLS = ("ip", "dnsmasq", "haproxy", "iptables-restore")


def demo_networking_blocker() -> str | None:
    """Why this process cannot run the demo zone's virtual routers, or None when it can."""
    if os.geteuid() != 0:
        return "its virtual routers run in network namespaces, which needs root"
    missing = [tool for tool in _ROUTER_TOOLS if shutil.which(tool) is None]
    if missing:
        return (f"the virtual router's data plane needs {', '.join(missing)} (Debian: iproute2 dnsmasq-base "
                f"haproxy iptables)")
    return None


def wants_guest_networking(mode: str, announce: Callable[[str], None] = print) -> bool:
    """Resolve the `demo_networking` setting ("auto", "on", "off") for this process.

    "auto" builds guest networking where routers can run and says why not elsewhere; "on" refuses to
    start without it (DemoFailed)."""
    if mode == "off":
        return False
    blocker = demo_networking_blocker()
    if blocker is None:
        return True
    if mode == "on":
        raise DemoFailed(f"demo_networking is on, but {blocker}")
    announce(f"Demo zone without guest networking: {blocker} (set CIRRO_DEMO_NETWORKING=off to silence this)")
    return False


def ensure_network_host(namespace: str) -> None:
    """Create the network host namespace `namespace` if it does not exist yet, with loopback up."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True).stdout
    if namespace not in {line.split()[0] for line in listed.splitlines() if line.strip()}:
        subprocess.run(["ip", "netns", "add", namespace], capture_output=True, text=True, check=True)
    subprocess.run(["ip", "-n", namespace, "link", "set", "lo", "up"], capture_output=True, text=True, check=True)


class DemoFailed(CirroError):
    """A step of the demo zone failed; nothing of the demo was kept."""


@dataclass(frozen=True)
class DemoZone:
    """What the demo made, as the API returned it."""

    zone: dict[str, Any]
    pod: dict[str, Any]
    cluster: dict[str, Any]
    hosts: list[dict[str, Any]]
    primary_storage: dict[str, Any]
    image_store: dict[str, Any]
    template: dict[str, str]
    physical_network: dict[str, Any] | None = None
    public_range: dict[str, Any] | None = None

    def summary(self) -> list[str]:
        """A few lines for the operator: what exists now and what it is called."""
        lines = [f"Demo zone {self.zone['name']} ({self.zone['networktype']}, "
                 f"{self.zone['allocationstate']}) id {self.zone['id']}",
                 f"  pod {self.pod['name']}: gateway {self.pod['gateway']}, netmask {self.pod['netmask']}",
                 f"  cluster {self.cluster['name']}: hypervisor {self.cluster['hypervisortype']}, "
                 f"{len(self.hosts)} hosts"]
        for host in self.hosts:
            sockets = host["cpusockets"]
            lines.append(f"    host {host['name']}: {sockets} socket{'' if sockets == 1 else 's'}, {host['cpunumber']} "
                         f"cores at {host['cpuspeed']} MHz, {int(host['memorytotal']) // 2**30} GiB memory")
        lines += [f"  primary storage {self.primary_storage['name']}: {self.primary_storage['type']} "
                  f"{self.primary_storage['ipaddress']}:{self.primary_storage['path']} "
                  f"({self.primary_storage['scope'].lower()} scope)",
                  f"  secondary storage {self.image_store['name']}: {self.image_store['url']}",
                  f"  template {self.template['name']}: public, featured and ready, "
                  f"id {self.template['id']}"]
        if self.physical_network is not None and self.public_range is not None:
            lines.append(f"  physical network {self.physical_network['name']}: "
                         f"{self.physical_network['isolationmethods']} guest VLANs {self.physical_network['vlan']}, "
                         f"public range {self.public_range['startip']}-{self.public_range['endip']}")
        return lines


def build_demo_zone(server: ApiServer, announce: Callable[[str], None] = print,
                    guest_networking: bool = False, network_host: str = "") -> DemoZone | None:
    """Make the demo zone if the database never had a zone, and announce what was made.

    Returns the zone's pieces, or None when the cloud already has (or had) a zone. Raises
    DemoFailed naming the command that failed and why; the database is then unchanged."""
    with server.database.session() as session:
        zones_ever = session.scalar(select(func.count()).select_from(Zone))
        if zones_ever:
            log.info("--demo: nothing added; the demo zone is only made on an empty database (one that never "
                     "had a zone), and this one has had %d", zones_ever)
            return None
        demo = _DemoBuilder(server, session, root_admin_caller(session)).build(guest_networking, network_host)
    for line in demo.summary():
        announce(line)
    return demo


class _DemoBuilder:
    """Runs the demo's API commands, in order, within one session."""

    def __init__(self, server: ApiServer, session: Session, caller: Caller) -> None:
        self.server = server
        self.session = session
        self.caller = caller

    def build(self, guest_networking: bool = False, network_host: str = "") -> DemoZone:
        zone = self.run("createZone", "zone", name=ZONE_NAME, networktype="Advanced", dns1="8.8.8.8",
                        dns2="8.8.4.4", internaldns1="10.147.28.6", guestcidraddress="10.1.1.0/24",
                        domain="demo.cirrostack.internal", allocationstate="Disabled")
        networking: dict[str, Any] = {}
        if guest_networking:
            if network_host:
                try:
                    ensure_network_host(network_host)
                except (OSError, subprocess.CalledProcessError) as error:
                    raise DemoFailed(f"network host namespace {network_host} could not be made: "
                                     f"{getattr(error, 'stderr', '') or error}") from None
                self.run("updateConfiguration", "configuration", name="network.host.namespace", value=network_host)
            networking = set_up_guest_networking(self.run, zone["id"])
        pod = self.run("createPod", "pod", zoneid=zone["id"], name=POD_NAME, gateway="172.16.15.1",
                       netmask="255.255.255.0", startip="172.16.15.10", endip="172.16.15.250")
        cluster = self.run("addCluster", "cluster", zoneid=zone["id"], podid=pod["id"], clustername=CLUSTER_NAME,
                           clustertype="CloudManaged", hypervisor="Simulator")[0]
        hosts = [self.run("addHost", "host", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                          hypervisor="Simulator", url=host.url, username="root", password="password")[0]
                 for host in DEMO_HOSTS]
        primary = self.run("createStoragePool", "storagepool", zoneid=zone["id"], podid=pod["id"],
                           clusterid=cluster["id"], scope="cluster", name=PRIMARY_STORAGE_NAME,
                           url="nfs://10.147.28.6/export/home/demo/primary",
                           capacitybytes=str(PRIMARY_STORAGE_BYTES))
        image_store = self.run("addImageStore", "imagestore", provider="NFS", name=IMAGE_STORE_NAME,
                               zoneid=zone["id"], url="nfs://10.147.28.6/export/home/demo/secondary")
        template = self._builtin_template(zone["id"])
        zone = self.run("updateZone", "zone", id=zone["id"], allocationstate="Enabled")
        return DemoZone(zone, pod, cluster, hosts, primary, image_store, template,
                        networking.get("physical_network"), networking.get("public_range"))

    def run(self, command_name: str, object_name: str, **params: str) -> Any:
        """Run one API command as the root admin; returns the object (or list) under `object_name`."""
        request = read_request({"command": command_name, "response": "json", **params})
        try:
            command = self.server.dispatcher.lookup(command_name)
            if command.is_async:
                body = self._run_inline(command, request)
            else:
                body = self.server.dispatcher.run(command, self.caller, request, self.session)
        except DemoFailed:
            raise
        except CirroError as error:
            raise DemoFailed(f"demo zone: {command_name} failed ({error.http_status}): {error.message}") from error
        if object_name not in body:
            raise DemoFailed(f"demo zone: {command_name} returned no {object_name}: {body}")
        return body[object_name]

    def _run_inline(self, command: Command, request: WireRequest) -> dict[str, Any]:
        """An async command's prepare step and handler, in the demo's transaction (a job would commit it)."""
        dispatcher = self.server.dispatcher
        dispatcher.check_role(command, self.caller)
        parsed = parse_params(command, request, self.caller)
        call = Call(self.caller, self.session, dispatcher.registry, command, secrets=dispatcher.secrets,
                    jobs=dispatcher.jobs, paging=dispatcher.paging_for(command, parsed, self.session),
                    commands=dispatcher.commands)
        arguments = load_objects(command, parsed, self.caller, self.session)
        if command.creates and command.prepare_run is not None:
            arguments["id"] = str(command.prepare_run(call, **arguments))
        if command.run is None:
            raise DemoFailed(f"demo zone: {command.name} has no handler")
        return job_result(command, command.run(call, **arguments))

    def _builtin_template(self, zone_uuid: str) -> dict[str, str]:
        zone = self.session.scalars(select(Zone).where(Zone.uuid == zone_uuid)).one()
        owner = self.session.get(Account, self.caller.account_id)
        template = templates.create_builtin_template(self.session, zone, owner)
        record_event(self.session, self.caller, "TEMPLATE.CREATE",
                     f"made the simulator's BUILTIN template {template.name} ready in zone {zone.name}",
                     account_id=owner.id, domain_id=owner.domain_id, resource_type="Template",
                     resource_uuid=template.uuid)
        return {"id": template.uuid, "name": template.name}

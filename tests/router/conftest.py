"""Fixtures for the virtual router's tests: a private network host namespace, the provider on it,
networks, namespace-backed guests and a client on the public bridge.

Everything a test creates lives in namespaces named after this process and is removed when the
test ends, even when it fails. Without root or the data-plane programs the tests skip, except
with CI=true, where they fail.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cirrostack.hookspecs.hypervisor import NicSpec, VMSpec
from cirrostack.hookspecs.network_rules import DhcpEntry, ServiceNetwork
from cirrostack.router import bridges
from cirrostack.router.provider import VirtualRouter
from cirrostack.simulator.guest_netns import GuestNamespaces, namespace_for

PROGRAMS = ("ip", "iptables-restore", "iptables-save", "dnsmasq", "haproxy", "udhcpc", "dig")
_COUNTER = itertools.count(1)
GUEST_CIDR, GUEST_GATEWAY = "10.21.0.0/24", "10.21.0.1"
PUBLIC_GATEWAY, SOURCE_NAT_IP = "10.22.0.1", "10.22.0.10"


def _require_data_plane() -> None:
    missing = [program for program in PROGRAMS if shutil.which(program) is None]
    reason = ("the router tests need root" if os.geteuid() != 0
              else f"the router tests need {', '.join(missing)}" if missing else "")
    if not reason:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true; scripts/test.sh installs dnsmasq-base haproxy iptables udhcpc "
                    "bind9-dnsutils)")
    pytest.skip(reason)


def sh(*argv: str, namespace: str = "", check: bool = True, timeout: float = 10) -> subprocess.CompletedProcess:
    """Run a command (inside `namespace` when given) and return its result."""
    command = ["ip", "netns", "exec", namespace, *argv] if namespace else list(argv)
    return subprocess.run(command, capture_output=True, text=True, check=check, timeout=timeout)


def unique(prefix: str) -> str:
    return f"{prefix}{os.getpid() % 100000}-{next(_COUNTER)}"


@pytest.fixture
def host_namespace() -> Iterator[str]:
    """A network host namespace of the test's own; deleted (with its bridges) afterwards."""
    _require_data_plane()
    name = unique("cirro-nh-")
    sh("ip", "netns", "add", name)
    yield name
    sh("ip", "netns", "del", name, check=False)


@pytest.fixture
def settings(host_namespace: str, tmp_path: Path) -> dict[str, object]:
    return {"network.host.namespace": host_namespace, "router.state.dir": str(tmp_path / "routers"),
            "simulator.guest.namespaces": True}


@pytest.fixture
def router(settings: dict[str, object]) -> VirtualRouter:
    return VirtualRouter(settings)


def service_network(**changes: object) -> ServiceNetwork:
    """A guest network with a private guest CIDR and its public side on the test's public bridge."""
    values: dict[str, object] = dict(
        uuid=str(uuid.uuid4()), name=unique("net-"), cidr=GUEST_CIDR, gateway=GUEST_GATEWAY,
        broadcast_uri="vlan://101", source_nat_ip=SOURCE_NAT_IP, network_domain="cs1.test",
        public_netmask="255.255.255.0", public_gateway=PUBLIC_GATEWAY, public_broadcast_uri="vlan://untagged",
        public_ips=(SOURCE_NAT_IP,))
    values.update(changes)
    return ServiceNetwork(**values)  # type: ignore[arg-type]


@pytest.fixture
def router_network(router: VirtualRouter) -> Iterator[ServiceNetwork]:
    """An implemented network; shut down when the test ends."""
    implemented = service_network()
    router.implement_network(implemented)
    yield implemented
    router.shutdown_network(implemented)


@pytest.fixture
def client(host_namespace: str, router_network: ServiceNetwork) -> Iterator[str]:
    """A namespace on the public bridge holding the public gateway address: the outside world."""
    name = unique("cirro-cl-")
    bridge = bridges.public_bridge_name(router_network.public_broadcast_uri)
    sh("ip", "netns", "add", name)
    try:
        sh("ip", "link", "add", "veth-client", "type", "veth", "peer", "name", "eth0", "netns", name,
           namespace=host_namespace)
        sh("ip", "link", "set", "veth-client", "master", bridge, "up", namespace=host_namespace)
        sh("ip", "addr", "add", f"{PUBLIC_GATEWAY}/24", "dev", "eth0", namespace=name)
        sh("ip", "link", "set", "eth0", "up", namespace=name)
        sh("ip", "link", "set", "lo", "up", namespace=name)
        yield name
    finally:
        for pid in sh("ip", "netns", "pids", name, check=False).stdout.split():
            sh("kill", "-9", pid, check=False)
        sh("ip", "netns", "del", name, check=False)


class Guests:
    """Namespace-backed guests of one test, unplugged when it ends."""

    def __init__(self, settings: dict[str, object]) -> None:
        self.namespaces = GuestNamespaces(settings)
        self.vm_uuids: list[str] = []

    def start(self, network: ServiceNetwork, mac: str, address: str) -> str:
        """Plug a guest with one NIC on `network`; returns its namespace."""
        vm_uuid = str(uuid.uuid4())
        self.vm_uuids.append(vm_uuid)
        nic = NicSpec(str(uuid.uuid4()), mac, address, network.uuid, network.broadcast_uri, True, 0,
                      "255.255.255.0", network.gateway)
        self.namespaces.plug(VMSpec(vm_uuid, unique("i-9-") + "-VM", 1, 1000, 128, nics=(nic,)))
        return namespace_for(vm_uuid)

    def stop_all(self) -> None:
        for vm_uuid in self.vm_uuids:
            self.namespaces.unplug(vm_uuid)


@pytest.fixture
def guests(settings: dict[str, object]) -> Iterator[Guests]:
    started = Guests(settings)
    yield started
    started.stop_all()


def wait_for(check: Callable[[], object], what: str, timeout: float = 10.0) -> object:
    """Poll `check` until it returns something true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def guest_address(namespace: str) -> str:
    """The IPv4 address the guest's eth0 holds now ("" before its lease)."""
    shown = sh("ip", "-4", "-o", "addr", "show", "dev", "eth0", namespace=namespace, check=False).stdout.split()
    return shown[3].split("/", 1)[0] if len(shown) > 3 else ""


class HttpServers:
    """Tiny HTTP servers started inside namespaces (a guest's web server, the outside world's)."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def _start(self, namespace: str, address: str, port: int, body: str) -> None:
        # socketserver rather than http.server: HTTPServer looks its address up in DNS, which hangs
        # inside a namespace without a resolver.
        script = ("import socketserver, sys\n"
                  "from http.server import BaseHTTPRequestHandler\n"
                  "class Reply(BaseHTTPRequestHandler):\n"
                  "    def do_GET(self):\n"
                  "        text = sys.argv[3] or self.client_address[0]\n"
                  "        self.send_response(200); self.send_header('Content-Length', str(len(text)))\n"
                  "        self.end_headers(); self.wfile.write(text.encode())\n"
                  "    def log_message(self, *args): pass\n"
                  "socketserver.ThreadingTCPServer.allow_reuse_address = True\n"
                  "socketserver.ThreadingTCPServer((sys.argv[1], int(sys.argv[2])), Reply).serve_forever()\n")
        self.processes.append(subprocess.Popen(["ip", "netns", "exec", namespace, sys.executable, "-c", script,
                                                address, str(port), body],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: fetch(namespace, f"http://{address}:{port}/"), f"the HTTP server on {address}:{port}")

    def serve(self, namespace: str, address: str, port: int, body: str) -> None:
        """Serve `body` on address:port inside `namespace`; returns once it answers."""
        self._start(namespace, address, port, body)

    def echo_client_address(self, namespace: str, address: str, port: int) -> None:
        """Serve, on address:port inside `namespace`, the address each request comes from."""
        self._start(namespace, address, port, "")

    def stop_all(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()


@pytest.fixture
def http_servers() -> Iterator[HttpServers]:
    servers = HttpServers()
    yield servers
    servers.stop_all()


_FETCH = """
import sys, urllib.request
request = urllib.request.Request(sys.argv[1])
for header in sys.argv[3:]:
    name, _, value = header.partition(":")
    request.add_header(name.strip(), value.strip())
with urllib.request.urlopen(request, timeout=float(sys.argv[2])) as reply:
    sys.stdout.write(reply.read().decode())
"""


def fetch(namespace: str, url: str, *headers: str, timeout: float = 2) -> str:
    """GET `url` from inside `namespace`; "" when it cannot be reached."""
    result = sh(sys.executable, "-c", _FETCH, url, str(timeout), *headers, namespace=namespace, check=False,
                timeout=timeout + 5)
    return result.stdout if result.returncode == 0 else ""


def dhcp_entry(mac: str, address: str, hostname: str) -> DhcpEntry:
    return DhcpEntry(mac, address, hostname)

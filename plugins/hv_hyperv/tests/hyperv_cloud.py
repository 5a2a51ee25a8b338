"""A running `cirro serve` with a Hyper-V zone on simulated hosts, shared by the end-to-end tests.

The server runs as its own process with this plugin installed; the WinRM simulator runs in the test
process on loopback. The template is a VHDX made by qemu-img and served over HTTP on loopback: the
server's download job fetches and checks it, and the simulated hosts publish the same URL.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cs import CloudStack
from hyperv_estate import (
    DOMAIN,
    GIB,
    PASSWORD,
    SHARE_PASSWORD,
    SHARE_USER,
    USER,
    Estate,
    build_estate,
    closed_port_url,
)
from hyperv_sim import WinRMServer, World

from tests.fixtures.server import ADMIN_PASSWORD, RunningServer, _database_url, log_in, start_server


@dataclass
class Cloud:
    client: CloudStack
    estate: Estate
    server: RunningServer
    zone: dict
    pod: dict
    cluster: dict
    hosts: dict[str, dict]  # simulated computer name -> listHosts row
    template: dict
    small: str
    medium: str


@pytest.fixture(scope="session", params=["sqlite", "mariadb"])
def cloud(request: pytest.FixtureRequest, ntlm_users: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    """`cirro serve` on SQLite, then on a throwaway MariaDB database, with a Hyper-V zone built through cs."""
    world, sim_hosts = build_estate(memory_gib=8)
    servers = {name: WinRMServer(world, host).start() for name, host in sim_hosts.items()}
    images = _serve_template(world, tmp_path_factory.mktemp(f"hyperv-images-{request.param}"))
    try:
        with _database_url(request, request.param) as db_url:
            server = start_server(tmp_path_factory.mktemp(f"hyperv-{request.param}"), db_url)
            try:
                cloud = _build(_admin_client(server), Estate(world, sim_hosts, servers, closed_port_url()), server,
                               images.template_url, images.md5)
                yield cloud
            finally:
                status = server.stop()
            assert status == 0, server.log_text()
    finally:
        images.close()
        for winrm in servers.values():
            winrm.stop()


@dataclass
class TemplateServer:
    httpd: ThreadingHTTPServer
    template_url: str
    md5: str

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _serve_template(world: World, directory: Path) -> TemplateServer:
    """A 2 GiB VHDX (a few MiB on disk) on loopback HTTP, published to the simulated hosts too."""
    image = directory / "centos-6.5.vhdx"
    subprocess.run(["qemu-img", "create", "-q", "-f", "vhdx", str(image), "2G"], check=True, timeout=30)
    handler = functools.partial(_QuietFiles, directory=str(directory))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/{image.name}"
    content = image.read_bytes()
    world.publish(url, 2 * GIB, content)
    return TemplateServer(httpd, url, hashlib.md5(content).hexdigest())


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *_args: object) -> None:
        pass


def _admin_client(server: RunningServer) -> CloudStack:
    http, login = log_in(server.endpoint, "admin", ADMIN_PASSWORD)
    keys = http.get(server.endpoint, params={"command": "registerUserKeys", "id": login["userid"],
                                             "sessionkey": login["sessionkey"], "response": "json"}, timeout=10)
    keys = keys.json()["registeruserkeysresponse"]["userkeys"]
    return CloudStack(endpoint=server.endpoint, key=keys["apikey"], secret=keys["secretkey"], poll_interval=0.2,
                      timeout=60)


def _build(client: CloudStack, estate: Estate, server: RunningServer, template_url: str, md5: str) -> Cloud:
    zone = client.createZone(name="hyperv-zone", networktype="Advanced", dns1="8.8.8.8",
                             internaldns1="10.0.0.2")["zone"]
    pod = client.createPod(zoneid=zone["id"], name="hyperv-pod", gateway="172.16.0.1", netmask="255.255.255.0",
                           startip="172.16.0.10", endip="172.16.0.200")["pod"]
    cluster = client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="hyperv-cluster",
                                clustertype="CloudManaged", hypervisor="Hyperv")["cluster"][0]
    hosts = {}
    for name in ("hv-01", "hv-02"):
        added = client.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Hyperv",
                               url=estate.url(name), username=f"{DOMAIN}\\{USER}", password=PASSWORD)["host"][0]
        hosts[name] = added
    client.createStoragePool(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], name="smb-primary",
                             url="cifs://fs01/primary", capacitybytes=2**40,
                             details=[{"user": SHARE_USER, "password": SHARE_PASSWORD, "domain": DOMAIN}])
    os_type = client.listOsTypes(fetch_list=True)[0]["id"]
    template = client.registerTemplate(name="centos-hyperv", displaytext="CentOS 6.5 for Hyper-V", format="VHDX",
                                       hypervisor="Hyperv", ostypeid=os_type, url=template_url, zoneid=zone["id"],
                                       checksum=md5, ispublic=True)["template"][0]
    template = _wait_until_ready(client, template["id"])
    offerings = {row["name"]: row["id"] for row in client.listServiceOfferings(fetch_list=True)}
    return Cloud(client, estate, server, zone, pod, cluster, hosts, template, offerings["Small Instance"],
                 offerings["Medium Instance"])


def _wait_until_ready(client: CloudStack, template_id: str, seconds: float = 60) -> dict:
    """listTemplates until the download job made the template ready, with the VHDX's virtual size."""
    deadline = time.monotonic() + seconds
    while True:
        row = client.listTemplates(templatefilter="self", id=template_id, fetch_list=True)[0]
        if row["isready"] or row["status"].startswith("Download Error") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert row["isready"] is True and row["size"] == 2 * GIB, row
    return row


def api_error(raised: pytest.ExceptionInfo) -> dict:
    error = raised.value.error
    return error.get("jobresult", error) if isinstance(error, dict) else {}


def deploy(cloud: Cloud, **extra: str) -> dict:
    return cloud.client.deployVirtualMachine(zoneid=cloud.zone["id"], templateid=cloud.template["id"],
                                             serviceofferingid=extra.pop("serviceofferingid", cloud.small),
                                             fetch_result=True, **extra)["virtualmachine"]


def sim_host_of(cloud: Cloud, host_id: str) -> str:
    return next(name for name, row in cloud.hosts.items() if row["id"] == host_id)

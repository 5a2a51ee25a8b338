"""A running `cirro serve` with two Hyper-V zones, each with its own SMB image store on a real Samba
smbd, for the SMB secondary storage tests (test_smb_*.py).

Zone one has host hv-01 and share `images`; zone two has host hv-02 and share `images2`. Both hosts
reach the shares with the Samba account (a Hyper-V host uses its domain account). The VHDX template
is served over loopback HTTP; registering it into zone one puts it on `images`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cs import CloudStack
from hyperv_cloud import TemplateServer, _admin_client, _serve_template
from hyperv_estate import DOMAIN, PASSWORD, SHARE_PASSWORD, SHARE_USER, USER, build_estate
from hyperv_sim import WinRMServer, World
from hyperv_sim.image_store import attach_real_share
from smbd_server import SMB_PASSWORD, SMB_USER, SmbdServer

from tests.fixtures.server import RunningServer, _database_url, start_server


@dataclass
class SmbCloud:
    client: CloudStack
    world: World
    server: RunningServer
    smbd: SmbdServer
    zones: list[dict]
    stores: list[dict]
    images: TemplateServer
    template_sha256: str
    offering: str
    os_type: str
    folder: str  # below each share: the database backend's name

    def share_file(self, share: str, path: str) -> Path:
        return self.smbd.share_dir(share) / self.folder / path

    def unc(self, share: str, path: str) -> str:
        return "\\".join(["\\\\127.0.0.1", share, self.folder, *path.split("/")])


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def smb_cloud(request: pytest.FixtureRequest, smbd_server: SmbdServer, ntlm_users: Path,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmbCloud]:
    """`cirro serve` on SQLite, then on a throwaway MariaDB database, with the two zones; see the module
    docstring. Each run uses its own folder on the shares."""
    world, sim_hosts = build_estate(memory_gib=8)
    for share in ("images", "images2"):
        attach_real_share(world, f"\\\\127.0.0.1\\{share}", smbd_server.port, SMB_USER, SMB_PASSWORD)
    servers = {name: WinRMServer(world, host).start() for name, host in sim_hosts.items()}
    directory = tmp_path_factory.mktemp("smb-images")
    images = _serve_template(world, directory)
    sha256 = hashlib.sha256((directory / "centos-6.5.vhdx").read_bytes()).hexdigest()
    try:
        with _database_url(request, request.param) as db_url:
            yield from _serve(request.param, db_url, smbd_server, world, servers, images, sha256,
                              tmp_path_factory)
    finally:
        images.close()
        for winrm in servers.values():
            winrm.stop()


def _serve(backend: str, db_url: str, smbd_server: SmbdServer, world: World, servers: dict[str, WinRMServer],
           images: TemplateServer, sha256: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmbCloud]:
    server = start_server(tmp_path_factory.mktemp(f"smb-cloud-{backend}"), db_url)
    try:
        client = _admin_client(server)
        zones, stores = [], []
        for index, (host, share) in enumerate((("hv-01", "images"), ("hv-02", "images2")), start=1):
            zone = _zone(client, index, servers[host].url)
            zones.append(zone)
            stores.append(client.addImageStore(provider="SMB", name=f"smb-{share}", zoneid=zone["id"],
                                               url=smbd_server.url(share, backend),
                                               **_details(smbd_server.details()))
                          ["imagestore"])
        offering = next(row["id"] for row in client.listServiceOfferings(fetch_list=True)
                        if row["name"] == "Small Instance")
        os_type = client.listOsTypes(fetch_list=True)[0]["id"]
        yield SmbCloud(client, world, server, smbd_server, zones, stores, images, sha256, offering, os_type,
                       backend)
    finally:
        status = server.stop()
    assert status == 0, server.log_text()


def _details(details: dict[str, str]) -> dict[str, str]:
    """addImageStore's details as CloudStack sends them: details[i].key / details[i].value."""
    flat: dict[str, str] = {}
    for index, (key, value) in enumerate(details.items()):
        flat[f"details[{index}].key"], flat[f"details[{index}].value"] = key, value
    return flat


def _zone(client: CloudStack, index: int, host_url: str) -> dict:
    zone = client.createZone(name=f"smb-zone-{index}", networktype="Advanced", dns1="8.8.8.8",
                             internaldns1="10.0.0.2")["zone"]
    pod = client.createPod(zoneid=zone["id"], name=f"smb-pod-{index}", gateway=f"172.16.{index}.1",
                           netmask="255.255.255.0", startip=f"172.16.{index}.10",
                           endip=f"172.16.{index}.200")["pod"]
    cluster = client.addCluster(zoneid=zone["id"], podid=pod["id"], clustername=f"smb-cluster-{index}",
                                clustertype="CloudManaged", hypervisor="Hyperv")["cluster"][0]
    client.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Hyperv", url=host_url,
                   username=f"{DOMAIN}\\{USER}", password=PASSWORD)
    client.createStoragePool(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], name=f"smb-primary-{index}",
                             url="cifs://fs01/primary", capacitybytes=2**40,
                             details=[{"user": SHARE_USER, "password": SHARE_PASSWORD, "domain": DOMAIN}])
    return zone


def wait_for_template(client: CloudStack, template_id: str, zone_id: str, seconds: float = 60) -> dict:
    """listTemplates until the template is ready in `zone_id` or its download failed."""
    deadline = time.monotonic() + seconds
    while True:
        rows = [row for row in client.listTemplates(templatefilter="all", id=template_id, fetch_list=True)
                if row["zoneid"] == zone_id]
        if rows and (rows[0]["isready"] or rows[0]["status"].startswith("Download Error")):
            return rows[0]
        if time.monotonic() > deadline:
            return rows[0] if rows else {}
        time.sleep(0.2)

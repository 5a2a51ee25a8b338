"""A running `cirro serve` with a Hyper-V zone on simulated hosts, shared by the end-to-end tests.

The server runs as its own process with this plugin installed; the WinRM simulator runs in the test
process on loopback. The core cannot transfer templates to secondary storage yet (that arrives with
the storage work), so after registerTemplate the template is recorded as downloaded in the zone,
directly in the server's database, as that transfer would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cs import CloudStack
from hyperv_estate import (
    DOMAIN,
    PASSWORD,
    SHARE_PASSWORD,
    SHARE_USER,
    TEMPLATE_URL,
    USER,
    Estate,
    build_estate,
    closed_port_url,
)
from hyperv_sim import WinRMServer
from sqlalchemy import create_engine, text

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
    try:
        with _database_url(request, request.param) as db_url:
            server = start_server(tmp_path_factory.mktemp(f"hyperv-{request.param}"), db_url)
            try:
                yield _build(_admin_client(server), Estate(world, sim_hosts, servers, closed_port_url()), server)
            finally:
                status = server.stop()
            assert status == 0, server.log_text()
    finally:
        for winrm in servers.values():
            winrm.stop()


def _admin_client(server: RunningServer) -> CloudStack:
    http, login = log_in(server.endpoint, "admin", ADMIN_PASSWORD)
    keys = http.get(server.endpoint, params={"command": "registerUserKeys", "id": login["userid"],
                                             "sessionkey": login["sessionkey"], "response": "json"}, timeout=10)
    keys = keys.json()["registeruserkeysresponse"]["userkeys"]
    return CloudStack(endpoint=server.endpoint, key=keys["apikey"], secret=keys["secretkey"], poll_interval=0.2,
                      timeout=60)


def _build(client: CloudStack, estate: Estate, server: RunningServer) -> Cloud:
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
                                       hypervisor="Hyperv", ostypeid=os_type, url=TEMPLATE_URL, zoneid=zone["id"],
                                       ispublic=True)["template"][0]
    _record_downloaded(server, template["id"])
    offerings = {row["name"]: row["id"] for row in client.listServiceOfferings(fetch_list=True)}
    return Cloud(client, estate, server, zone, pod, cluster, hosts, template, offerings["Small Instance"],
                 offerings["Medium Instance"])


def _record_downloaded(server: RunningServer, template_uuid: str) -> None:
    engine = create_engine(server.db_url or f"sqlite:///{server.data_dir / 'cirrostack.db'}")
    try:
        with engine.begin() as connection:
            updated = connection.execute(text(
                "UPDATE template_zone_refs SET is_ready = :ready, status = 'Download Complete', size_bytes = :size "
                "WHERE template_id = (SELECT id FROM templates WHERE uuid = :uuid)"),
                {"ready": True, "size": 2 * 1024**3, "uuid": template_uuid}).rowcount
    finally:
        engine.dispose()
    assert updated == 1


def api_error(raised: pytest.ExceptionInfo) -> dict:
    error = raised.value.error
    return error.get("jobresult", error) if isinstance(error, dict) else {}


def deploy(cloud: Cloud, **extra: str) -> dict:
    return cloud.client.deployVirtualMachine(zoneid=cloud.zone["id"], templateid=cloud.template["id"],
                                             serviceofferingid=extra.pop("serviceofferingid", cloud.small),
                                             fetch_result=True, **extra)["virtualmachine"]


def sim_host_of(cloud: Cloud, host_id: str) -> str:
    return next(name for name, row in cloud.hosts.items() if row["id"] == host_id)

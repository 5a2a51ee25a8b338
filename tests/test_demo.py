"""`cirro serve --demo` as a new user meets it: the real server process, driven by `cs` and Libcloud.

The module's server is started with `--demo` on SQLite, then on MariaDB; `admin_keys` (from
tests/fixtures/server.py) registers the admin's keys on it.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cs import CloudStack, CloudStackApiException
from libcloud.compute.drivers.cloudstack import CloudStackNodeDriver

from cirrostack.demo import CLUSTER_NAME, DEMO_HOSTS, ZONE_NAME
from cirrostack.services.templates import SIMULATOR_TEMPLATE_NAME
from tests.fixtures.server import RunningServer, _database_url, log_in, start_server

DEMO_SOCKETS = {f"sim/{CLUSTER_NAME}/{host.key}": host.sockets for host in DEMO_HOSTS}


@pytest.fixture(scope="module", params=["sqlite", "mariadb"])
def cirro_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`cirro serve --demo` on a new database; stopped with SIGTERM afterwards."""
    with _database_url(request, request.param) as db_url:
        server = start_server(tmp_path_factory.mktemp(f"demo-{request.param}"), db_url, extra_args=("--demo",))
        yield server
        status = server.stop()
    assert status == 0, f"cirro serve exited with {status} after SIGTERM:\n{server.log_text()}"


def admin(keys) -> CloudStack:
    return CloudStack(endpoint=keys.endpoint, key=keys.api_key, secret=keys.secret_key, poll_interval=0.2)


def libcloud(keys) -> CloudStackNodeDriver:
    return CloudStackNodeDriver(keys.api_key, keys.secret_key, url=keys.endpoint, secure=False)


def demo_zone(client: CloudStack) -> dict:
    zones = client.listZones(fetch_list=True)
    assert [zone["name"] for zone in zones] == [ZONE_NAME]
    return zones[0]


def db_url_of(server: RunningServer) -> str:
    return server.db_url or f"sqlite:///{server.data_dir / 'cirrostack.db'}"


def test_demo_start_prints_what_it_made_before_listening(cirro_server):
    lines = cirro_server.stdout_lines
    listening = next(i for i, line in enumerate(lines) if "cirrostack API listening on" in line)
    summary = next(i for i, line in enumerate(lines) if line.startswith(f"Demo zone {ZONE_NAME} (Advanced, Enabled)"))
    assert summary < listening
    for name in DEMO_SOCKETS:
        assert any(line.strip().startswith(f"host {name}:") for line in lines[summary:listening])


def test_cs_lists_the_demo_zone_down_to_its_hosts(admin_keys):
    client = admin(admin_keys)
    zone = demo_zone(client)
    assert (zone["networktype"], zone["allocationstate"], zone["dns1"]) == ("Advanced", "Enabled", "8.8.8.8")
    pods = client.listPods(zoneid=zone["id"], fetch_list=True)
    assert len(pods) == 1 and pods[0]["zoneid"] == zone["id"]
    clusters = client.listClusters(zoneid=zone["id"], fetch_list=True)
    assert [(c["name"], c["hypervisortype"], c["podid"]) for c in clusters] == [(CLUSTER_NAME, "Simulator",
                                                                                 pods[0]["id"])]
    hosts = client.listHosts(clusterid=clusters[0]["id"], fetch_list=True)
    assert {host["name"]: host["cpusockets"] for host in hosts} == DEMO_SOCKETS
    assert {host["state"] for host in hosts} == {"Up"} and {host["hypervisor"] for host in hosts} == {"Simulator"}
    assert len({host["memorytotal"] for host in hosts}) == len(DEMO_HOSTS)  # sizes differ


def test_cs_lists_primary_and_secondary_storage_of_the_demo_zone(admin_keys):
    client = admin(admin_keys)
    zone = demo_zone(client)
    cluster = client.listClusters(zoneid=zone["id"], fetch_list=True)[0]
    pools = client.listStoragePools(zoneid=zone["id"], fetch_list=True)
    assert [(p["scope"], p["type"], p["clusterid"], p["state"]) for p in pools] == [
        ("CLUSTER", "NetworkFilesystem", cluster["id"], "Up")]
    stores = client.listImageStores(zoneid=zone["id"], fetch_list=True)
    assert [(s["protocol"], s["providername"], s["url"].split("://")[0]) for s in stores] == [("nfs", "NFS", "nfs")]


def test_the_featured_builtin_template_is_ready_for_cs_and_libcloud(admin_keys):
    client = admin(admin_keys)
    zone = demo_zone(client)
    featured = client.listTemplates(templatefilter="featured", zoneid=zone["id"], fetch_list=True)
    assert [(t["name"], t["templatetype"], t["hypervisor"], t["isready"], t["ispublic"]) for t in featured] == [
        (SIMULATOR_TEMPLATE_NAME, "BUILTIN", "Simulator", True, True)]
    images = {image.name: image for image in libcloud(admin_keys).list_images()}
    assert images[SIMULATOR_TEMPLATE_NAME].id == featured[0]["id"]


def test_os_types_offerings_and_hypervisors_are_there_for_the_demo(admin_keys):
    client = admin(admin_keys)
    zone = demo_zone(client)
    descriptions = {row["description"] for row in client.listOsTypes(fetch_list=True)}
    assert {"CentOS 5.6 (64-bit)", "Other Linux (64-bit)"} <= descriptions
    sizes = {size.name for size in libcloud(admin_keys).list_sizes()}
    assert {"Small Instance", "Medium Instance"} <= sizes
    assert [row["name"] for row in client.listHypervisors(zoneid=zone["id"], fetch_list=True)] == ["Simulator"]
    capabilities = client.listHypervisorCapabilities(hypervisor="Simulator", fetch_list=True)
    assert capabilities and {row["hypervisor"] for row in capabilities} == {"Simulator"}


def test_sockets_report_api_and_cli_match_the_simulated_hosts(cirro_server, admin_keys):
    rows = {row["hypervisor"]: row for row in admin(admin_keys).listCpuSockets(fetch_list=True)}
    assert (rows["Simulator"]["hosts"], rows["Simulator"]["cpusockets"]) == (len(DEMO_HOSTS),
                                                                            sum(DEMO_SOCKETS.values()))
    cirro = str(Path(sys.executable).with_name("cirro"))
    table = subprocess.run([cirro, "report", "sockets", "--db", db_url_of(cirro_server)], capture_output=True,
                           text=True, timeout=60)
    assert table.returncode == 0, table.stderr
    simulator = next(line.split() for line in table.stdout.splitlines() if line.startswith("Simulator"))
    assert simulator == ["Simulator", str(len(DEMO_HOSTS)), str(sum(DEMO_SOCKETS.values()))]


def test_router_template_setting_is_stored_per_zone_and_a_bad_typed_value_is_refused(admin_keys):
    client = admin(admin_keys)
    zone = demo_zone(client)
    updated = client.updateConfiguration(name="router.template.kvm", value="SystemVM Template (KVM)",
                                         zoneid=zone["id"])["configuration"]
    assert (updated["value"], updated["scope"]) == ("SystemVM Template (KVM)", "zone")
    listed = client.listConfigurations(name="router.template.kvm", zoneid=zone["id"], fetch_list=True)
    assert [(row["name"], row["value"]) for row in listed] == [("router.template.kvm", "SystemVM Template (KVM)")]
    with pytest.raises(CloudStackApiException) as refused:
        client.updateConfiguration(name="expunge.delay", value="soon")
    assert refused.value.error["errorcode"] == 431
    assert "expunge.delay" in refused.value.error["errortext"] and "soon" in refused.value.error["errortext"]


def test_generate_alert_by_root_is_listed_and_a_user_is_refused(admin_keys):
    client = admin(admin_keys)
    zone = demo_zone(client)
    assert client.generateAlert(type=100, name="demo.agent", description="agent on demo host restarted",
                                zoneid=zone["id"], fetch_result=True) == {"success": True}
    alerts = client.listAlerts(name="demo.agent", fetch_list=True)
    assert [alert["description"] for alert in alerts] == ["agent on demo host restarted"]

    client.createAccount(accounttype=0, email="u@example.org", firstname="Demo", lastname="User",
                         username="demo-user", password="demo-pw-123")
    http, login = log_in(admin_keys.endpoint, "demo-user", "demo-pw-123")
    reply = http.get(admin_keys.endpoint, params={"command": "generateAlert", "type": 100, "name": "x",
                                                  "description": "y", "sessionkey": login["sessionkey"],
                                                  "response": "json"}, timeout=10)
    error = reply.json()["errorresponse"]
    assert reply.status_code == 432 and error["errorcode"] == 432
    assert "generateAlert" in error["errortext"] and "demo-user" in error["errortext"]
    assert client.listAlerts(name="x", fetch_list=True) == []


def test_demo_zone_with_pods_and_cluster_with_hosts_cannot_be_deleted(admin_keys):
    client = admin(admin_keys)
    zone = demo_zone(client)
    cluster = client.listClusters(zoneid=zone["id"], fetch_list=True)[0]
    with pytest.raises(CloudStackApiException) as zone_refused:
        client.deleteZone(id=zone["id"])
    assert "pod" in zone_refused.value.error["errortext"].lower()
    with pytest.raises(CloudStackApiException) as cluster_refused:
        client.deleteCluster(id=cluster["id"])
    assert "host" in cluster_refused.value.error["errortext"].lower()
    assert demo_zone(client)["id"] == zone["id"]
    assert len(client.listHosts(clusterid=cluster["id"], fetch_list=True)) == len(DEMO_HOSTS)


def test_the_demo_records_an_event_for_everything_it_made(admin_keys):
    types = [event["type"] for event in admin(admin_keys).listEvents(fetch_list=True)]
    for expected in ("ZONE.CREATE", "POD.CREATE", "CLUSTER.CREATE", "PRIMARY.STORAGE.CREATE", "IMAGE.STORE.CREATE",
                     "TEMPLATE.CREATE", "ZONE.EDIT"):
        assert expected in types
    assert types.count("HOST.ADD") == len(DEMO_HOSTS)

"""Zones, pods, clusters and hosts through the API in-process (SQLite and MariaDB), with the simulator."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cirrostack.api.http import api_app, build_server
from cirrostack.config import ServerConfig
from cirrostack.db.models import Event
from cirrostack.db.models.alerts import Alert
from cirrostack.db.models.infrastructure import Host


@pytest.fixture(params=["sqlite", "mariadb"])
def server(request, tmp_path):
    db_url = "" if request.param == "sqlite" else request.getfixturevalue("mariadb_url")
    config = ServerConfig(data_dir=tmp_path, admin_password="pw", job_workers=2, server_id="test:1", db=db_url)
    built = build_server(config)
    yield built
    built.close()


@pytest.fixture
def api(server):
    client = api_app(server, integration=True).test_client()

    def call(command: str, **params):
        reply = client.get("/client/api", query_string={"response": "json", "command": command, **params})
        body = json.loads(reply.data)[command.lower() + "response"]
        if reply.status_code == 200 and "jobid" in body and command != "queryAsyncJobResult":
            server.jobs.wait(body["jobid"], timeout=20)
            job = call("queryAsyncJobResult", jobid=body["jobid"])[1]
            return (200 if job["jobstatus"] == 1 else job["jobresult"]["errorcode"]), job["jobresult"]
        return reply.status_code, body

    return call


def _zone(api, name="z1", networktype="Advanced"):
    status, body = api("createZone", name=name, networktype=networktype, dns1="8.8.8.8", internaldns1="10.0.0.2")
    assert status == 200, body
    return body["zone"]


def _pod(api, zone, name="p1"):
    status, body = api("createPod", zoneid=zone["id"], name=name, gateway="192.168.1.1", netmask="255.255.255.0",
                       startip="192.168.1.10", endip="192.168.1.100")
    assert status == 200, body
    return body["pod"]


def _cluster(api, zone, pod, name="c1"):
    status, body = api("addCluster", zoneid=zone["id"], podid=pod["id"], clustername=name,
                       clustertype="CloudManaged", hypervisor="simulator")
    assert status == 200, body
    return body["cluster"][0]


def _host(api, zone, pod, cluster, url="http://sim/c1/h0?sockets=4&cores=6&mhz=2600&memory=65536", **extra):
    return api("addHost", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Simulator",
               url=url, username="root", password="s3cret", **extra)


def test_zone_to_host_records_what_the_simulated_host_reports(api, server):
    zone = _zone(api)
    assert zone["networktype"] == "Advanced" and zone["guestcidraddress"] == "10.1.1.0/24"
    pod = _pod(api, zone)
    cluster = _cluster(api, zone, pod)
    assert cluster["hypervisortype"] == "Simulator"
    status, body = _host(api, zone, pod, cluster, hosttags="ssd,fast")
    assert status == 200, body
    host = body["host"][0]
    assert (host["cpusockets"], host["cpunumber"], host["cpuspeed"]) == (4, 24, 2600)
    assert host["memorytotal"] == 65536 * 1024 * 1024
    assert host["hypervisor"] == "Simulator" and host["hypervisorversion"].startswith("cirrostack-simulator")
    assert host["state"] == "Up" and host["resourcestate"] == "Enabled" and host["hosttags"] == "ssd,fast"
    assert (host["clusterid"], host["podid"], host["zoneid"]) == (cluster["id"], pod["id"], zone["id"])
    listed = api("listHosts", zoneid=zone["id"])[1]
    assert listed["count"] == 1 and listed["host"][0]["cpusockets"] == 4
    with server.database.session() as session:
        stored = session.scalars(select(Host)).one()
        assert stored.password and "s3cret" not in stored.password
        assert server.secrets.decrypt(stored.password) == "s3cret"
        types = set(session.scalars(select(Event.type)))
    assert {"ZONE.CREATE", "POD.CREATE", "CLUSTER.CREATE", "HOST.ADD"} <= types


def test_basic_zone_has_security_groups_and_refuses_a_guest_cidr(api):
    zone = _zone(api, "basic", "Basic")
    assert zone["securitygroupsenabled"] is True and "guestcidraddress" not in zone
    status, body = api("createZone", name="b2", networktype="Basic", dns1="8.8.8.8", internaldns1="10.0.0.2",
                       guestcidraddress="10.2.0.0/16")
    assert status == 431 and "guestcidraddress" in body["errortext"]


@pytest.mark.parametrize(("param", "value"), [("networktype", "Medium"), ("dns1", "not-an-ip"),
                                              ("internaldns1", "300.1.1.1")])
def test_bad_zone_input_names_the_parameter(api, param, value):
    params = {"name": "z", "networktype": "Advanced", "dns1": "8.8.8.8", "internaldns1": "10.0.0.2", param: value}
    status, body = api("createZone", **params)
    assert status == 431 and body["errortext"].startswith(param + ":") and value in body["errortext"]


def test_pod_range_outside_the_gateway_network_names_startip(api):
    zone = _zone(api)
    status, body = api("createPod", zoneid=zone["id"], name="p", gateway="10.0.0.1", netmask="255.255.255.0",
                       startip="10.0.1.5")
    assert status == 431 and body["errortext"].startswith("startip:") and "10.0.0.0/24" in body["errortext"]


def test_duplicate_zone_name_is_refused(api):
    _zone(api, "same")
    status, body = api("createZone", name="SAME", networktype="Advanced", dns1="8.8.8.8", internaldns1="10.0.0.2")
    assert status == 431 and "name:" in body["errortext"] and "already exists" in body["errortext"]


def test_cluster_of_an_uninstalled_hypervisor_names_it_and_the_installed_types(api):
    zone = _zone(api)
    pod = _pod(api, zone)
    status, body = api("addCluster", zoneid=zone["id"], podid=pod["id"], clustername="x", clustertype="CloudManaged",
                       hypervisor="Ovm3")
    assert status == 431
    assert body["errortext"].startswith("hypervisor:") and "Ovm3" in body["errortext"]
    assert "Simulator" in body["errortext"]


def test_deleting_what_is_in_use_is_refused_with_the_reason(api):
    zone = _zone(api)
    pod = _pod(api, zone)
    cluster = _cluster(api, zone, pod)
    host = _host(api, zone, pod, cluster)[1]["host"][0]
    status, body = api("deleteZone", id=zone["id"])
    assert status == 536 and "1 pod(s)" in body["errortext"] and zone["name"] in body["errortext"]
    status, body = api("deletePod", id=pod["id"])
    assert status == 536 and "1 cluster(s)" in body["errortext"]
    status, body = api("deleteCluster", id=cluster["id"])
    assert status == 536 and "1 host(s)" in body["errortext"]
    status, body = api("deleteHost", id=host["id"])
    assert status == 431 and "prepareHostForMaintenance" in body["errortext"]
    # maintenance, then everything goes, bottom up
    status, body = api("prepareHostForMaintenance", id=host["id"])
    assert status == 200 and body["host"]["resourcestate"] == "Maintenance"
    for command, target in (("deleteHost", host), ("deleteCluster", cluster), ("deletePod", pod),
                            ("deleteZone", zone)):
        assert api(command, id=target["id"])[0] == 200, command
    assert api("listZones")[1] == {}


def test_maintenance_round_trip(api):
    zone = _zone(api)
    pod = _pod(api, zone)
    cluster = _cluster(api, zone, pod)
    host = _host(api, zone, pod, cluster)[1]["host"][0]
    status, body = api("cancelHostMaintenance", id=host["id"])
    assert status == 431 and "not in maintenance" in body["errortext"]
    assert api("prepareHostForMaintenance", id=host["id"])[1]["host"]["resourcestate"] == "Maintenance"
    status, body = api("updateHost", id=host["id"], allocationstate="Disable")
    assert status == 431 and "Maintenance" in body["errortext"]
    assert api("cancelHostMaintenance", id=host["id"])[1]["host"]["resourcestate"] == "Enabled"
    assert api("updateHost", id=host["id"], allocationstate="Disable")[1]["host"]["resourcestate"] == "Disabled"


def test_host_monitor_marks_a_simulated_host_down_and_up_with_events_and_an_alert(api, server):
    zone = _zone(api)
    pod = _pod(api, zone)
    cluster = _cluster(api, zone, pod)
    url = "http://sim/c1/h7"
    host = _host(api, zone, pod, cluster, url=url)[1]["host"][0]
    driver = server.registry.hypervisor("Simulator")
    driver.faults.host_down(url)
    changes = server.host_monitor.poll_once()
    assert [(c.host_uuid, c.new) for c in changes] == [(host["id"], "Down")]
    assert api("listHosts", id=host["id"])[1]["host"][0]["state"] == "Down"
    events = api("listEvents", type="HOST.DOWN")[1]
    assert events["count"] == 1 and host["name"] in events["event"][0]["description"]
    with server.database.session() as session:
        alert = session.scalars(select(Alert)).one()
        assert alert.type == 7 and host["name"] in alert.subject
    assert server.host_monitor.poll_once() == []  # no change, no new event
    driver.faults.host_up(url)
    assert [c.new for c in server.host_monitor.poll_once()] == ["Up"]
    assert api("listHosts", id=host["id"])[1]["host"][0]["state"] == "Up"

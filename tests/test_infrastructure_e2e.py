"""Infrastructure through the real `cirro serve` (SQLite and MariaDB) with the unmodified `cs` client."""

from __future__ import annotations

import pytest
from cs import CloudStack, CloudStackApiException


def _client(endpoint: str, key: str, secret: str) -> CloudStack:
    return CloudStack(endpoint=endpoint, key=key, secret=secret)


def test_operator_describes_a_zone_down_to_hosts_and_a_user_may_not(admin_keys):
    admin = _client(admin_keys.endpoint, admin_keys.api_key, admin_keys.secret_key)
    zone = admin.createZone(name="e2e-zone", networktype="Advanced", dns1="8.8.8.8", internaldns1="10.0.0.2")["zone"]
    pod = admin.createPod(zoneid=zone["id"], name="e2e-pod", gateway="172.16.0.1", netmask="255.255.255.0",
                          startip="172.16.0.10", endip="172.16.0.200")["pod"]
    cluster = admin.addCluster(zoneid=zone["id"], podid=pod["id"], clustername="e2e-cluster",
                               clustertype="CloudManaged", hypervisor="Simulator")["cluster"][0]
    admin.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Simulator",
                  url="http://sim/e2e/h0?sockets=2&cores=8", username="root", password="pw")
    admin.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Simulator",
                  url="http://sim/e2e/h1?sockets=4&cores=8", username="root", password="pw")
    hosts = admin.listHosts(zoneid=zone["id"], fetch_list=True)
    assert sorted(host["cpusockets"] for host in hosts) == [2, 4]
    assert all(host["clustername"] == "e2e-cluster" and host["podname"] == "e2e-pod" for host in hosts)

    with pytest.raises(CloudStackApiException) as refused:
        admin.deleteCluster(id=cluster["id"])
    assert refused.value.error["errorcode"] == 536 and "2 host(s)" in refused.value.error["errortext"]

    admin.createAccount(accounttype=0, email="u@example.com", firstname="U", lastname="Ser", username="e2e-user",
                        password="user-pw-1")
    user_id = admin.listUsers(username="e2e-user")["user"][0]["id"]
    keys = admin.registerUserKeys(id=user_id)["userkeys"]
    user = _client(admin_keys.endpoint, keys["apikey"], keys["secretkey"])
    with pytest.raises(CloudStackApiException) as denied:
        user.createZone(name="mine", networktype="Basic", dns1="8.8.8.8", internaldns1="10.0.0.2")
    assert denied.value.error["errorcode"] == 432 and "createZone" in denied.value.error["errortext"]
    assert [z["name"] for z in user.listZones(fetch_list=True)] == ["e2e-zone"]

    job = admin.prepareHostForMaintenance(id=hosts[0]["id"], fetch_result=True)
    assert job["host"]["resourcestate"] == "Maintenance"
    events = {event["type"] for event in admin.listEvents(listall=True, fetch_list=True)}
    assert {"ZONE.CREATE", "POD.CREATE", "CLUSTER.CREATE", "HOST.ADD", "MAINT.PREPARE"} <= events

"""Security groups on a shared network of an Advanced zone (DefaultSharedNetworkOfferingWithSGService), in
process: the SecurityGroupProvider on the physical network, deploying into groups on the shared network, the
rule sets the simulator's hosts are given, and a push a host does not take (the job fails naming the VM and
the host, an ERROR event is recorded, and the set is pushed again with the next push to that host or when
the host answers again).

The cloud is the one of test_security_groups_api (an Advanced zone with securitygroupenabled=true, two
simulator hosts, the in-memory reference router as VirtualRouter), on SQLite; the retry tests on a
throwaway MariaDB too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.networks_zone import finished, ok
from tests.test_network_rules_api import rows
from tests.test_security_groups_api import SecurityCloud, _security_cloud

SG_OFFERING = "DefaultSharedNetworkOfferingWithSGService"
HOST_URLS = ("http://sim/sgc/h0", "http://sim/sgc/h1")


@dataclass
class SharedCloud:
    sg: SecurityCloud
    provider: dict[str, Any]
    network: str

    def vm(self, name: str, **groups: str) -> dict[str, Any]:
        return self.sg.vm(self.sg.alice, name, network=self.network, **groups)

    def enable_provider(self) -> None:
        finished(self.sg.api, self.sg.api.root("updateNetworkServiceProvider", id=self.provider["id"],
                                               state="Enabled"))


def _physical_network(cloud: SecurityCloud) -> dict[str, Any]:
    return ok(cloud.api.root("listPhysicalNetworks", zoneid=cloud.zone))["physicalnetwork"][0]


def _shared_network(cloud: SecurityCloud) -> str:
    offering = ok(cloud.api.root("listNetworkOfferings", name=SG_OFFERING))["networkoffering"][0]
    return ok(cloud.api.root("createNetwork", zoneid=cloud.zone, name="sg-shared", displaytext="sg-shared",
                             networkofferingid=offering["id"], vlan="250", gateway="10.40.0.1",
                             netmask="255.255.255.0", startip="10.40.0.10", endip="10.40.0.50"))["network"]["id"]


@contextmanager
def _shared_cloud(database_url: str, data_dir: Path) -> Iterator[SharedCloud]:
    with _security_cloud(database_url, data_dir) as cloud:
        physical = _physical_network(cloud)
        provider = finished(cloud.api, cloud.api.root("addNetworkServiceProvider", name="securitygroupprovider",
                                                      physicalnetworkid=physical["id"]))["networkserviceprovider"]
        yield SharedCloud(cloud, provider, _shared_network(cloud))


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[SharedCloud]:
    """The cloud on SQLite with the SecurityGroupProvider added (Disabled) to its physical network and a
    shared network from the SG offering."""
    with _shared_cloud(f"sqlite:///{tmp_path / 'sg-shared.db'}", tmp_path / "data") as built:
        yield built


@pytest.fixture
def enabled(shared: SharedCloud) -> SharedCloud:
    shared.enable_provider()
    return shared


@pytest.fixture
def enabled_any_db(database_url: str, tmp_path: Path) -> Iterator[SharedCloud]:
    """The same with the provider Enabled, on SQLite, then on a throwaway MariaDB database."""
    with _shared_cloud(database_url, tmp_path / "data") as built:
        built.enable_provider()
        yield built


def test_the_provider_is_added_and_enabled_per_physical_network(shared: SharedCloud) -> None:
    api = shared.sg.api
    assert (shared.provider["name"], shared.provider["state"]) == ("SecurityGroupProvider", "Disabled")
    assert shared.provider["servicelist"] == ["SecurityGroup"]
    listed = rows(api.root("listNetworkServiceProviders", physicalnetworkid=_physical_network(shared.sg)["id"],
                           name="SecurityGroupProvider"), "networkserviceprovider")
    assert [(p["id"], p["state"]) for p in listed] == [(shared.provider["id"], "Disabled")]
    status, body = api.root("addNetworkServiceProvider", name="SecurityGroupProvider",
                            physicalnetworkid=_physical_network(shared.sg)["id"])
    assert status == 431 and "already has provider SecurityGroupProvider" in body["errortext"], body

    error = shared.sg.failed(shared.sg.alice("deployVirtualMachine", networkids=shared.network, name="too-early",
                                             **shared.sg.deploy))
    assert error["errortext"].startswith("network sg-shared: provider SecurityGroupProvider is not Enabled"), error

    shared.enable_provider()
    vm = shared.vm("first")
    assert [g["name"] for g in vm["securitygroup"]] == ["default"]
    network = ok(api.root("listNetworks", id=shared.network, listall="true"))["network"][0]
    assert network["state"] == "Implemented"
    assert {s["name"]: s["provider"][0]["name"] for s in network["service"]}["SecurityGroup"] == \
        "SecurityGroupProvider"
    error = shared.sg.failed(api.root("deleteNetworkServiceProvider", id=shared.provider["id"]))
    assert error["errortext"] == "id: provider SecurityGroupProvider serves network sg-shared; delete that network " \
                                 "first", error


def test_groups_on_the_shared_network_become_the_hosts_rule_sets(enabled: SharedCloud) -> None:
    cloud, alice = enabled.sg, enabled.sg.alice
    web = ok(alice("createSecurityGroup", name="web"))["securitygroup"]
    ok(alice("createSecurityGroup", name="other"))
    server = enabled.vm("server", securitygroupids=web["id"])
    client = enabled.vm("client")
    outsider = enabled.vm("outsider", securitygroupnames="other")
    assert [ip.startswith("10.40.0.") for ip in (server["ip"], client["ip"], outsider["ip"])] == [True] * 3
    assert [[g["name"] for g in vm["securitygroup"]] for vm in (server, client, outsider)] == [
        ["web"], ["default"], ["other"]]
    assert cloud.rule_set(server).ingress == ()

    finished(cloud.api, alice("authorizeSecurityGroupIngress", securitygroupid=web["id"], protocol="tcp",
                              startport="80", endport="80", **{"usersecuritygrouplist[0].account": "alice",
                                                                "usersecuritygrouplist[0].group": "default"}))
    [rule] = cloud.rule_set(server).ingress
    assert (rule.protocol.value, rule.start_port, rule.end_port, rule.cidrs) == ("tcp", 80, 80,
                                                                                 (f"{client['ip']}/32",))
    assert cloud.rule_set(client).ingress == () and cloud.rule_set(outsider).ingress == ()

    late = enabled.vm("late")  # a new member of default is let in too
    [rule] = cloud.rule_set(server).ingress
    assert set(rule.cidrs) == {f"{client['ip']}/32", f"{late['ip']}/32"}


def test_a_push_the_host_does_not_take_fails_the_job_and_is_pushed_again(enabled_any_db: SharedCloud) -> None:
    enabled = enabled_any_db
    cloud, alice, api = enabled.sg, enabled.sg.alice, enabled.sg.api
    web = ok(alice("createSecurityGroup", name="web"))["securitygroup"]
    server = enabled.vm("server", securitygroupnames="web")
    before = cloud.rule_set(server).seq
    ok(api.root("configureSimulator", operation="apply_security_rules", count="1"))

    error = cloud.failed(alice("authorizeSecurityGroupIngress", securitygroupid=web["id"], protocol="tcp",
                               startport="80", endport="80", cidrlist="10.40.0.0/24"))
    host = ok(api.root("listHosts", id=ok(api.root("listVirtualMachines", id=server["id"]))["virtualmachine"][0]
                       ["hostid"]))["host"][0]
    assert error["errorcode"] == 534, error
    assert error["errortext"].startswith(
        "authorizing 1 ingress rule(s) in security group web is recorded, but security rules of VM server were "
        f"not applied on host {host['name']}: simulator: injected HostUnreachable in apply_security_rules"), error
    assert "the host gets the rules again when it answers again" in error["errortext"]
    [listed] = ok(alice("listSecurityGroups", id=web["id"]))["securitygroup"]
    assert [r["cidr"] for r in listed["ingressrule"]] == ["10.40.0.0/24"]  # the rule is stored
    assert cloud.rule_set(server).seq == before and cloud.rule_set(server).ingress == ()
    events = rows(api.root("listEvents", type="SG.APPLY", listall="true"), "event")
    assert any(e["level"] == "ERROR" and f"VM server were not applied on host {host['name']}" in e["description"]
               for e in events), events

    # the next push to that host (another VM's group changes) brings the server's set along
    other = ok(alice("createSecurityGroup", name="other"))["securitygroup"]
    domain = ok(api.root("listDomains"))["domain"][0]["id"]
    neighbour = cloud.vm(api.root, "neighbour", network=enabled.network, securitygroupids=other["id"],
                         hostid=host["id"], account="alice", domainid=domain)
    finished(api, alice("authorizeSecurityGroupIngress", securitygroupid=other["id"], protocol="udp",
                        startport="53", endport="53", cidrlist="10.40.0.0/24"))
    assert cloud.rule_set(neighbour).ingress[0].start_port == 53
    [rule] = cloud.rule_set(server).ingress
    assert (rule.start_port, rule.cidrs) == (80, ("10.40.0.0/24",))


def test_a_host_that_answers_again_gets_the_sets_it_missed(enabled_any_db: SharedCloud) -> None:
    enabled = enabled_any_db
    cloud, alice, api = enabled.sg, enabled.sg.alice, enabled.sg.api
    web = ok(alice("createSecurityGroup", name="web"))["securitygroup"]
    server = enabled.vm("server", securitygroupnames="web")
    allowed = finished(api, alice("authorizeSecurityGroupIngress", securitygroupid=web["id"], protocol="tcp",
                                  startport="22", endport="22", cidrlist="10.40.0.0/24"))["securitygroup"]
    assert len(cloud.rule_set(server).ingress) == 1
    for url in HOST_URLS:
        ok(api.root("configureSimulator", hosturl=url, hoststate="Down"))
    try:
        error = cloud.failed(alice("revokeSecurityGroupIngress", id=allowed["ingressrule"][0]["ruleid"]))
        assert error["errorcode"] == 534 and "revoking ingress rule" in error["errortext"], error
        assert len(cloud.rule_set(server).ingress) == 1  # the host still enforces the old set
        changes = api.server.host_monitor.poll_once()
        assert {(c.host_name, c.new) for c in changes if c.new != "Up"}, changes
    finally:
        for url in HOST_URLS:
            ok(api.root("configureSimulator", hosturl=url, hoststate="Up"))
    changes = api.server.host_monitor.poll_once()
    assert any(c.new == "Up" for c in changes), changes
    assert cloud.rule_set(server).ingress == ()  # the revoke reached the host once it answered
    assert ok(alice("listSecurityGroups", id=web["id"]))["securitygroup"][0]["ingressrule"] == []

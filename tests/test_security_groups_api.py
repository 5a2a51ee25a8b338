"""Security groups through the API in process: groups and their rules, tenancy, deploying into groups,
the rule sets the simulator's hosts are given (group references resolved to member addresses), and what
is refused where security groups do not apply.

The cloud is the demo zone plus a second Advanced zone created with securitygroupenabled=true, a
simulator cluster, storage, the BUILTIN template and guest networking; VMs get NICs on an isolated
network whose VirtualRouter provider is the in-memory reference router of the contract tests. The
rule-set and authorize/revoke tests run on SQLite and on a throwaway MariaDB; the others on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cirrostack.db.models import Account, VirtualMachine, Zone
from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack.services.security_groups import rule_sets
from cirrostack.services.templates.registration import create_builtin_template
from tests.fixtures.operator_api import OperatorApi, UserClient
from tests.networks_zone import finished, ok
from tests.test_network_rules_api import RecordingRouter, add_guest_networking, rows, rules_server
from tests.test_vm_lifecycle import demo_cloud


@dataclass
class SecurityCloud:
    api: OperatorApi
    zone: str
    deploy: dict[str, str]
    alice: UserClient
    network: str

    def done(self, result: tuple[int, dict]) -> dict:
        return finished(self.api, result)

    def failed(self, result: tuple[int, dict]) -> dict:
        body = ok(result)
        job = self.api.job_result(body["jobid"])
        assert job["jobstatus"] == 2, job
        return job["jobresult"]

    def vm(self, client: UserClient, name: str, network: str | None = None, **extra: Any) -> dict[str, Any]:
        """A running VM of `client`'s account on `network` (default: alice's), with its NIC address."""
        vm = self.done(client("deployVirtualMachine", name=name, networkids=network or self.network,
                              **self.deploy, **extra))["virtualmachine"]
        [nic] = ok(client("listNics", virtualmachineid=vm["id"]))["nic"]
        return {**vm, "ip": nic["ipaddress"]}

    def rule_set(self, vm: dict[str, Any]) -> Any:
        """What the VM's simulated host enforces for it now."""
        driver = self.api.server.registry.hypervisor("Simulator")
        instance_name = ok(self.api.root("listVirtualMachines", id=vm["id"]))["virtualmachine"][0]["instancename"]
        return driver.security_rules.current(instance_name)


def add_security_group_zone(api: OperatorApi, name: str = "sg-zone", cluster_key: str = "sgc") -> dict[str, str]:
    """An Advanced zone with security groups, one simulator host, storage and the BUILTIN template;
    returns the deploy parameters of the zone."""
    zone = ok(api.root("createZone", name=name, networktype="Advanced", securitygroupenabled="true", dns1="8.8.8.8",
                       internaldns1="10.0.0.2", guestcidraddress="10.1.1.0/24"))["zone"]
    assert zone["securitygroupsenabled"] is True
    pod = ok(api.root("createPod", zoneid=zone["id"], name=f"{name}-pod", gateway="172.16.20.1",
                      netmask="255.255.255.0", startip="172.16.20.10", endip="172.16.20.200"))["pod"]
    cluster = ok(api.root("addCluster", zoneid=zone["id"], podid=pod["id"], clustername=cluster_key,
                          clustertype="CloudManaged", hypervisor="Simulator"))["cluster"][0]
    for host in ("h0", "h1"):
        ok(api.root("addHost", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="Simulator",
                    url=f"http://sim/{cluster_key}/{host}?sockets=2&cores=8&memory=65536", username="root",
                    password="password"))
    ok(api.root("createStoragePool", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], scope="cluster",
                name=f"{name}-primary", url=f"nfs://10.147.28.6/export/{name}/primary",
                capacitybytes=str(10 * 1024**4)))
    ok(api.root("addImageStore", provider="NFS", name=f"{name}-secondary", zoneid=zone["id"],
                url=f"nfs://10.147.28.6/export/{name}/secondary"))
    with api.server.database.session() as session:
        zone_row = session.scalars(select(Zone).where(Zone.uuid == zone["id"])).one()
        admin = session.scalars(select(Account).where(Account.name == "admin")).one()
        template = create_builtin_template(session, zone_row, admin)
        template_id = template.uuid
        session.commit()
    offerings = ok(api.root("listServiceOfferings"))["serviceoffering"]
    small = next(offering["id"] for offering in offerings if offering["name"] == "Small Instance")
    return {"zoneid": zone["id"], "templateid": template_id, "serviceofferingid": small}


def new_network(api: OperatorApi, client: UserClient, zone: str, name: str) -> str:
    offering = ok(client("listNetworkOfferings", name="DefaultIsolatedNetworkOfferingWithSourceNatService")
                  )["networkoffering"][0]
    network = ok(client("createNetwork", name=name, displaytext=name, zoneid=zone,
                        networkofferingid=offering["id"]))["network"]
    finished(api, client("restartNetwork", id=network["id"]))
    return network["id"]


@contextmanager
def _security_cloud(database_url: str, data_dir: Path) -> Iterator[SecurityCloud]:
    api, _router = rules_server(database_url, data_dir)
    try:
        demo_cloud(api)
        deploy = add_security_group_zone(api)
        add_guest_networking(api, deploy["zoneid"])
        alice = api.user("alice")
        network = new_network(api, alice, deploy["zoneid"], "alice-net")
        yield SecurityCloud(api, deploy["zoneid"], deploy, alice, network)
    finally:
        api.server.close()


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[SecurityCloud]:
    """The cloud on SQLite."""
    with _security_cloud(f"sqlite:///{tmp_path / 'sg.db'}", tmp_path / "data") as built:
        yield built


@pytest.fixture
def any_db_cloud(database_url: str, tmp_path: Path) -> Iterator[SecurityCloud]:
    """The cloud on SQLite, then on a throwaway MariaDB database."""
    with _security_cloud(database_url, tmp_path / "data") as built:
        yield built


def _group(client: UserClient, name: str, **extra: Any) -> dict[str, Any]:
    return ok(client("createSecurityGroup", name=name, **extra))["securitygroup"]


# -- groups -----------------------------------------------------------------------------------------


def test_every_account_has_a_default_group_that_cannot_be_deleted(cloud: SecurityCloud) -> None:
    assert ok(cloud.alice("listCapabilities"))["capability"]["securitygroupsenabled"] is True
    [default] = ok(cloud.alice("listSecurityGroups"))["securitygroup"]
    assert (default["name"], default["account"], default["ingressrule"], default["egressrule"]) == (
        "default", "alice", [], [])
    status, body = cloud.alice("deleteSecurityGroup", name="default")
    assert status == 431 and "is the account's default group and cannot be deleted" in body["errortext"]


def test_a_group_is_created_listed_by_name_and_deleted(cloud: SecurityCloud) -> None:
    web = _group(cloud.alice, "web", description="web servers")
    assert (web["name"], web["description"], web["account"]) == ("web", "web servers", "alice")
    status, body = cloud.alice("createSecurityGroup", name="WEB")
    assert status == 431 and body["errortext"] == "name: account alice already has a security group named 'WEB'"
    assert [g["id"] for g in ok(cloud.alice("listSecurityGroups", securitygroupname="web"))["securitygroup"]] == [
        web["id"]]
    assert [g["name"] for g in ok(cloud.alice("listSecurityGroups", keyword="we"))["securitygroup"]] == ["web"]
    ok(cloud.alice("deleteSecurityGroup", id=web["id"]))
    assert [g["name"] for g in ok(cloud.alice("listSecurityGroups"))["securitygroup"]] == ["default"]


def test_groups_of_other_accounts_are_invisible_to_a_user(cloud: SecurityCloud) -> None:
    bob = cloud.api.user("bob")
    bobs = _group(bob, "private")
    status, body = cloud.alice("listSecurityGroups", id=bobs["id"])
    assert status == 431 and "id" in body["errortext"]
    assert [g["account"] for g in ok(cloud.alice("listSecurityGroups"))["securitygroup"]] == ["alice"]
    status, body = cloud.alice("deleteSecurityGroup", id=bobs["id"])
    assert status == 431
    listed = ok(cloud.api.root("listSecurityGroups", listall="true"))["securitygroup"]
    assert {(g["account"], g["name"]) for g in listed} >= {("bob", "private"), ("alice", "default")}


# -- rules ------------------------------------------------------------------------------------------


def test_authorize_records_one_rule_per_cidr_and_group_and_revoke_removes_one(any_db_cloud: SecurityCloud) -> None:
    cloud = any_db_cloud
    web = _group(cloud.alice, "web")
    _group(cloud.alice, "admins")
    group = cloud.done(cloud.alice(
        "authorizeSecurityGroupIngress", securitygroupid=web["id"], protocol="TCP", startport=80, endport=81,
        cidrlist="10.9.0.5/16,192.0.2.0/24", **{"usersecuritygrouplist[0].account": "alice",
                                                "usersecuritygrouplist[0].group": "admins"}))["securitygroup"]
    ingress = group["ingressrule"]
    assert [(r["protocol"], r["startport"], r["endport"], r.get("cidr"), r.get("securitygroupname"))
            for r in ingress] == [("tcp", 80, 81, "10.9.0.0/16", None), ("tcp", 80, 81, "192.0.2.0/24", None),
                                  ("tcp", 80, 81, None, "admins")]
    again = cloud.done(cloud.alice("authorizeSecurityGroupIngress", securitygroupname="web", protocol="tcp",
                                   startport=80, endport=81, cidrlist="10.9.0.0/16"))["securitygroup"]
    assert len(again["ingressrule"]) == 3  # the same rule is not recorded twice

    error = cloud.failed(cloud.alice("revokeSecurityGroupEgress", id=ingress[0]["ruleid"]))
    assert "is an ingress rule; revoke it with revokeSecurityGroupIngress" in error["errortext"]
    cloud.done(cloud.alice("revokeSecurityGroupIngress", id=ingress[0]["ruleid"]))
    [listed] = ok(cloud.alice("listSecurityGroups", id=web["id"]))["securitygroup"]
    assert [r["ruleid"] for r in listed["ingressrule"]] == [ingress[1]["ruleid"], ingress[2]["ruleid"]]
    status, body = cloud.alice("deleteSecurityGroup", name="admins")
    assert status == 536 and "named by rules of group(s) web" in body["errortext"]


@pytest.mark.parametrize(("params", "message"), [
    ({"protocol": "gre", "cidrlist": "0.0.0.0/0"}, "protocol: 'gre' is not a security group protocol"),
    ({"protocol": "tcp", "cidrlist": "0.0.0.0/0"}, "startport: a port is required for this protocol"),
    ({"protocol": "tcp", "startport": 90, "endport": 80, "cidrlist": "0.0.0.0/0"},
     "endport: 80 is lower than startport=90"),
    ({"protocol": "icmp", "startport": 1, "cidrlist": "0.0.0.0/0"}, "startport: protocol icmp takes icmptype"),
    ({"protocol": "udp", "startport": 53, "cidrlist": "10.0.0.300/8"}, "cidrlist: '10.0.0.300/8' is not a CIDR"),
    ({"protocol": "all"}, "cidrlist: give cidrlist or usersecuritygrouplist"),
    ({"protocol": "all", "usersecuritygrouplist[0].account": "alice", "usersecuritygrouplist[0].group": "nope"},
     "usersecuritygrouplist[0].group: account alice has no security group named 'nope'"),
])
def test_a_bad_rule_is_refused_naming_the_parameter(cloud: SecurityCloud, params: dict, message: str) -> None:
    error = cloud.failed(cloud.alice("authorizeSecurityGroupEgress", securitygroupname="default", **params))
    assert error["errortext"].startswith(message), error


# -- deploy and rule sets -----------------------------------------------------------------------------


def test_a_vm_joins_default_or_named_groups_and_its_host_gets_the_resolved_rule_set(
        any_db_cloud: SecurityCloud) -> None:
    cloud = any_db_cloud
    web = _group(cloud.alice, "web")
    _group(cloud.alice, "admins")
    plain = cloud.vm(cloud.alice, "plain")
    assert [g["name"] for g in plain["securitygroup"]] == ["default"]
    assert cloud.rule_set(plain).ingress == () and cloud.rule_set(plain).egress == ()

    server = cloud.vm(cloud.alice, "server", securitygroupnames="web")
    admin = cloud.vm(cloud.alice, "admin-box", securitygroupids=ok(cloud.alice(
        "listSecurityGroups", securitygroupname="admins"))["securitygroup"][0]["id"])
    assert [g["id"] for g in ok(cloud.alice("listVirtualMachines", id=server["id"]))["virtualmachine"][0]
            ["securitygroup"]] == [web["id"]]
    assert [g["name"] for g in ok(cloud.alice("listSecurityGroups", virtualmachineid=admin["id"]))
            ["securitygroup"]] == ["admins"]
    before = cloud.rule_set(server).seq

    cloud.done(cloud.alice("authorizeSecurityGroupIngress", securitygroupname="web", protocol="tcp", startport=22,
                           **{"usersecuritygrouplist[0].account": "alice", "usersecuritygrouplist[0].group": "admins"}))
    cloud.done(cloud.alice("authorizeSecurityGroupIngress", securitygroupname="web", protocol="icmp", icmptype=8,
                           cidrlist="198.51.100.0/24"))
    rules = cloud.rule_set(server)
    assert rules.seq > before and rules.guest_ips == (server["ip"],)
    assert [(r.protocol.value, r.start_port, r.end_port, r.cidrs) for r in rules.ingress if r.protocol != "icmp"] == [
        ("tcp", 22, 22, (f"{admin['ip']}/32",))]
    [icmp] = [r for r in rules.ingress if r.protocol == "icmp"]
    assert (icmp.icmp_type, icmp.icmp_code, icmp.cidrs) == (8, -1, ("198.51.100.0/24",))
    assert cloud.rule_set(plain).ingress == ()  # not a member of web

    second_admin = cloud.vm(cloud.alice, "admin-two", securitygroupnames="admins")
    [tcp] = [r for r in cloud.rule_set(server).ingress if r.protocol == "tcp"]
    assert set(tcp.cidrs) == {f"{admin['ip']}/32", f"{second_admin['ip']}/32"}  # a new member is allowed at once

    egress = cloud.done(cloud.alice("authorizeSecurityGroupEgress", securitygroupname="web", protocol="udp",
                                    startport=53, cidrlist="10.1.1.1/32"))["securitygroup"]["egressrule"]
    assert [(r.protocol.value, r.start_port, r.cidrs) for r in cloud.rule_set(server).egress] == [
        ("udp", 53, ("10.1.1.1/32",))]
    cloud.done(cloud.alice("revokeSecurityGroupEgress", id=egress[0]["ruleid"]))
    assert cloud.rule_set(server).egress == ()

    status, body = cloud.alice("deleteSecurityGroup", id=web["id"])
    assert status == 536 and "is in use by VM(s) server" in body["errortext"]

    cloud.done(cloud.alice("destroyVirtualMachine", id=second_admin["id"]))
    [tcp] = [r for r in cloud.rule_set(server).ingress if r.protocol == "tcp"]
    assert tcp.cidrs == (f"{admin['ip']}/32",)  # a destroyed member is no longer allowed


def test_a_group_whose_members_were_expunged_can_be_deleted(cloud: SecurityCloud) -> None:
    web = _group(cloud.alice, "web")
    vm = cloud.vm(cloud.alice, "short-lived", securitygroupids=web["id"])
    status, body = cloud.alice("deleteSecurityGroup", id=web["id"])
    assert status == 536 and "short-lived" in body["errortext"]
    cloud.done(cloud.api.root("destroyVirtualMachine", id=vm["id"], expunge="true"))
    ok(cloud.alice("deleteSecurityGroup", id=web["id"]))
    assert [g["name"] for g in ok(cloud.alice("listSecurityGroups"))["securitygroup"]] == ["default"]


def test_a_stale_rule_set_never_replaces_a_newer_one_on_the_host(cloud: SecurityCloud) -> None:
    vm = cloud.vm(cloud.alice, "guarded")
    cloud.done(cloud.alice("authorizeSecurityGroupIngress", securitygroupname="default", protocol="tcp",
                           startport=443, cidrlist="0.0.0.0/0"))
    current = cloud.rule_set(vm)
    driver = cloud.api.server.registry.hypervisor("Simulator")
    host = ok(cloud.api.root("listHosts", zoneid=cloud.zone, type="Routing"))["host"][0]
    ref = HostRef(uuid=host["id"], name=host["name"], url="http://sim/sgc/h0")
    assert driver.apply_security_rules(ref, replace(current, seq=current.seq - 1, ingress=())) is False
    assert cloud.rule_set(vm) == current
    assert driver.apply_security_rules(ref, current) is True  # the same set again changes nothing


def test_a_migrated_vm_keeps_its_rules_on_the_target_host(cloud: SecurityCloud) -> None:
    vm = cloud.vm(cloud.alice, "mover")
    cloud.done(cloud.alice("authorizeSecurityGroupIngress", securitygroupname="default", protocol="udp",
                           startport=53, cidrlist="10.0.0.0/8"))
    before = cloud.rule_set(vm)
    source = ok(cloud.api.root("listVirtualMachines", id=vm["id"]))["virtualmachine"][0]["hostid"]
    target = next(host["id"] for host in ok(cloud.api.root("listHosts", zoneid=cloud.zone, type="Routing"))["host"]
                  if host["id"] != source)
    moved = cloud.done(cloud.api.root("migrateVirtualMachine", virtualmachineid=vm["id"], hostid=target))
    assert moved["virtualmachine"]["hostid"] == target
    after = cloud.rule_set(vm)
    assert after is not None and after.seq > before.seq and after.ingress == before.ingress

    cloud.done(cloud.alice("stopVirtualMachine", id=vm["id"]))
    assert cloud.rule_set(vm) is None  # a stopped VM's host enforces nothing for it
    cloud.done(cloud.alice("startVirtualMachine", id=vm["id"]))
    restarted = cloud.rule_set(vm)
    assert restarted.seq > after.seq and restarted.ingress == before.ingress


def test_a_rule_may_name_a_group_of_another_account_of_the_domain(cloud: SecurityCloud) -> None:
    bob = cloud.api.user("bob")
    alices = cloud.vm(cloud.alice, "alice-box")
    bob_network = new_network(cloud.api, bob, cloud.zone, "bob-net")
    bobs = cloud.vm(bob, "bob-box", network=bob_network)
    group = cloud.done(bob("authorizeSecurityGroupIngress", securitygroupname="default", protocol="all",
                           **{"usersecuritygrouplist[0].account": "alice",
                              "usersecuritygrouplist[0].group": "default"}))["securitygroup"]
    assert [(r["securitygroupname"], r["account"]) for r in group["ingressrule"]] == [("default", "alice")]
    [allowed] = cloud.rule_set(bobs).ingress
    assert (allowed.protocol.value, allowed.cidrs) == ("all", (f"{alices['ip']}/32",))
    assert cloud.rule_set(alices).ingress == ()  # alice's own group is unchanged
    status, body = bob("listSecurityGroups", securitygroupname="default", account="alice",
                       domainid=ok(cloud.api.root("listDomains"))["domain"][0]["id"])
    assert (status, body["errortext"]) == (431, "account: no account named alice in your domain")  # no listing


def test_deploying_with_both_ids_and_names_or_another_accounts_group_is_refused(cloud: SecurityCloud) -> None:
    bob = cloud.api.user("bob")
    bobs = _group(bob, "private")
    status, body = cloud.alice("deployVirtualMachine", networkids=cloud.network, securitygroupids=_group(
        cloud.alice, "web")["id"], securitygroupnames="default", **cloud.deploy)
    assert status == 431 and body["errortext"].startswith("securitygroupids: give securitygroupids or "
                                                          "securitygroupnames, not both")
    status, body = cloud.api.root("deployVirtualMachine", networkids=cloud.network, securitygroupids=bobs["id"],
                                  account="alice", domainid=ok(cloud.api.root("listDomains"))["domain"][0]["id"],
                                  **cloud.deploy)
    assert status == 431 and "belongs to another account than the VM's owner alice" in body["errortext"]
    status, body = cloud.alice("deployVirtualMachine", networkids=cloud.network, securitygroupids=bobs["id"],
                               **cloud.deploy)
    assert status == 431 and body["errortext"] == f"securitygroupids: SecurityGroup {bobs['id']} does not exist"
    assert [vm["name"] for vm in rows(cloud.api.root("listVirtualMachines", listall="true", zoneid=cloud.zone),
                                      "virtualmachine")] == []  # nothing was recorded


def test_groups_are_refused_in_a_zone_without_security_groups(tmp_path: Path) -> None:
    api, _router = rules_server(f"sqlite:///{tmp_path / 'plain.db'}", tmp_path / "data")
    try:
        deploy = demo_cloud(api)
        assert ok(api.root("listCapabilities"))["capability"]["securitygroupsenabled"] is False
        status, body = api.root("deployVirtualMachine", securitygroupnames="default", **deploy)
        assert status == 431 and "has no security groups (securitygroupsenabled=false)" in body["errortext"]
        vm = finished(api, api.root("deployVirtualMachine", **deploy))["virtualmachine"]
        assert vm["securitygroup"] == []
        assert rows(api.root("listSecurityGroups", virtualmachineid=vm["id"])) == []
    finally:
        api.server.close()


assert RecordingRouter  # the reference router the cloud's networks use


def test_a_shared_network_with_the_sg_offering_needs_its_provider_on_the_physical_network(cloud: SecurityCloud
                                                                                          ) -> None:
    """4.3's way for Advanced zones with security groups: until the operator adds and enables the
    SecurityGroupProvider on the physical network (it is not there by default), the deploy on such a network
    is refused naming that provider (the rest: test_security_groups_shared.py)."""
    offering = ok(cloud.api.root("listNetworkOfferings", name="DefaultSharedNetworkOfferingWithSGService")
                  )["networkoffering"][0]
    network = ok(cloud.api.root("createNetwork", zoneid=cloud.zone, name="sg-shared", displaytext="sg-shared",
                                networkofferingid=offering["id"], vlan="250", gateway="10.40.0.1",
                                netmask="255.255.255.0", startip="10.40.0.10", endip="10.40.0.50"))["network"]
    error = cloud.failed(cloud.api.root("deployVirtualMachine", networkids=network["id"], name="on-shared",
                                        **cloud.deploy))
    assert error["errortext"].startswith("network sg-shared: provider SecurityGroupProvider is not Enabled"), error
    assert not rows(cloud.api.root("listNetworkServiceProviders", name="SecurityGroupProvider"))


def test_concurrent_rule_set_computations_take_distinct_increasing_seqs(any_db_cloud: SecurityCloud) -> None:
    """next_seq holds the VM's version row until commit: eight jobs at once get eight different numbers,
    one after the other, so the host can always tell the newest set."""
    cloud = any_db_cloud
    vm = cloud.vm(cloud.alice, "busy")
    with cloud.api.server.database.session() as session:
        row = session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == vm["id"])).one()
        vm_id, start = row.id, cloud.rule_set(vm).seq

    def take() -> int:
        with cloud.api.server.database.session() as session:
            seq = rule_sets.next_seq(session, vm_id)
            session.commit()
            return seq

    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="seq-taker") as pool:
        taken = list(pool.map(lambda _n: take(), range(8)))
    assert sorted(taken) == list(range(start + 1, start + 9))

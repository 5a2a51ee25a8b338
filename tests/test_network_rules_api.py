"""The rule commands through the API on SQLite: firewall (ingress, egress), port forwarding, static NAT,
load balancing with members and policies; what each push hands the VirtualRouter provider, and what
a refused request or a failed push leaves behind.

The zone is the demo's simulator zone with guest networking added through the API; the VirtualRouter
provider is replaced by the in-memory reference router of the contract tests, which keeps every set it
receives and can be told to refuse a service's push.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.errors import HostUnreachable
from cirrostack.hookspecs.network_rules import ServiceNetwork, VmDataEntry
from cirrostack.hookspecs.network_service import LoadBalancerCapabilities
from cirrostack.plugins.discovery import load_plugins
from cirrostack.plugins.registry import PluginRegistry
from tests.contract_drivers.fabric import Fabric
from tests.contract_drivers.network_service import InMemoryVirtualRouter
from tests.fixtures.operator_api import OperatorApi, UserClient
from tests.networks_zone import DEFAULT_SOURCE_NAT_OFFERING, finished, ok
from tests.test_vm_lifecycle import demo_cloud


class RecordingRouter(InMemoryVirtualRouter):
    """The reference router, keeping full LB rules and VM data too; `refusing` names apply methods
    that fail with HostUnreachable (the router not answering)."""

    capabilities = replace(InMemoryVirtualRouter.capabilities, lb=LoadBalancerCapabilities(
        stickiness_methods=frozenset({"LbCookie", "AppCookie", "SourceBased"})))
    shared_fabric: ClassVar[Fabric]
    refusing: ClassVar[set[str]]

    def __init__(self, settings: Any = None) -> None:
        super().__init__(settings, fabric=type(self).shared_fabric)

    def _refuse(self, method: str) -> None:
        if method in self.refusing:
            raise HostUnreachable(f"router of the test network does not answer {method}")

    def apply_firewall_rules(self, network: ServiceNetwork, rules: Any) -> None:
        self._refuse("apply_firewall_rules")
        super().apply_firewall_rules(network, rules)

    def apply_port_forwarding_rules(self, network: ServiceNetwork, rules: Any) -> None:
        self._refuse("apply_port_forwarding_rules")
        super().apply_port_forwarding_rules(network, rules)

    def apply_static_nat_rules(self, network: ServiceNetwork, rules: Any) -> None:
        self._refuse("apply_static_nat_rules")
        super().apply_static_nat_rules(network, rules)

    def apply_lb_rules(self, network: ServiceNetwork, rules: Any) -> None:
        self._refuse("apply_lb_rules")
        super().apply_lb_rules(network, rules)
        self._config(network)["lb_objects"] = tuple(rules)

    def apply_vm_data(self, network: ServiceNetwork, entries: list[VmDataEntry]) -> None:
        self._config(network)["vm_data"] = tuple(entries)


@dataclass
class RulesCloud:
    """A zone with guest networking, alice's implemented network with two stopped VMs on it."""

    api: OperatorApi
    router: type[RecordingRouter]
    alice: UserClient
    zone: str
    network: str
    source_nat_ip: str
    source_nat_ip_id: str
    vms: list[dict[str, Any]]
    deploy: dict[str, str]

    def applied(self, key: str, network: str | None = None) -> Any:
        """What the router holds for the network: "firewall_rules", "port_forwarding_rules", ..."""
        uuid = network or self.network
        networks = self.router.shared_fabric.state(f"router:{uuid}")["networks"]
        return networks[uuid].get(key, frozenset())

    def done(self, result: tuple[int, dict]) -> dict:
        """The job of an async reply, which must have succeeded."""
        return finished(self.api, result)

    def failed(self, result: tuple[int, dict]) -> dict:
        """The job of an async reply, which must have failed; its error result."""
        status, body = result
        assert status == 200, body
        job = self.api.job_result(body["jobid"])
        assert job["jobstatus"] == 2, job
        return job["jobresult"]

    def user_vm(self, client: UserClient, name: str, network: str) -> dict[str, Any]:
        """A stopped VM of `client`'s account with its NIC on `network`."""
        vm = self.done(client("deployVirtualMachine", name=name, startvm="false", networkids=network,
                              **self.deploy))["virtualmachine"]
        [nic] = ok(client("listNics", virtualmachineid=vm["id"]))["nic"]
        assert nic["networkid"] == network
        return {**vm, "ip": nic["ipaddress"]}

    def new_network(self, client: UserClient, name: str) -> str:
        """An implemented isolated network of `client`'s account, from the default source NAT offering."""
        offering = ok(client("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
        network = ok(client("createNetwork", name=name, displaytext=name, zoneid=self.zone,
                            networkofferingid=offering["id"]))["network"]
        self.done(client("restartNetwork", id=network["id"]))
        return network["id"]

    def new_ip(self, client: UserClient, network: str | None = None) -> dict[str, Any]:
        return self.done(client("associateIpAddress", networkid=network or self.network))["ipaddress"]


def rows(result: tuple[int, dict], key: str = "") -> list[dict[str, Any]]:
    """The items of a list reply; [] for CloudStack's empty reply (the response name over an empty object)."""
    body = ok(result)
    if key in body:
        return body[key]
    assert all(value == {} for value in body.values()), body
    return []


def add_guest_networking(api: OperatorApi, zone: str, vlan: str = "200-260") -> None:
    """A physical network with Guest, Management and Public traffic, the router providers enabled and a
    public range, added to an existing zone through the API."""
    physical = finished(api, api.root("createPhysicalNetwork", zoneid=zone, name="rules-phys",
                                      isolationmethods="VLAN"))["physicalnetwork"]
    for traffic in ("Guest", "Management", "Public"):
        finished(api, api.root("addTrafficType", physicalnetworkid=physical["id"], traffictype=traffic))
    nsp = ok(api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"],
                      name="VirtualRouter"))["networkserviceprovider"][0]
    element = ok(api.root("listVirtualRouterElements", nspid=nsp["id"]))["virtualrouterelement"][0]
    finished(api, api.root("configureVirtualRouterElement", id=element["id"], enabled="true"))
    finished(api, api.root("updateNetworkServiceProvider", id=nsp["id"], state="Enabled"))
    finished(api, api.root("updatePhysicalNetwork", id=physical["id"], state="Enabled", vlan=vlan))
    ok(api.root("createVlanIpRange", zoneid=zone, vlan="untagged", gateway="198.51.100.1", netmask="255.255.255.0",
                startip="198.51.100.10", endip="198.51.100.60", forvirtualnetwork="true"))


def rules_server(database_url: str, data_dir: Path) -> tuple[OperatorApi, type[RecordingRouter]]:
    """An in-process server whose VirtualRouter provider is a fresh RecordingRouter."""
    manager, records, registrations = load_plugins()
    router = type("TestRouter", (RecordingRouter,), {"shared_fabric": Fabric(), "refusing": set()})
    plugin = registrations["network-service"]["VirtualRouter"][0]
    registrations["network-service"]["VirtualRouter"] = (plugin, router)
    server = build_server(ServerConfig(data_dir=data_dir, db=database_url, admin_password="pw", job_workers=4,
                                       server_id="test:1"), PluginRegistry(manager, records, registrations))
    return OperatorApi(server), router


def build_rules_cloud(api: OperatorApi, router: type[RecordingRouter]) -> RulesCloud:
    deploy = demo_cloud(api)
    add_guest_networking(api, deploy["zoneid"])
    alice = api.user("alice")
    cloud = RulesCloud(api, router, alice, deploy["zoneid"], "", "", "", [], deploy)
    cloud.network = cloud.new_network(alice, "alice-net")
    source_nat = ok(alice("listPublicIpAddresses", associatednetworkid=cloud.network,
                          issourcenat="true"))["publicipaddress"][0]
    cloud.source_nat_ip, cloud.source_nat_ip_id = source_nat["ipaddress"], source_nat["id"]
    cloud.vms = [cloud.user_vm(alice, f"web-{n}", cloud.network) for n in (1, 2)]
    return cloud


@pytest.fixture
def cloud(tmp_path: Path) -> Iterator[RulesCloud]:
    api, router = rules_server(f"sqlite:///{tmp_path / 'rules.db'}", tmp_path / "data")
    try:
        yield build_rules_cloud(api, router)
    finally:
        api.server.close()


# -- firewall ------------------------------------------------------------------------------------------


def test_an_ingress_rule_reaches_the_router_is_listed_and_goes_away(cloud: RulesCloud) -> None:
    reply = ok(cloud.alice("createFirewallRule", ipaddressid=cloud.source_nat_ip_id, protocol="TCP", startport=22,
                           endport=23, cidrlist="10.9.0.5/16,192.0.2.0/24"))
    rule = finished(cloud.api, (200, reply))["firewallrule"]
    assert reply["id"] == rule["id"]
    assert (rule["protocol"], rule["startport"], rule["endport"], rule["state"]) == ("tcp", 22, 23, "Active")
    assert (rule["ipaddress"], rule["cidrlist"]) == (cloud.source_nat_ip, "10.9.0.0/16,192.0.2.0/24")
    [applied] = cloud.applied("firewall_rules")
    assert (applied.uuid, applied.direction, applied.public_ip, applied.start_port, applied.end_port,
            applied.cidrs) == (rule["id"], "ingress", cloud.source_nat_ip, 22, 23, ("10.9.0.0/16", "192.0.2.0/24"))
    assert [r["id"] for r in ok(cloud.alice("listFirewallRules", ipaddressid=cloud.source_nat_ip_id))
            ["firewallrule"]] == [rule["id"]]

    cloud.done(cloud.alice("deleteFirewallRule", id=rule["id"]))
    assert cloud.applied("firewall_rules") == frozenset()
    assert rows(cloud.alice("listFirewallRules")) == []


def test_an_icmp_rule_takes_type_and_code_but_no_ports(cloud: RulesCloud) -> None:
    rule = cloud.done(cloud.alice("createFirewallRule", ipaddressid=cloud.source_nat_ip_id, protocol="icmp",
                                  icmptype=8, icmpcode=0))["firewallrule"]
    assert (rule["icmptype"], rule["icmpcode"], rule["cidrlist"]) == (8, 0, "0.0.0.0/0")
    status, body = cloud.alice("createFirewallRule", ipaddressid=cloud.source_nat_ip_id, protocol="icmp",
                               startport=1)
    assert status == 431 and body["errortext"] == "startport: protocol icmp takes no ports"


def test_egress_rules_are_pushed_as_egress_and_listed_apart(cloud: RulesCloud) -> None:
    rule = cloud.done(cloud.alice("createEgressFirewallRule", networkid=cloud.network, protocol="all",
                                  cidrlist="10.1.1.0/24"))["firewallrule"]
    [applied] = cloud.applied("firewall_rules")
    assert (applied.direction, applied.protocol, applied.public_ip, applied.cidrs) == (
        "egress", "all", "", ("10.1.1.0/24",))
    assert rows(cloud.alice("listFirewallRules")) == []
    assert [r["id"] for r in ok(cloud.alice("listEgressFirewallRules", networkid=cloud.network))["firewallrule"]] \
        == [rule["id"]]
    error = cloud.failed(cloud.alice("deleteFirewallRule", id=rule["id"]))
    assert error["errortext"].startswith(f"id: firewall rule {rule['id']} is an egress rule")
    cloud.done(cloud.alice("deleteEgressFirewallRule", id=rule["id"]))
    assert cloud.applied("firewall_rules") == frozenset()


def test_the_same_traffic_for_the_same_cidrs_is_a_conflict(cloud: RulesCloud) -> None:
    first = cloud.done(cloud.alice("createFirewallRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                   startport=80, endport=90))["firewallrule"]
    status, body = cloud.alice("createFirewallRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                               startport=85)
    assert status == 537 and first["id"] in body["errortext"] and "overlaps" in body["errortext"]
    other_cidr = cloud.done(cloud.alice("createFirewallRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                        startport=85, cidrlist="10.0.0.0/8"))["firewallrule"]
    assert other_cidr["state"] == "Active" and len(cloud.applied("firewall_rules")) == 2


@pytest.mark.parametrize(("params", "message"), [
    ({"protocol": "gre"}, "protocol: protocol 'gre' is not supported by provider VirtualRouter; accepted: icmp, tcp, "
                          "udp"),
    ({"protocol": "tcp", "startport": 0}, "startport: port 0 is out of range 1..65535"),
    ({"protocol": "tcp", "startport": 90, "endport": 80}, "endport: 80 is lower than startport=90"),
    ({"protocol": "tcp", "endport": 80}, "startport: is needed with endport=80"),
    ({"protocol": "tcp", "startport": 80, "cidrlist": "10.0.0.300/8"}, "cidrlist: '10.0.0.300/8' is not a CIDR"),
])
def test_malformed_firewall_rules_name_the_parameter(cloud: RulesCloud, params: dict, message: str) -> None:
    status, body = cloud.alice("createFirewallRule", ipaddressid=cloud.source_nat_ip_id, **params)
    assert status == 431 and body["errortext"].startswith(message), body
    assert rows(cloud.alice("listFirewallRules")) == []


# -- port forwarding -------------------------------------------------------------------------------------


def test_port_forwarding_goes_to_the_vm_nic_and_opens_the_firewall(cloud: RulesCloud) -> None:
    web = cloud.vms[0]
    rule = cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                  publicport=8080, privateport=80, virtualmachineid=web["id"]))["portforwardingrule"]
    assert (rule["publicport"], rule["privateport"], rule["vmguestip"], rule["virtualmachinename"]) == (
        "8080", "80", web["ip"], "web-1")
    [forwarded] = cloud.applied("port_forwarding_rules")
    assert (forwarded.public_ip, forwarded.public_start_port, forwarded.private_ip, forwarded.private_start_port) \
        == (cloud.source_nat_ip, 8080, web["ip"], 80)
    [opened] = cloud.applied("firewall_rules")
    assert (opened.public_ip, opened.start_port, opened.end_port) == (cloud.source_nat_ip, 8080, 8080)

    cloud.done(cloud.alice("deletePortForwardingRule", id=rule["id"]))
    assert cloud.applied("port_forwarding_rules") == frozenset() and cloud.applied("firewall_rules") == frozenset()
    assert rows(cloud.alice("listPortForwardingRules")) == [] and rows(cloud.alice("listFirewallRules")) == []


def test_overlapping_public_ports_conflict_with_the_rule_holding_them(cloud: RulesCloud) -> None:
    held = cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                  publicport=2000, publicendport=2010, privateport=2000, privateendport=2010,
                                  virtualmachineid=cloud.vms[0]["id"], openfirewall="false"))["portforwardingrule"]
    status, body = cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                               publicport=2010, privateport=22, virtualmachineid=cloud.vms[1]["id"])
    assert status == 537
    assert body["errortext"] == (f"publicport: the new port forwarding rule (new) (tcp port 2010) on "
                                 f"{cloud.source_nat_ip} overlaps port forwarding rule {held['id']} (tcp ports "
                                 f"2000-2010); choose other public ports or delete that rule")
    udp = cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="udp",
                                 publicport=2010, privateport=53, virtualmachineid=cloud.vms[1]["id"],
                                 openfirewall="false"))
    assert udp["portforwardingrule"]["protocol"] == "udp" and len(cloud.applied("port_forwarding_rules")) == 2


def test_port_forwarding_ranges_must_have_the_same_size(cloud: RulesCloud) -> None:
    status, body = cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                               publicport=100, publicendport=110, privateport=100,
                               virtualmachineid=cloud.vms[0]["id"])
    assert status == 431 and body["errortext"].startswith("privateendport: the private range 100-100")
    status, body = cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="icmp",
                               publicport=100, privateport=100, virtualmachineid=cloud.vms[0]["id"])
    assert status == 431 and body["errortext"].startswith("protocol: protocol 'icmp' is not supported")


def test_a_vm_off_the_address_network_is_refused(cloud: RulesCloud) -> None:
    other_network = cloud.new_network(cloud.alice, "alice-other")
    elsewhere = cloud.user_vm(cloud.alice, "db-1", other_network)
    status, body = cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                               publicport=3306, privateport=3306, virtualmachineid=elsewhere["id"])
    assert status == 431
    assert body["errortext"].startswith(f"virtualmachineid: VM db-1 ({elsewhere['id']}) has no NIC on network "
                                        "alice-net")
    status, body = cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                               publicport=3306, privateport=3306, virtualmachineid=cloud.vms[0]["id"],
                               vmguestip="10.255.0.1")
    assert status == 431 and body["errortext"].startswith("vmguestip: 10.255.0.1 is not the address of VM web-1")


def test_another_tenants_address_or_vm_is_refused(cloud: RulesCloud) -> None:
    bob = cloud.api.user("bob")
    status, body = bob("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                       publicport=80, privateport=80, virtualmachineid=cloud.vms[0]["id"])
    assert status == 431 and body["errortext"] == f"ipaddressid: IpAddress {cloud.source_nat_ip_id} does not exist"
    bob_network = cloud.new_network(bob, "bob-net")
    bob_vm = cloud.user_vm(bob, "bob-1", bob_network)
    status, body = cloud.api.root("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                  publicport=80, privateport=80, virtualmachineid=bob_vm["id"])
    assert status == 431 and "belongs to another account than the public IP" in body["errortext"]
    assert rows(cloud.api.root("listPortForwardingRules", listall="true")) == []


def test_a_failed_push_leaves_neither_the_rule_nor_its_firewall_rule(cloud: RulesCloud) -> None:
    cloud.router.refusing.add("apply_port_forwarding_rules")
    error = cloud.failed(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                     publicport=8080, privateport=80, virtualmachineid=cloud.vms[0]["id"]))
    assert error["errorcode"] == 534 and "does not answer apply_port_forwarding_rules" in error["errortext"]
    assert rows(cloud.alice("listPortForwardingRules")) == [] and rows(cloud.alice("listFirewallRules")) == []
    cloud.router.refusing.clear()
    # the firewall set was pushed before the refusal; the re-push after the rollback took it back out
    assert cloud.applied("firewall_rules") == frozenset() and cloud.applied("port_forwarding_rules") == frozenset()
    rule = cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                  publicport=8080, privateport=80, virtualmachineid=cloud.vms[0]["id"]))
    assert rule["portforwardingrule"]["state"] == "Active"


def test_a_failed_delete_keeps_the_rule_active(cloud: RulesCloud) -> None:
    rule = cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                  publicport=8080, privateport=80, virtualmachineid=cloud.vms[0]["id"],
                                  openfirewall="false"))["portforwardingrule"]
    cloud.router.refusing.add("apply_port_forwarding_rules")
    cloud.failed(cloud.alice("deletePortForwardingRule", id=rule["id"]))
    [kept] = ok(cloud.alice("listPortForwardingRules"))["portforwardingrule"]
    assert (kept["id"], kept["state"]) == (rule["id"], "Active")


def test_update_port_forwarding_moves_the_rule_to_another_vm(cloud: RulesCloud) -> None:
    rule = cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                  publicport=8080, privateport=80, virtualmachineid=cloud.vms[0]["id"]))
    updated = cloud.done(cloud.alice("updatePortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                                     publicport=8080, privateport=8000, virtualmachineid=cloud.vms[1]["id"]))
    assert updated["portforwardingrule"]["id"] == rule["portforwardingrule"]["id"]
    [forwarded] = cloud.applied("port_forwarding_rules")
    assert (forwarded.private_ip, forwarded.private_start_port) == (cloud.vms[1]["ip"], 8000)


# -- static NAT ---------------------------------------------------------------------------------------


def test_static_nat_maps_an_address_and_is_listed_as_an_ip_forwarding_rule(cloud: RulesCloud) -> None:
    address = cloud.new_ip(cloud.alice)
    web = cloud.vms[0]
    assert ok(cloud.alice("enableStaticNat", ipaddressid=address["id"], virtualmachineid=web["id"])) == {
        "success": "true"}
    [mapping] = cloud.applied("static_nat_rules")
    assert (mapping.public_ip, mapping.private_ip) == (address["ipaddress"], web["ip"])
    [listed] = ok(cloud.alice("listIpForwardingRules"))["ipforwardingrule"]
    assert (listed["ipaddress"], listed["virtualmachineid"], listed["vmguestip"]) == (address["ipaddress"], web["id"],
                                                                                      web["ip"])
    shown = ok(cloud.alice("listPublicIpAddresses", id=address["id"]))["publicipaddress"][0]
    assert (shown["isstaticnat"], shown["virtualmachineid"]) == (True, web["id"])
    status, body = cloud.alice("createPortForwardingRule", ipaddressid=address["id"], protocol="tcp", publicport=80,
                               privateport=80, virtualmachineid=web["id"])
    assert status == 537 and "has static NAT enabled" in body["errortext"]

    cloud.done(cloud.alice("disableStaticNat", ipaddressid=address["id"]))
    assert cloud.applied("static_nat_rules") == frozenset() and rows(cloud.alice("listIpForwardingRules")) == []
    error = cloud.failed(cloud.alice("disableStaticNat", ipaddressid=address["id"]))
    assert error["errortext"] == f"ipaddressid: public IP {address['ipaddress']} has no static NAT to disable"


def test_static_nat_refuses_the_source_nat_address_and_an_address_with_forwarding(cloud: RulesCloud) -> None:
    status, body = cloud.alice("enableStaticNat", ipaddressid=cloud.source_nat_ip_id,
                               virtualmachineid=cloud.vms[0]["id"])
    assert status == 431 and body["errortext"].startswith(f"ipaddressid: public IP {cloud.source_nat_ip} is the "
                                                          "source NAT address")
    address = cloud.new_ip(cloud.alice)
    cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=address["id"], protocol="tcp", publicport=80,
                           privateport=80, virtualmachineid=cloud.vms[0]["id"]))
    status, body = cloud.alice("enableStaticNat", ipaddressid=address["id"], virtualmachineid=cloud.vms[1]["id"])
    assert status == 537 and "static NAT forwards every port" in body["errortext"]
    assert cloud.applied("static_nat_rules") == frozenset()


def test_a_released_address_takes_its_rules_along(cloud: RulesCloud) -> None:
    address = cloud.new_ip(cloud.alice)
    cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=address["id"], protocol="tcp", publicport=80,
                           privateport=80, virtualmachineid=cloud.vms[0]["id"]))
    assert len(cloud.applied("port_forwarding_rules")) == 1
    cloud.done(cloud.alice("disassociateIpAddress", id=address["id"]))
    assert rows(cloud.alice("listPortForwardingRules")) == [] and rows(cloud.alice("listFirewallRules")) == []
    assert cloud.applied("port_forwarding_rules") == frozenset() and cloud.applied("firewall_rules") == frozenset()


# -- load balancing -------------------------------------------------------------------------------------


def test_a_load_balancer_rule_balances_its_members_with_its_policies(cloud: RulesCloud) -> None:
    rule = cloud.done(cloud.alice("createLoadBalancerRule", publicipid=cloud.source_nat_ip_id, name="web",
                                  algorithm="roundrobin", publicport=80, privateport=8000))["loadbalancer"]
    assert (rule["publicip"], rule["publicport"], rule["privateport"], rule["algorithm"]) == (
        cloud.source_nat_ip, "80", "8000", "roundrobin")
    assert cloud.applied("lb_rules") == frozenset()  # balancing nothing yet, only its firewall rule is there
    assert len(cloud.applied("firewall_rules")) == 1

    cloud.done(cloud.alice("assignToLoadBalancerRule", id=rule["id"],
                           virtualmachineids=",".join(vm["id"] for vm in cloud.vms)))
    [balanced] = cloud.applied("lb_objects")
    assert sorted(member.ip_address for member in balanced.members) == sorted(vm["ip"] for vm in cloud.vms)
    assert {member.port for member in balanced.members} == {8000}
    listed = ok(cloud.alice("listLoadBalancerRuleInstances", id=rule["id"]))["loadbalancerruleinstance"]
    assert sorted(vm["name"] for vm in listed) == ["web-1", "web-2"]

    sticky = ok(cloud.alice("createLBStickinessPolicy", lbruleid=rule["id"], methodname="lbcookie", name="s1",
                            **{"param[0].name": "cookie", "param[0].value": "SRV"}))
    job = cloud.api.job_result(sticky["createLBStickinessPolicy"]["jobid"])  # CloudStack's irregular name
    assert job["jobstatus"] == 1 and job["jobresult"]["stickinesspolicies"]["name"] == "s1", job
    health = cloud.done(cloud.alice("createLBHealthCheckPolicy", lbruleid=rule["id"], pingpath="/health",
                                    intervaltime=10, responsetimeout=3))["healthcheckpolicies"]
    [balanced] = cloud.applied("lb_objects")
    assert balanced.stickiness.method == "LbCookie" and dict(balanced.stickiness.params) == {"cookie": "SRV"}
    assert (balanced.health_check.ping_path, balanced.health_check.interval_seconds,
            balanced.health_check.timeout_seconds) == ("/health", 10, 3)
    [policy] = ok(cloud.alice("listLBStickinessPolicies", lbruleid=rule["id"]))["stickinesspolicies"][0][
        "stickinesspolicy"]
    assert (policy["methodname"], policy["params"]) == ("LbCookie", {"cookie": "SRV"})
    assert health["healthcheckpolicy"][0]["pingpath"] == "/health"

    cloud.done(cloud.alice("updateLoadBalancerRule", id=rule["id"], algorithm="leastconn"))
    cloud.done(cloud.alice("removeFromLoadBalancerRule", id=rule["id"], virtualmachineids=cloud.vms[0]["id"]))
    [balanced] = cloud.applied("lb_objects")
    assert balanced.algorithm == "leastconn" and [m.ip_address for m in balanced.members] == [cloud.vms[1]["ip"]]
    status, body = cloud.alice("deleteLBStickinessPolicy", id=policy["id"])
    assert cloud.api.job_result(body["deleteLBstickinessrruleresponse"]["jobid"])["jobstatus"] == 1
    assert cloud.applied("lb_objects")[0].stickiness is None

    cloud.done(cloud.alice("deleteLoadBalancerRule", id=rule["id"]))
    assert cloud.applied("lb_objects") == () and cloud.applied("firewall_rules") == frozenset()
    assert rows(cloud.alice("listLoadBalancerRules")) == []


def test_load_balancer_requests_the_provider_cannot_serve_name_the_parameter(cloud: RulesCloud) -> None:
    status, body = cloud.alice("createLoadBalancerRule", publicipid=cloud.source_nat_ip_id, name="x",
                               algorithm="weighted", publicport=80, privateport=80)
    assert status == 431 and body["errortext"].startswith("algorithm: algorithm 'weighted' is not supported by "
                                                          "provider VirtualRouter; accepted: leastconn, roundrobin, "
                                                          "source")
    rule = cloud.done(cloud.alice("createLoadBalancerRule", publicipid=cloud.source_nat_ip_id, name="x",
                                  algorithm="source", publicport=80, privateport=80))["loadbalancer"]
    status, body = cloud.alice("createLBStickinessPolicy", lbruleid=rule["id"], methodname="magic", name="s")
    body = body.get("createLBStickinessPolicy", body)
    assert status == 431 and body["errortext"].startswith("methodname: stickiness method 'magic' is not supported")
    status, body = cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                               publicport=80, privateport=80, virtualmachineid=cloud.vms[0]["id"])
    assert status == 537 and f"load balancer rule {rule['id']} (tcp port 80)" in body["errortext"]
    cloud.done(cloud.alice("assignToLoadBalancerRule", id=rule["id"], virtualmachineids=cloud.vms[0]["id"]))
    error = cloud.failed(cloud.alice("assignToLoadBalancerRule", id=rule["id"], virtualmachineids=cloud.vms[0]["id"]))
    assert error["errortext"].startswith("virtualmachineids: VM web-1") and "already assigned" in error["errortext"]
    error = cloud.failed(cloud.alice("removeFromLoadBalancerRule", id=rule["id"],
                                     virtualmachineids=cloud.vms[1]["id"]))
    assert "is not assigned to load balancer rule x" in error["errortext"]


def test_an_expunged_vm_takes_its_forwarding_static_nat_and_memberships_along(cloud: RulesCloud) -> None:
    web, other = cloud.vms
    address = cloud.new_ip(cloud.alice)
    cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=cloud.source_nat_ip_id, protocol="tcp",
                           publicport=22, privateport=22, virtualmachineid=web["id"]))
    ok(cloud.alice("enableStaticNat", ipaddressid=address["id"], virtualmachineid=web["id"]))
    rule = cloud.done(cloud.alice("createLoadBalancerRule", publicipid=cloud.source_nat_ip_id, name="web",
                                  algorithm="roundrobin", publicport=80, privateport=80))["loadbalancer"]
    cloud.done(cloud.alice("assignToLoadBalancerRule", id=rule["id"], virtualmachineids=f"{web['id']},{other['id']}"))

    cloud.done(cloud.api.root("destroyVirtualMachine", id=web["id"], expunge="true"))
    assert rows(cloud.alice("listPortForwardingRules")) == [] and rows(cloud.alice("listIpForwardingRules")) == []
    assert [r["startport"] for r in rows(cloud.alice("listFirewallRules"), "firewallrule")] == [80]
    members = rows(cloud.alice("listLoadBalancerRuleInstances", id=rule["id"]), "loadbalancerruleinstance")
    assert [vm["id"] for vm in members] == [other["id"]]


def test_a_network_whose_offering_lacks_the_service_refuses_its_rules(cloud: RulesCloud) -> None:
    services = ("Dhcp", "Dns", "SourceNat", "PortForwarding")
    providers = {f"serviceproviderlist[{n}].{key}": value for n, service in enumerate(services)
                 for key, value in (("service", service), ("provider", "VirtualRouter"))}
    offering = ok(cloud.api.root("createNetworkOffering", name="nat-no-firewall", displaytext="no firewall",
                                 traffictype="GUEST", guestiptype="Isolated", supportedservices=",".join(services),
                                 **providers))["networkoffering"]
    ok(cloud.api.root("updateNetworkOffering", id=offering["id"], state="Enabled"))
    network = ok(cloud.alice("createNetwork", name="bare", displaytext="bare", zoneid=cloud.zone,
                             networkofferingid=offering["id"]))["network"]
    cloud.done(cloud.alice("restartNetwork", id=network["id"]))
    address = ok(cloud.alice("listPublicIpAddresses", associatednetworkid=network["id"]))["publicipaddress"][0]
    status, body = cloud.alice("createFirewallRule", ipaddressid=address["id"], protocol="tcp", startport=22)
    assert status == 431 and body["errortext"] == (f"ipaddressid: network bare ({network['id']}) does not offer the "
                                                   "Firewall service (see its network offering)")
    status, body = cloud.alice("createLoadBalancerRule", publicipid=address["id"], name="lb", algorithm="source",
                               publicport=80, privateport=80)
    assert status == 431 and "does not offer the Lb service" in body["errortext"]
    vm = cloud.user_vm(cloud.alice, "bare-1", network["id"])
    rule = cloud.done(cloud.alice("createPortForwardingRule", ipaddressid=address["id"], protocol="tcp",
                                  publicport=22, privateport=22, virtualmachineid=vm["id"], openfirewall="false"))
    assert [r.uuid for r in cloud.applied("port_forwarding_rules", network["id"])] == [
        rule["portforwardingrule"]["id"]]


def test_a_refused_static_nat_push_keeps_the_address_unmapped(cloud: RulesCloud) -> None:
    address = cloud.new_ip(cloud.alice)
    cloud.router.refusing.add("apply_static_nat_rules")
    status, body = cloud.alice("enableStaticNat", ipaddressid=address["id"], virtualmachineid=cloud.vms[0]["id"])
    assert status == 534, body  # the text of a 534 is only shown to root admins
    status, body = cloud.api.root("enableStaticNat", ipaddressid=address["id"], virtualmachineid=cloud.vms[0]["id"])
    assert status == 534 and "does not answer apply_static_nat_rules" in body["errortext"]
    shown = ok(cloud.alice("listPublicIpAddresses", id=address["id"]))["publicipaddress"][0]
    assert shown["isstaticnat"] is False and rows(cloud.alice("listIpForwardingRules")) == []


def test_health_check_policies_are_checked_listed_and_deleted(cloud: RulesCloud) -> None:
    rule = cloud.done(cloud.alice("createLoadBalancerRule", publicipid=cloud.source_nat_ip_id, name="web",
                                  algorithm="leastconn", publicport=443, privateport=8443))["loadbalancer"]
    cloud.done(cloud.alice("assignToLoadBalancerRule", id=rule["id"], virtualmachineids=cloud.vms[0]["id"]))
    for params, message in (({"pingpath": "health"}, "pingpath: 'health' must be an HTTP path starting with /"),
                            ({"intervaltime": 5, "responsetimeout": 5}, "responsetimeout: 5 s must be shorter"),
                            ({"healthythreshold": 0}, "healthythreshold: 0 is out of range 1..10")):
        status, body = cloud.alice("createLBHealthCheckPolicy", lbruleid=rule["id"], **params)
        assert status == 431 and body["errortext"].startswith(message), body
    policy = cloud.done(cloud.alice("createLBHealthCheckPolicy", lbruleid=rule["id"],
                                    description="tcp connect"))["healthcheckpolicies"]["healthcheckpolicy"][0]
    assert (policy["pingpath"], policy["healthcheckinterval"], policy["responsetime"]) == ("", 5, 2)
    assert cloud.applied("lb_objects")[0].health_check.ping_path == ""
    status, body = cloud.alice("createLBHealthCheckPolicy", lbruleid=rule["id"])
    assert status == 431 and body["errortext"].startswith("lbruleid: load balancer rule web already has a health")
    [listed] = rows(cloud.alice("listLBHealthCheckPolicies", lbruleid=rule["id"]), "healthcheckpolicies")
    assert [p["id"] for p in listed["healthcheckpolicy"]] == [policy["id"]]

    cloud.done(cloud.alice("deleteLBHealthCheckPolicy", id=policy["id"]))
    assert cloud.applied("lb_objects")[0].health_check is None
    [listed] = rows(cloud.alice("listLBHealthCheckPolicies", lbruleid=rule["id"]), "healthcheckpolicies")
    assert listed["healthcheckpolicy"] == []

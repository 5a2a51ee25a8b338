"""VMs on guest networks without starting them: the default network a deploy creates, NICs added and removed,
offering changes, and who may see NICs and routers."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from cirrostack.api.http import api_app
from cirrostack.demo import build_demo_zone
from cirrostack.services.networks.zone_wizard import GuestNetworking, set_up_guest_networking
from tests.networks_zone import DEFAULT_SOURCE_NAT_OFFERING, finished, ok

_ASYNC = {"createPhysicalNetwork", "addTrafficType", "configureVirtualRouterElement", "updateNetworkServiceProvider",
          "configureInternalLoadBalancerElement", "updatePhysicalNetwork"}


def _cloud(api) -> dict:
    assert build_demo_zone(api.server, announce=lambda _line: None) is not None
    zone = ok(api.root("listZones"))["zone"][0]["id"]

    def run(command: str, object_name: str, **params: str):
        reply = api.root(command, **params)
        return (finished(api, reply) if command in _ASYNC else ok(reply))[object_name]

    set_up_guest_networking(run, zone, GuestNetworking(public_start="192.0.2.10", public_end="192.0.2.20"))
    template = ok(api.root("listTemplates", templatefilter="featured"))["template"][0]["id"]
    small = next(o["id"] for o in ok(api.root("listServiceOfferings"))["serviceoffering"]
                 if o["name"] == "Small Instance")
    return {"zoneid": zone, "templateid": template, "serviceofferingid": small}


def test_a_deploy_without_networkids_gets_the_accounts_default_network(operator_api):
    cloud = _cloud(operator_api)
    alice = operator_api.user("alice")
    first = finished(operator_api, alice("deployVirtualMachine", name="a1", startvm="false", **cloud))
    second = finished(operator_api, alice("deployVirtualMachine", name="a2", startvm="false", **cloud))
    networks = ok(alice("listNetworks"))["network"]
    assert [(n["name"], n["networkofferingname"], n["cidr"]) for n in networks] == [
        ("alice-network", DEFAULT_SOURCE_NAT_OFFERING, "10.1.1.0/24")]
    addresses = [ok(alice("listNics", virtualmachineid=reply["virtualmachine"]["id"]))["nic"][0]["ipaddress"]
                 for reply in (first, second)]
    assert addresses == ["10.1.1.2", "10.1.1.3"]


def test_nics_are_added_and_removed_on_a_stopped_vm(operator_api):
    cloud = _cloud(operator_api)
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    offering = ok(operator_api.root("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
    front = ok(alice("createNetwork", name="front", displaytext="front", zoneid=cloud["zoneid"],
                     networkofferingid=offering["id"], gateway="10.30.0.1", netmask="255.255.255.0"))["network"]
    back = ok(alice("createNetwork", name="back", displaytext="back", zoneid=cloud["zoneid"],
                    networkofferingid=offering["id"], gateway="10.31.0.1", netmask="255.255.255.0"))["network"]
    vm = finished(operator_api, alice("deployVirtualMachine", name="multi", startvm="false", networkids=front["id"],
                                      ipaddress="10.30.0.50", **cloud))["virtualmachine"]
    finished(operator_api, alice("addNicToVirtualMachine", virtualmachineid=vm["id"], networkid=back["id"]))
    nics = ok(alice("listNics", virtualmachineid=vm["id"]))["nic"]
    assert [(n["networkname"], n["ipaddress"], n["isdefault"], n["deviceid"]) for n in nics] == [
        ("front", "10.30.0.50", True, "0"), ("back", "10.31.0.2", False, "1")]
    assert all(n["macaddress"].startswith("02:00:") for n in nics)
    status, body = bob("listNics", virtualmachineid=vm["id"])
    assert status == 431 and body["errortext"].startswith("virtualmachineid: VirtualMachine")
    reply = alice("removeNicFromVirtualMachine", virtualmachineid=vm["id"], nicid=nics[0]["id"])
    job = operator_api.job_result(ok(reply)["jobid"])
    assert job["jobstatus"] == 2 and "is the default NIC" in job["jobresult"]["errortext"]
    finished(operator_api, alice("removeNicFromVirtualMachine", virtualmachineid=vm["id"], nicid=nics[1]["id"]))
    assert [n["networkname"] for n in ok(alice("listNics", virtualmachineid=vm["id"]))["nic"]] == ["front"]
    status, body = alice("deleteNetwork", id=front["id"])
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and "still has NICs of VMs multi" in job["jobresult"]["errortext"]


def test_a_taken_guest_address_is_refused_naming_ipaddress(operator_api):
    cloud = _cloud(operator_api)
    alice = operator_api.user("alice")
    offering = ok(operator_api.root("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
    net = ok(alice("createNetwork", name="n", displaytext="n", zoneid=cloud["zoneid"],
                   networkofferingid=offering["id"], gateway="10.32.0.1", netmask="255.255.255.0"))["network"]
    finished(operator_api, alice("deployVirtualMachine", name="one", startvm="false", networkids=net["id"],
                                 ipaddress="10.32.0.9", **cloud))
    status, body = alice("deployVirtualMachine", name="two", startvm="false", networkids=net["id"],
                         ipaddress="10.32.0.9", **cloud)
    assert status == 431 and body["errortext"] == "ipaddress: 10.32.0.9 is already used in network n"
    status, body = alice("deployVirtualMachine", name="three", startvm="false", networkids=net["id"],
                         ipaddress="10.99.0.9", **cloud)
    assert status == 431 and body["errortext"] == "ipaddress: 10.99.0.9 is outside network n (10.32.0.0/24)"


def test_an_allocated_network_changes_offering_and_users_cannot_manage_routers(operator_api):
    cloud = _cloud(operator_api)
    alice = operator_api.user("alice")
    nat = ok(operator_api.root("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
    net = ok(alice("createNetwork", name="n", displaytext="n", zoneid=cloud["zoneid"],
                   networkofferingid=nat["id"]))["network"]
    dhcp_only = ok(operator_api.root(
        "createNetworkOffering", name="dhcp-only", displaytext="DHCP only", traffictype="Guest",
        guestiptype="Isolated", supportedservices="Dhcp,Dns,UserData"))["networkoffering"]
    reply = alice("updateNetwork", id=net["id"], networkofferingid=dhcp_only["id"])
    job = operator_api.job_result(ok(reply)["jobid"])
    assert job["jobstatus"] == 2 and "network offering dhcp-only is Disabled" in job["jobresult"]["errortext"]
    ok(operator_api.root("updateNetworkOffering", id=dhcp_only["id"], state="Enabled"))
    changed = finished(operator_api, alice("updateNetwork", id=net["id"], networkofferingid=dhcp_only["id"],
                                           name="renamed"))["network"]
    assert (changed["networkofferingname"], changed["name"]) == ("dhcp-only", "renamed")
    assert sorted(s["name"] for s in changed["service"]) == ["Dhcp", "Dns", "UserData"]
    status, body = alice("listRouters")
    assert status == 432


def test_vm_responses_list_their_nics(operator_api):
    cloud = _cloud(operator_api)
    alice = operator_api.user("alice")
    vm = finished(operator_api, alice("deployVirtualMachine", name="v", startvm="false", **cloud))["virtualmachine"]
    assert [(n["networkname"], n["ipaddress"], n["isdefault"], n["type"]) for n in vm["nic"]] == [
        ("alice-network", "10.1.1.2", True, "Isolated")]
    listed = ok(alice("listVirtualMachines"))["virtualmachine"]
    assert [n["ipaddress"] for n in listed[0]["nic"]] == ["10.1.1.2"]
    network = ok(alice("listNetworks"))["network"][0]
    assert listed[0]["nic"][0]["networkid"] == network["id"]


def test_a_private_vlan_is_refused_in_a_zone_whose_hypervisor_lacks_pvlan(operator_api):
    cloud = _cloud(operator_api)
    offering = ok(operator_api.root("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
    status, body = operator_api.root("createNetwork", name="p", displaytext="p", zoneid=cloud["zoneid"],
                                     networkofferingid=offering["id"], isolatedpvlan="300")
    assert status == 432
    assert body["errortext"].startswith("private VLANs (isolatedpvlan) is not supported on hypervisor Simulator")
    assert "network" not in ok(operator_api.root("listNetworks", listall="true"))


def test_providers_are_added_once_and_removed_with_their_element(operator_api):
    cloud = _cloud(operator_api)
    physical = ok(operator_api.root("listPhysicalNetworks", zoneid=cloud["zoneid"]))["physicalnetwork"][0]
    status, body = operator_api.root("addNetworkServiceProvider", physicalnetworkid=physical["id"],
                                     name="virtualrouter")
    assert status == 431 and body["errortext"] == "name: physical network physical-net already has provider " \
                                                  "VirtualRouter"
    vpc = ok(operator_api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"],
                               name="VpcVirtualRouter"))["networkserviceprovider"][0]
    finished(operator_api, operator_api.root("deleteNetworkServiceProvider", id=vpc["id"]))
    added = finished(operator_api, operator_api.root("addNetworkServiceProvider", physicalnetworkid=physical["id"],
                                                     name="VpcVirtualRouter"))["networkserviceprovider"]
    assert added["state"] == "Disabled"
    elements = ok(operator_api.root("listVirtualRouterElements", nspid=added["id"]))["virtualrouterelement"]
    assert [element["enabled"] for element in elements] == [False]
    kinds = ok(operator_api.root("listTrafficTypes", physicalnetworkid=physical["id"]))["traffictype"]
    public = next(kind for kind in kinds if kind["traffictype"] == "Public")
    updated = finished(operator_api, operator_api.root("updateTrafficType", id=public["id"],
                                                       xennetworklabel="xenbr1"))["traffictype"]
    assert (updated["xennetworklabel"], updated["kvmnetworklabel"]) == ("xenbr1", "cloudbr0")


def test_parallel_first_deploys_of_an_account_create_one_default_network(operator_api):
    cloud = _cloud(operator_api)
    domain = ok(operator_api.root("listDomains"))["domain"][0]
    operator_api.user("dave")

    def deploy(index: int) -> tuple[int, dict]:
        client = api_app(operator_api.server, integration=True).test_client()
        reply = client.get("/client/api", query_string={
            "command": "deployVirtualMachine", "response": "json", "name": f"d{index}", "startvm": "false",
            "account": "dave", "domainid": domain["id"], **cloud})
        return reply.status_code, json.loads(reply.data)

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(deploy, range(8)))
    assert [status for status, _ in replies] == [200] * 8, replies
    for _, body in replies:
        operator_api.job_result(body["deployvirtualmachineresponse"]["jobid"])
    networks = ok(operator_api.root("listNetworks", account="dave", domainid=domain["id"]))["network"]
    assert [network["name"] for network in networks] == ["dave-network"]


def test_a_network_is_not_implemented_on_a_disabled_provider(operator_api):
    cloud = _cloud(operator_api)
    physical = ok(operator_api.root("listPhysicalNetworks", zoneid=cloud["zoneid"]))["physicalnetwork"][0]
    router = ok(operator_api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"],
                                  name="VirtualRouter"))["networkserviceprovider"][0]
    finished(operator_api, operator_api.root("updateNetworkServiceProvider", id=router["id"], state="Disabled"))
    alice = operator_api.user("alice")
    vm = finished(operator_api, alice("deployVirtualMachine", name="v", startvm="false", **cloud))["virtualmachine"]
    job = operator_api.job_result(ok(operator_api.root("startVirtualMachine", id=vm["id"]))["jobid"])
    assert job["jobstatus"] == 2
    assert job["jobresult"]["errortext"] == ("network alice-network: provider VirtualRouter is not Enabled on physical "
                                             "network physical-net; enable it with updateNetworkServiceProvider "
                                             "state=Enabled")
    network = ok(alice("listNetworks"))["network"][0]
    assert network["state"] == "Allocated" and "router" not in ok(operator_api.root("listRouters", listall="true"))
    assert "publicipaddress" not in ok(alice("listPublicIpAddresses"))

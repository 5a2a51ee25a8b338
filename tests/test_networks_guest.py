"""Guest networks and public IPs through the API: VLANs, tenant scoping, errors naming parameters."""

from __future__ import annotations

import json

from tests.networks_zone import build_network_zone, finished, ok


def _network(client, built, name: str, **extra) -> tuple[int, dict]:
    return client("createNetwork", name=name, displaytext=name, zoneid=built["zone"]["id"],
                  networkofferingid=built["offering"]["id"], **extra)


def test_a_user_creates_an_isolated_network_with_the_first_free_vlan(operator_api):
    built = build_network_zone(operator_api)
    alice = operator_api.user("alice")
    first = ok(_network(alice, built, "a1"))["network"]
    second = ok(_network(alice, built, "a2"))["network"]
    assert (first["type"], first["acltype"], first["state"], first["account"]) == ("Isolated", "Account",
                                                                                   "Allocated", "alice")
    assert (first["cidr"], first["gateway"], first["netmask"]) == ("10.1.1.0/24", "10.1.1.1", "255.255.255.0")
    assert "vlan" not in first  # the broadcast URI is shown to the root admin only
    as_admin = ok(operator_api.root("listNetworks", listall="true"))["network"]
    assert sorted(n["vlan"] for n in as_admin) == ["100", "101"]
    assert {n["broadcasturi"] for n in as_admin} == {"vlan://100", "vlan://101"}
    assert second["networkofferingname"] == "DefaultIsolatedNetworkOfferingWithSourceNatService"


def test_users_see_only_their_own_networks(operator_api):
    built = build_network_zone(operator_api)
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    mine = ok(_network(alice, built, "alice-net"))["network"]
    ok(_network(bob, built, "bob-net"))
    assert [n["name"] for n in ok(alice("listNetworks"))["network"]] == ["alice-net"]
    status, body = bob("listNetworks", id=mine["id"])
    assert status == 431 and body["errortext"] == f"id: Network {mine['id']} does not exist"
    status, body = bob("deleteNetwork", id=mine["id"])
    assert status == 431


def test_a_deleted_network_frees_its_vlan(operator_api):
    built = build_network_zone(operator_api, vlan="300-300")
    alice = operator_api.user("alice")
    first = ok(_network(alice, built, "only"))["network"]
    status, body = _network(alice, built, "too-many")
    assert status == 533  # the reason is shown to administrators only, as in CloudStack
    status, body = _network(operator_api.root, built, "too-many")
    assert status == 533 and "every VLAN id of 300-300 is in use" in body["errortext"]
    finished(operator_api, alice("deleteNetwork", id=first["id"]))
    again = ok(_network(alice, built, "again"))["network"]
    assert ok(operator_api.root("listNetworks", id=again["id"]))["network"][0]["vlan"] == "300"


def test_create_network_errors_name_the_parameter(operator_api):
    built = build_network_zone(operator_api)
    alice = operator_api.user("alice")
    status, body = _network(alice, built, "x", vlan="150")
    assert status == 431 and body["errortext"].startswith("vlan: can only be given by an administrator")
    status, body = _network(alice, built, "y", gateway="10.9.9.1")
    assert status == 431 and body["errortext"].startswith("netmask: give gateway and netmask together")
    shared = ok(operator_api.root("listNetworkOfferings", name="DefaultSharedNetworkOffering"))["networkoffering"][0]
    status, body = alice("createNetwork", name="s", displaytext="s", zoneid=built["zone"]["id"],
                         networkofferingid=shared["id"])
    assert status == 431 and body["errortext"].startswith("vlan: network offering DefaultSharedNetworkOffering")
    bare = ok(operator_api.root("createZone", name="bare", networktype="Advanced", dns1="8.8.8.8",
                                internaldns1="10.0.0.2"))["zone"]
    status, body = alice("createNetwork", name="b", displaytext="b", zoneid=bare["id"],
                         networkofferingid=built["offering"]["id"])
    assert status == 431 and body["errortext"].startswith("zoneid: zone bare has no physical network")


def test_an_admin_creates_a_shared_network_with_its_vlan_and_range(operator_api):
    built = build_network_zone(operator_api)
    shared = ok(operator_api.root("listNetworkOfferings", name="DefaultSharedNetworkOffering"))["networkoffering"][0]
    network = ok(operator_api.root("createNetwork", name="shared", displaytext="shared", zoneid=built["zone"]["id"],
                                   networkofferingid=shared["id"], vlan="150", gateway="10.50.0.1",
                                   netmask="255.255.255.0", startip="10.50.0.10", endip="10.50.0.20"))["network"]
    assert (network["type"], network["acltype"], network["vlan"], network["cidr"]) == ("Shared", "Domain", "150",
                                                                                       "10.50.0.0/24")
    status, body = operator_api.root("createNetwork", name="dup", displaytext="dup", zoneid=built["zone"]["id"],
                                     networkofferingid=shared["id"], vlan="150", gateway="10.51.0.1",
                                     netmask="255.255.255.0", startip="10.51.0.10")
    assert status == 431 and body["errortext"] == "vlan: vlan://150 is already used by another network in the zone"
    alice = operator_api.user("alice")
    assert [n["name"] for n in ok(alice("listNetworks"))["network"]] == ["shared"]


def test_associate_list_and_disassociate_public_ips(operator_api):
    built = build_network_zone(operator_api, public=("192.0.2.10", "192.0.2.11"))
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    network = ok(_network(alice, built, "a"))["network"]
    first = finished(operator_api, alice("associateIpAddress", networkid=network["id"]))["ipaddress"]
    assert (first["ipaddress"], first["state"], first["account"], first["associatednetworkid"]) == (
        "192.0.2.10", "Allocated", "alice", network["id"])
    assert first["issourcenat"] is False and first["forvirtualnetwork"] is True
    second = finished(operator_api, alice("associateIpAddress", zoneid=built["zone"]["id"]))["ipaddress"]
    assert second["ipaddress"] == "192.0.2.11"
    assert bob("associateIpAddress", zoneid=built["zone"]["id"])[0] == 533
    domain = ok(operator_api.root("listDomains"))["domain"][0]
    status, body = operator_api.root("associateIpAddress", zoneid=built["zone"]["id"], account="bob",
                                     domainid=domain["id"])
    assert status == 533 and "no free public IP address is left for account bob" in body["errortext"]
    assert sorted(ip["ipaddress"] for ip in ok(alice("listPublicIpAddresses"))["publicipaddress"]) == [
        "192.0.2.10", "192.0.2.11"]
    assert "publicipaddress" not in ok(bob("listPublicIpAddresses"))
    finished(operator_api, alice("disassociateIpAddress", id=first["id"]))
    assert [ip["ipaddress"] for ip in ok(alice("listPublicIpAddresses"))["publicipaddress"]] == ["192.0.2.11"]
    free = ok(operator_api.root("listPublicIpAddresses", allocatedonly="false", zoneid=built["zone"]["id"]))
    assert {ip["ipaddress"]: ip["state"] for ip in free["publicipaddress"]} == {"192.0.2.10": "Free",
                                                                                "192.0.2.11": "Allocated"}


def test_a_range_dedicated_to_an_account_serves_only_that_account(operator_api):
    built = build_network_zone(operator_api, public=("192.0.2.10", "192.0.2.10"))
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    domain = ok(operator_api.root("listDomains"))["domain"][0]
    ok(operator_api.root("createVlanIpRange", zoneid=built["zone"]["id"], vlan="untagged", gateway="198.51.100.1",
                         netmask="255.255.255.0", startip="198.51.100.5", endip="198.51.100.5",
                         forvirtualnetwork="true", account="alice", domainid=domain["id"]))
    bobs = finished(operator_api, bob("associateIpAddress", zoneid=built["zone"]["id"]))["ipaddress"]
    alices = finished(operator_api, alice("associateIpAddress", zoneid=built["zone"]["id"]))["ipaddress"]
    assert (bobs["ipaddress"], alices["ipaddress"]) == ("192.0.2.10", "198.51.100.5")
    status, body = operator_api.root("createVlanIpRange", zoneid=built["zone"]["id"], gateway="192.0.2.1",
                                     netmask="255.255.255.0", startip="192.0.2.5", endip="192.0.2.12")
    assert status == 431 and body["errortext"].startswith("startip: the range 192.0.2.5-192.0.2.12 overlaps")
    ranges = ok(operator_api.root("listVlanIpRanges", zoneid=built["zone"]["id"]))["vlaniprange"]
    dedicated = next(r for r in ranges if r["startip"] == "198.51.100.5")
    assert dedicated["account"] == "alice"
    status, body = operator_api.root("deleteVlanIpRange", id=dedicated["id"])
    assert status == 536 and "198.51.100.5" in body["errortext"]


def test_a_domain_admin_sees_the_networks_and_ips_of_their_domain_only(operator_api):
    built = build_network_zone(operator_api)
    sub = ok(operator_api.root("createDomain", name="sub"))["domain"]
    for username, account_type in (("subadmin", 2), ("carol", 0)):
        ok(operator_api.root("createAccount", accounttype=account_type, email=f"{username}@example.org",
                             firstname=username, lastname="T", username=username, password="pw-123456",
                             domainid=sub["id"]))
    clients, sessions = {}, {}
    for username in ("subadmin", "carol"):
        clients[username] = operator_api._public.test_client()
        reply = clients[username].post("/client/api", data={"command": "login", "username": username,
                                                            "password": "pw-123456", "domain": "/sub",
                                                            "response": "json"})
        assert reply.status_code == 200, reply.data
        sessions[username] = json.loads(reply.data)["loginresponse"]["sessionkey"]

    def call(username: str, command: str, **params):
        reply = clients[username].get("/client/api", query_string={"command": command, "response": "json",
                                                                   "sessionkey": sessions[username], **params})
        body = json.loads(reply.data)
        return reply.status_code, body.get(command.lower() + "response") or body.get("errorresponse") or body

    carols = ok(_network(lambda *a, **k: call("carol", *a, **k), built, "carol-net"))["network"]
    finished(operator_api, call("carol", "associateIpAddress", networkid=carols["id"]))
    alice = operator_api.user("alice")
    ok(_network(alice, built, "alice-net"))
    seen = ok(call("subadmin", "listNetworks", listall="true"))["network"]
    assert [n["name"] for n in seen] == ["carol-net"]
    ips = ok(call("subadmin", "listPublicIpAddresses", listall="true"))["publicipaddress"]
    assert [ip["account"] for ip in ips] == ["carol"]
    assert "network" not in ok(call("subadmin", "listNetworks"))  # without listall: the admin's own account only

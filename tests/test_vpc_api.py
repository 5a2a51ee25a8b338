"""VPCs through the API in process: the seeded offering, VPC offerings for the root admin, createVPC's checks,
tiers (CIDR inside the VPC, no overlap, VPC offerings only, one Lb tier, tenancy), listNetworks by vpcid,
the VPC's public addresses, and deleteVPC (SQLite, then MariaDB)."""

from __future__ import annotations

from tests.networks_zone import build_network_zone, finished, ok

VPC_TIER_OFFERING = "DefaultIsolatedNetworkOfferingForVpcNetworks"
VPC_TIER_OFFERING_NO_LB = "DefaultIsolatedNetworkOfferingForVpcNetworksNoLB"


def _offering_id(api, name: str) -> str:
    return ok(api.root("listNetworkOfferings", name=name))["networkoffering"][0]["id"]


def _default_vpc_offering(api) -> dict:
    return ok(api.root("listVPCOfferings", isdefault="true"))["vpcoffering"][0]


def _vpc(api, client, built, name: str = "vpc1", cidr: str = "10.10.0.0/16") -> dict:
    """A VPC whose router is not started (start=false): these tests check the API, not the data plane
    (tests/test_vpc_router_start.py starts routers in namespaces of its own)."""
    return finished(api, client("createVPC", name=name, displaytext=name, cidr=cidr, zoneid=built["zone"]["id"],
                                vpcofferingid=_default_vpc_offering(api)["id"], start="false"))["vpc"]


def _tier(client, built, vpc: dict, name: str, gateway: str, netmask: str = "255.255.255.0",
          offering: str | None = None) -> tuple[int, dict]:
    return client("createNetwork", name=name, displaytext=name, zoneid=built["zone"]["id"], vpcid=vpc["id"],
                  networkofferingid=offering, gateway=gateway, netmask=netmask)


def test_the_default_vpc_offering_is_seeded_enabled_with_every_service_on_the_vpc_router(operator_api):
    offering = _default_vpc_offering(operator_api)
    assert (offering["name"], offering["state"], offering["isdefault"]) == ("Default VPC offering", "Enabled", True)
    services = {service["name"]: service["provider"][0]["name"] for service in offering["service"]}
    assert set(services) == {"Dhcp", "Dns", "Lb", "NetworkACL", "PortForwarding", "SourceNat", "StaticNat",
                             "UserData", "Vpn"}
    assert set(services.values()) == {"VpcVirtualRouter"}
    for name in (VPC_TIER_OFFERING, VPC_TIER_OFFERING_NO_LB):
        assert ok(operator_api.root("listNetworkOfferings", name=name))["networkoffering"][0]["forvpc"] is True


def test_vpc_offerings_are_created_disabled_enabled_and_deleted_by_the_root_admin(operator_api):
    alice = operator_api.user("alice")
    status, body = alice("createVPCOffering", name="mine", displaytext="mine", supportedservices="Dhcp,Dns")
    assert status == 432 and "createVPCOffering does not exist or it is not available" in body["errortext"]
    status, body = operator_api.root("createVPCOffering", name="bad", displaytext="bad",
                                     supportedservices="Dhcp,Teleport")
    assert status == 200
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and job["jobresult"]["errortext"].startswith("supportedservices: 'Teleport' is not")
    created = finished(operator_api, operator_api.root("createVPCOffering", name="small", displaytext="small vpc",
                                                       supportedservices="Dhcp,Dns,SourceNat"))["vpcoffering"]
    assert created["state"] == "Disabled" and created["isdefault"] is False
    built = build_network_zone(operator_api)
    status, body = operator_api.root("createVPC", name="v", displaytext="v", cidr="10.0.0.0/16",
                                     zoneid=built["zone"]["id"], vpcofferingid=created["id"])
    assert status == 431 and body["errortext"].startswith("vpcofferingid: VPC offering small is Disabled")
    enabled = finished(operator_api, operator_api.root("updateVPCOffering", id=created["id"], state="Enabled"))
    assert enabled["vpcoffering"]["state"] == "Enabled"
    assert [o["name"] for o in ok(alice("listVPCOfferings", state="Enabled"))["vpcoffering"]] == [
        "Default VPC offering", "small"]
    job = operator_api.job_result(ok(operator_api.root("deleteVPCOffering",
                                                       id=_default_vpc_offering(operator_api)["id"]))["jobid"])
    assert job["jobstatus"] == 2 and "default offering" in job["jobresult"]["errortext"]
    finished(operator_api, operator_api.root("deleteVPCOffering", id=created["id"]))
    assert ok(operator_api.root("listVPCOfferings", name="small")).get("vpcoffering", []) == []


def test_create_vpc_takes_a_source_nat_address_and_only_its_owner_sees_it(operator_api):
    built = build_network_zone(operator_api)
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    vpc = _vpc(operator_api, alice, built, cidr="10.10.0.0/16")
    assert (vpc["name"], vpc["cidr"], vpc["state"], vpc["account"]) == ("vpc1", "10.10.0.0/16", "Enabled", "alice")
    assert vpc["zoneid"] == built["zone"]["id"] and vpc["networkdomain"]
    [address] = ok(alice("listPublicIpAddresses", vpcid=vpc["id"]))["publicipaddress"]
    assert address["issourcenat"] is True and address["vpcid"] == vpc["id"]
    assert [v["id"] for v in ok(alice("listVPCs"))["vpc"]] == [vpc["id"]]
    assert ok(bob("listVPCs")).get("vpc", []) == []
    status, body = bob("listVPCs", id=vpc["id"])
    assert status == 431 and body["errortext"] == f"id: Vpc {vpc['id']} does not exist"
    updated = finished(operator_api, alice("updateVPC", id=vpc["id"], name="renamed", displaytext="d"))["vpc"]
    assert (updated["name"], updated["displaytext"]) == ("renamed", "d")


def test_create_vpc_refuses_a_cidr_that_is_not_a_private_range(operator_api):
    built = build_network_zone(operator_api)
    alice = operator_api.user("alice")
    offering = _default_vpc_offering(operator_api)["id"]
    for cidr, reason in (("8.8.0.0/16", "is not an IPv4 private range"), ("10.0.0.0/30", "is too small"),
                         ("ten/8", "is not a CIDR")):
        status, body = alice("createVPC", name="v", displaytext="v", cidr=cidr, zoneid=built["zone"]["id"],
                             vpcofferingid=offering)
        assert status == 431 and body["errortext"].startswith("cidr: ") and reason in body["errortext"], body
    assert ok(alice("listVPCs")).get("vpc", []) == []


def test_tiers_lie_inside_the_vpc_cidr_never_overlap_and_use_vpc_offerings(operator_api):
    built = build_network_zone(operator_api)
    alice = operator_api.user("alice")
    vpc = _vpc(operator_api, alice, built)
    tier_offering = _offering_id(operator_api, VPC_TIER_OFFERING)
    web = ok(_tier(alice, built, vpc, "web", "10.10.1.1", offering=tier_offering))["network"]
    assert (web["vpcid"], web["cidr"], web["gateway"]) == (vpc["id"], "10.10.1.0/24", "10.10.1.1")
    assert web["networkdomain"] == vpc["networkdomain"]
    refusals = (
        (dict(gateway="10.20.1.1", offering=_offering_id(operator_api, VPC_TIER_OFFERING_NO_LB)),
         "gateway: the tier's CIDR 10.20.1.0/24 is not inside VPC vpc1's CIDR 10.10.0.0/16"),
        (dict(gateway="10.10.1.129", netmask="255.255.255.128",
              offering=_offering_id(operator_api, VPC_TIER_OFFERING_NO_LB)),
         "gateway: the tier's CIDR 10.10.1.128/25 overlaps tier web (10.10.1.0/24) of VPC vpc1"),
        (dict(gateway="10.10.2.1", offering=built["offering"]["id"]),
         "networkofferingid: network offering DefaultIsolatedNetworkOfferingWithSourceNatService is not for VPC "
         "tiers"),
        (dict(gateway="10.10.2.1", offering=tier_offering),
         "networkofferingid: VPC vpc1 already has a tier with the Lb service (web)"),
    )
    for extra, text in refusals:
        status, body = _tier(alice, built, vpc, "bad", **extra)
        assert status == 431 and body["errortext"].startswith(text), body
    status, body = alice("createNetwork", name="bad", displaytext="bad", zoneid=built["zone"]["id"], vpcid=vpc["id"],
                         networkofferingid=tier_offering)
    assert status == 431 and body["errortext"].startswith("gateway: a tier of VPC vpc1 needs gateway and netmask")
    status, body = alice("createNetwork", name="bad", displaytext="bad", zoneid=built["zone"]["id"],
                         networkofferingid=tier_offering)
    assert status == 431 and "is for VPC tiers only" in body["errortext"]
    db = ok(_tier(alice, built, vpc, "db", "10.10.2.1", offering=_offering_id(operator_api, VPC_TIER_OFFERING_NO_LB)))
    assert [n["name"] for n in ok(alice("listNetworks", vpcid=vpc["id"]))["network"]] == ["web", "db"]
    assert [n["name"] for n in ok(alice("listNetworks", forvpc="true"))["network"]] == ["web", "db"]
    assert [n["name"] for n in ok(alice("listVPCs", id=vpc["id"]))["vpc"][0]["network"]] == ["web", "db"]
    assert db["network"]["vpcid"] == vpc["id"]


def test_a_tier_needs_the_vpc_owner_and_other_accounts_cannot_name_the_vpc(operator_api):
    built = build_network_zone(operator_api)
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    vpc = _vpc(operator_api, alice, built)
    status, body = _tier(bob, built, vpc, "intruder", "10.10.5.1", offering=_offering_id(operator_api,
                                                                                         VPC_TIER_OFFERING))
    assert status == 431 and body["errortext"] == f"vpcid: Vpc {vpc['id']} does not exist"
    status, body = operator_api.root("createNetwork", name="t", displaytext="t", zoneid=built["zone"]["id"],
                                     vpcid=vpc["id"], networkofferingid=_offering_id(operator_api, VPC_TIER_OFFERING),
                                     gateway="10.10.5.1", netmask="255.255.255.0")
    assert status == 431 and body["errortext"].startswith("vpcid: VPC vpc1 belongs to another account")


def test_associate_ip_with_a_vpc_and_delete_the_vpc_once_its_tiers_are_gone(operator_api):
    built = build_network_zone(operator_api)
    alice = operator_api.user("alice")
    vpc = _vpc(operator_api, alice, built)
    extra = finished(operator_api, alice("associateIpAddress", vpcid=vpc["id"]))["ipaddress"]
    assert extra["vpcid"] == vpc["id"] and extra["issourcenat"] is False
    addresses = ok(alice("listPublicIpAddresses", vpcid=vpc["id"]))["publicipaddress"]
    assert len(addresses) == 2
    tier = ok(_tier(alice, built, vpc, "web", "10.10.1.1", offering=_offering_id(operator_api, VPC_TIER_OFFERING)))
    job = operator_api.job_result(ok(alice("deleteVPC", id=vpc["id"]))["jobid"])
    assert job["jobstatus"] == 2 and job["jobresult"]["errortext"].startswith("id: VPC vpc1 still has tiers web")
    finished(operator_api, alice("deleteNetwork", id=tier["network"]["id"]))
    finished(operator_api, alice("deleteVPC", id=vpc["id"]))
    assert ok(alice("listVPCs")).get("vpc", []) == []
    assert ok(alice("listPublicIpAddresses")).get("publicipaddress", []) == []
    released = ok(operator_api.root("listPublicIpAddresses", allocatedonly="false",
                                    ipaddress=addresses[0]["ipaddress"]))["publicipaddress"][0]
    assert released["state"] == "Free" and "vpcid" not in released


def test_network_acl_lists_hold_numbered_rules_and_tiers_start_with_default_deny(operator_api):
    built = build_network_zone(operator_api)
    alice, bob = operator_api.user("alice"), operator_api.user("bob")
    vpc = _vpc(operator_api, alice, built)
    defaults = {acl["name"]: acl for acl in ok(alice("listNetworkACLLists"))["networkacllist"]}
    assert set(defaults) == {"default_allow", "default_deny"} and "vpcid" not in defaults["default_deny"]
    tier = ok(_tier(alice, built, vpc, "web", "10.10.1.1", offering=_offering_id(operator_api, VPC_TIER_OFFERING)))
    assert tier["network"]["aclid"] == defaults["default_deny"]["id"]
    denied = ok(alice("listNetworkACLs", networkid=tier["network"]["id"]))["networkacl"]
    assert [(item["traffictype"], item["action"], item["protocol"]) for item in denied] == [
        ("Ingress", "Deny", "all"), ("Egress", "Deny", "all")]
    status, body = alice("createNetworkACL", networkid=tier["network"]["id"], protocol="tcp", startport="80")
    assert status == 200
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and job["jobresult"]["errortext"].startswith(
        "aclid: network ACL list default_deny is a default list and cannot be changed")

    acl = finished(operator_api, alice("createNetworkACLList", name="web-acl", description="web", vpcid=vpc["id"]))
    acl = acl["networkacllist"]
    assert (acl["name"], acl["vpcid"]) == ("web-acl", vpc["id"])
    first = finished(operator_api, alice("createNetworkACL", aclid=acl["id"], protocol="TCP", startport="80",
                                         endport="81", cidrlist="10.0.0.0/8", traffictype="ingress"))["networkacl"]
    assert (first["number"], first["protocol"], first["startport"], first["endport"], first["action"],
            first["cidrlist"]) == (1, "tcp", 80, 81, "Allow", "10.0.0.0/8")
    second = finished(operator_api, alice("createNetworkACL", aclid=acl["id"], protocol="all",
                                          traffictype="Egress", action="deny", number="5"))["networkacl"]
    assert (second["number"], second["traffictype"], second["action"]) == (5, "Egress", "Deny")
    for params, text in ((dict(protocol="gre"), "protocol: 'gre' is not one of tcp, udp, icmp, all"),
                         (dict(protocol="tcp", startport="90", endport="80"), "endport: 80 is below startport 90"),
                         (dict(protocol="icmp", startport="80"), "startport: ports apply to protocols tcp and udp"),
                         (dict(protocol="tcp", cidrlist="10.0.0.0/33"), "cidrlist: '10.0.0.0/33' is not a CIDR"),
                         (dict(protocol="tcp", number="5"), "number: network ACL list web-acl already has a rule "
                                                            "number 5"),
                         (dict(protocol="tcp", action="Reject"), "action: 'Reject' is not Allow or Deny")):
        job = operator_api.job_result(ok(alice("createNetworkACL", aclid=acl["id"], **params))["jobid"])
        assert job["jobstatus"] == 2 and job["jobresult"]["errortext"].startswith(text), (params, job)

    finished(operator_api, alice("replaceNetworkACLList", aclid=acl["id"], networkid=tier["network"]["id"]))
    assert ok(alice("listNetworks", id=tier["network"]["id"]))["network"][0]["aclid"] == acl["id"]
    assert [item["number"] for item in ok(alice("listNetworkACLs", networkid=tier["network"]["id"]))["networkacl"]] \
        == [1, 5]
    status, body = bob("listNetworkACLLists", id=acl["id"])
    assert status == 431 and body["errortext"] == f"id: NetworkACLList {acl['id']} does not exist"
    job = operator_api.job_result(ok(alice("deleteNetworkACLList", id=acl["id"]))["jobid"])
    assert job["jobstatus"] == 2 and "is used by tiers web" in job["jobresult"]["errortext"]
    finished(operator_api, alice("replaceNetworkACLList", aclid=defaults["default_allow"]["id"],
                                 networkid=tier["network"]["id"]))
    finished(operator_api, alice("deleteNetworkACL", id=first["id"]))
    finished(operator_api, alice("deleteNetworkACLList", id=acl["id"]))
    assert [a["name"] for a in ok(alice("listNetworkACLLists", vpcid=vpc["id"])).get("networkacllist", [])] == []


def test_a_tier_moves_only_to_another_vpc_offering(operator_api):
    built = build_network_zone(operator_api)
    alice = operator_api.user("alice")
    vpc = _vpc(operator_api, alice, built)
    tier = ok(_tier(alice, built, vpc, "web", "10.10.1.1", offering=_offering_id(operator_api, VPC_TIER_OFFERING)))
    job = operator_api.job_result(ok(alice("updateNetwork", id=tier["network"]["id"],
                                           networkofferingid=built["offering"]["id"]))["jobid"])
    assert job["jobstatus"] == 2 and job["jobresult"]["errortext"] == (
        "networkofferingid: network offering DefaultIsolatedNetworkOfferingWithSourceNatService is for Isolated "
        "networks; network web is a VPC tier")
    moved = finished(operator_api, alice("updateNetwork", id=tier["network"]["id"],
                                         networkofferingid=_offering_id(operator_api, VPC_TIER_OFFERING_NO_LB)))
    assert (moved["network"]["networkofferingname"], moved["network"]["vpcid"]) == (VPC_TIER_OFFERING_NO_LB,
                                                                                    vpc["id"])

"""Physical networks, traffic types, providers, router elements and offerings through the API (SQLite, MariaDB)."""

from __future__ import annotations

from tests.networks_zone import DEFAULT_SOURCE_NAT_OFFERING, build_network_zone, finished, ok


def test_new_physical_network_has_the_router_providers_disabled(operator_api):
    zone = ok(operator_api.root("createZone", name="z", networktype="Advanced", dns1="8.8.8.8",
                                internaldns1="10.0.0.2"))["zone"]
    physical = finished(operator_api, operator_api.root("createPhysicalNetwork", zoneid=zone["id"], name="p",
                                                        isolationmethods="VLAN", vlan="10-20"))["physicalnetwork"]
    assert (physical["state"], physical["isolationmethods"], physical["vlan"]) == ("Disabled", "VLAN", "10-20")
    providers = ok(operator_api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"]))
    assert {(p["name"], p["state"]) for p in providers["networkserviceprovider"]} == {
        ("VirtualRouter", "Disabled"), ("VpcVirtualRouter", "Disabled"), ("InternalLbVm", "Disabled")}
    router = next(p for p in providers["networkserviceprovider"] if p["name"] == "VirtualRouter")
    assert "SourceNat" in router["servicelist"] and "Dhcp" in router["servicelist"]


def test_a_provider_is_enabled_only_after_its_element(operator_api):
    zone = ok(operator_api.root("createZone", name="z", networktype="Advanced", dns1="8.8.8.8",
                                internaldns1="10.0.0.2"))["zone"]
    physical = finished(operator_api, operator_api.root("createPhysicalNetwork", zoneid=zone["id"],
                                                        name="p"))["physicalnetwork"]
    nsp = ok(operator_api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"],
                               name="VirtualRouter"))["networkserviceprovider"][0]
    status, body = operator_api.root("updateNetworkServiceProvider", id=nsp["id"], state="Enabled")
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and "configure its element" in job["jobresult"]["errortext"]


def test_full_zone_setup_and_the_wizard_listings(operator_api):
    built = build_network_zone(operator_api)
    physical = built["physical"]
    assert (physical["state"], physical["vlan"]) == ("Enabled", "100-199")
    kinds = ok(operator_api.root("listTrafficTypes", physicalnetworkid=physical["id"]))["traffictype"]
    assert sorted(t["traffictype"] for t in kinds) == ["Guest", "Management", "Public"]
    assert all(t["kvmnetworklabel"] == "cloudbr0" for t in kinds)
    states = ok(operator_api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"], state="Enabled"))
    assert len(states["networkserviceprovider"]) == 3
    ranges = ok(operator_api.root("listVlanIpRanges", zoneid=built["zone"]["id"]))["vlaniprange"]
    assert [(r["startip"], r["endip"], r["vlan"]) for r in ranges] == [("192.0.2.10", "192.0.2.40",
                                                                         "vlan://untagged")]


def test_a_second_guest_traffic_type_in_a_zone_is_refused_naming_the_parameter(operator_api):
    built = build_network_zone(operator_api)
    other = finished(operator_api, operator_api.root("createPhysicalNetwork", zoneid=built["zone"]["id"],
                                                     name="second"))["physicalnetwork"]
    status, body = operator_api.root("addTrafficType", physicalnetworkid=other["id"], traffictype="Guest")
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and job["jobresult"]["errortext"].startswith("traffictype: Guest traffic")


def test_vlan_ranges_outside_the_method_bounds_name_vlan(operator_api):
    zone = ok(operator_api.root("createZone", name="z", networktype="Advanced", dns1="8.8.8.8",
                                internaldns1="10.0.0.2"))["zone"]
    status, body = operator_api.root("createPhysicalNetwork", zoneid=zone["id"], name="p", vlan="4000-5000")
    assert status == 431 and body["errortext"].startswith("vlan: range 4000-5000 is outside 0-4095")


def test_default_offerings_of_cloudstack_are_listed_and_enabled(operator_api):
    offerings = ok(operator_api.root("listNetworkOfferings"))["networkoffering"]
    names = {o["name"]: o for o in offerings}
    for name in (DEFAULT_SOURCE_NAT_OFFERING, "DefaultSharedNetworkOffering", "DefaultIsolatedNetworkOffering",
                 "DefaultSharedNetworkOfferingWithSGService", "DefaultIsolatedNetworkOfferingForVpcNetworks"):
        assert names[name]["state"] == "Enabled" and names[name]["isdefault"] is True
    nat = names[DEFAULT_SOURCE_NAT_OFFERING]
    assert nat["guestiptype"] == "Isolated" and nat["availability"] == "Required"
    assert {s["name"] for s in nat["service"]} == {"Dhcp", "Dns", "UserData", "Firewall", "Gateway", "Lb",
                                                    "PortForwarding", "SourceNat", "StaticNat", "Vpn"}
    assert all(s["provider"] == [{"name": "VirtualRouter"}] for s in nat["service"])
    with_nat = ok(operator_api.root("listNetworkOfferings", sourcenatsupported="true"))["networkoffering"]
    assert DEFAULT_SOURCE_NAT_OFFERING in {o["name"] for o in with_nat}
    assert "DefaultSharedNetworkOffering" not in {o["name"] for o in with_nat}


def test_create_enable_update_and_delete_an_offering(operator_api):
    created = ok(operator_api.root(
        "createNetworkOffering", name="dhcp-only", displaytext="DHCP only", traffictype="GUEST",
        guestiptype="Isolated", supportedservices="Dhcp,Dns", conservemode="false",
        **{"serviceproviderlist[0].service": "Dhcp", "serviceproviderlist[0].provider": "VirtualRouter",
           "serviceproviderlist[1].service": "Dns", "serviceproviderlist[1].provider": "VirtualRouter"}))
    offering = created["networkoffering"]
    assert (offering["state"], offering["conservemode"]) == ("Disabled", False)
    assert sorted(s["name"] for s in offering["service"]) == ["Dhcp", "Dns"]
    enabled = ok(operator_api.root("updateNetworkOffering", id=offering["id"], state="Enabled", name="dhcp-dns"))
    assert (enabled["networkoffering"]["state"], enabled["networkoffering"]["name"]) == ("Enabled", "dhcp-dns")
    assert operator_api.root("deleteNetworkOffering", id=offering["id"])[0] == 200
    status, body = operator_api.root("listNetworkOfferings", id=offering["id"])
    assert status == 431 and body["errortext"] == f"id: NetworkOffering {offering['id']} does not exist"


def test_offering_with_an_unknown_provider_or_service_names_the_parameter(operator_api):
    status, body = operator_api.root(
        "createNetworkOffering", name="x", displaytext="x", traffictype="Guest", guestiptype="Isolated",
        supportedservices="Dhcp", **{"serviceproviderlist[0].service": "Dhcp",
                                     "serviceproviderlist[0].provider": "NoSuchBox"})
    assert status == 431 and body["errortext"].startswith("serviceproviderlist[0].provider: 'NoSuchBox'")
    status, body = operator_api.root("createNetworkOffering", name="y", displaytext="y", traffictype="Guest",
                                     guestiptype="Isolated", supportedservices="Teleport")
    assert status == 431 and body["errortext"].startswith("supportedservices: 'Teleport' is not a network service")


def test_default_offering_cannot_be_deleted(operator_api):
    offering = ok(operator_api.root("listNetworkOfferings", name="DefaultSharedNetworkOffering"))["networkoffering"]
    status, body = operator_api.root("deleteNetworkOffering", id=offering[0]["id"])
    assert status == 431 and "is a default offering" in body["errortext"]


def test_list_supported_network_services_names_the_virtual_router(operator_api):
    services = ok(operator_api.root("listSupportedNetworkServices", provider="VirtualRouter"))["networkservice"]
    by_name = {s["name"]: s for s in services}
    assert "SourceNat" in by_name and by_name["SourceNat"]["provider"][0]["name"] == "VirtualRouter"


def test_vlan_ranges_grow_and_shrink_but_keep_ids_in_use(operator_api):
    built = build_network_zone(operator_api, vlan="100-101")
    physical = built["physical"]
    grown = finished(operator_api, operator_api.root("updatePhysicalNetwork", id=physical["id"],
                                                     vlan="102-110"))["physicalnetwork"]
    assert grown["vlan"] == "100-110"
    ok(operator_api.root("createNetwork", name="n", displaytext="n", zoneid=built["zone"]["id"],
                         networkofferingid=built["offering"]["id"]))
    status, body = operator_api.root("updatePhysicalNetwork", id=physical["id"], removevlan="100-105")
    job = operator_api.job_result(body["jobid"])
    assert job["jobstatus"] == 2 and job["jobresult"]["errortext"].startswith("vlan: id 100 is used by a guest")
    shrunk = finished(operator_api, operator_api.root("updatePhysicalNetwork", id=physical["id"],
                                                      removevlan="101-105"))["physicalnetwork"]
    assert shrunk["vlan"] == "100-100,106-110"


def test_deleting_parts_of_a_physical_network(operator_api):
    built = build_network_zone(operator_api)
    physical = built["physical"]
    network = ok(operator_api.root("createNetwork", name="n", displaytext="n", zoneid=built["zone"]["id"],
                                   networkofferingid=built["offering"]["id"]))["network"]
    guest = next(t for t in ok(operator_api.root("listTrafficTypes", physicalnetworkid=physical["id"]))["traffictype"]
                 if t["traffictype"] == "Guest")
    job = operator_api.job_result(ok(operator_api.root("deleteTrafficType", id=guest["id"]))["jobid"])
    assert job["jobstatus"] == 2 and "used by network n" in job["jobresult"]["errortext"]
    job = operator_api.job_result(ok(operator_api.root("deletePhysicalNetwork", id=physical["id"]))["jobid"])
    assert job["jobstatus"] == 2 and "still carries guest networks (n)" in job["jobresult"]["errortext"]
    router = ok(operator_api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"],
                                  name="VirtualRouter"))["networkserviceprovider"][0]
    job = operator_api.job_result(ok(operator_api.root("deleteNetworkServiceProvider", id=router["id"]))["jobid"])
    assert job["jobstatus"] == 2 and "serves network n" in job["jobresult"]["errortext"]
    finished(operator_api, operator_api.root("deleteNetwork", id=network["id"]))
    finished(operator_api, operator_api.root("deleteTrafficType", id=guest["id"]))
    finished(operator_api, operator_api.root("deletePhysicalNetwork", id=physical["id"]))
    assert "physicalnetwork" not in ok(operator_api.root("listPhysicalNetworks", zoneid=built["zone"]["id"]))

"""Building an advanced zone with guest networking through the API, as CloudStack's zone wizard does."""

from __future__ import annotations

from typing import Any

DEFAULT_SOURCE_NAT_OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"


def ok(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200, body
    return body


def finished(api: Any, result: tuple[int, dict]) -> dict:
    """The job result of an async command's reply."""
    body = ok(result)
    job = api.job_result(body["jobid"])
    assert job["jobstatus"] == 1, job
    return job["jobresult"]


def build_network_zone(api: Any, name: str = "net-zone", vlan: str = "100-199",
                       public: tuple[str, str] = ("192.0.2.10", "192.0.2.40")) -> dict[str, Any]:
    """createZone, createPhysicalNetwork, addTrafficType x3, the router providers enabled through their
    elements, updatePhysicalNetwork (Enabled, vlan) and a public range; returns the ids."""
    zone = ok(api.root("createZone", name=name, networktype="Advanced", dns1="8.8.8.8", internaldns1="10.0.0.2",
                       guestcidraddress="10.1.1.0/24"))["zone"]
    physical = finished(api, api.root("createPhysicalNetwork", zoneid=zone["id"], name=f"{name}-phys",
                                      isolationmethods="VLAN"))["physicalnetwork"]
    for traffic in ("Guest", "Management", "Public"):
        finished(api, api.root("addTrafficType", physicalnetworkid=physical["id"], traffictype=traffic,
                               kvmnetworklabel="cloudbr0"))
    for provider in ("VirtualRouter", "VpcVirtualRouter"):
        nsp = ok(api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"],
                          name=provider))["networkserviceprovider"][0]
        element = ok(api.root("listVirtualRouterElements", nspid=nsp["id"]))["virtualrouterelement"][0]
        finished(api, api.root("configureVirtualRouterElement", id=element["id"], enabled="true"))
        finished(api, api.root("updateNetworkServiceProvider", id=nsp["id"], state="Enabled"))
    nsp = ok(api.root("listNetworkServiceProviders", physicalnetworkid=physical["id"],
                      name="InternalLbVm"))["networkserviceprovider"][0]
    element = ok(api.root("listInternalLoadBalancerElements", nspid=nsp["id"]))["internalloadbalancerelement"][0]
    finished(api, api.root("configureInternalLoadBalancerElement", id=element["id"], enabled="true"))
    finished(api, api.root("updateNetworkServiceProvider", id=nsp["id"], state="Enabled"))
    physical = finished(api, api.root("updatePhysicalNetwork", id=physical["id"], state="Enabled",
                                      vlan=vlan))["physicalnetwork"]
    public_range = ok(api.root("createVlanIpRange", zoneid=zone["id"], vlan="untagged", gateway="192.0.2.1",
                               netmask="255.255.255.0", startip=public[0], endip=public[1],
                               forvirtualnetwork="true"))["vlan"]
    offering = ok(api.root("listNetworkOfferings", name=DEFAULT_SOURCE_NAT_OFFERING))["networkoffering"][0]
    return {"zone": zone, "physical": physical, "public_range": public_range, "offering": offering}

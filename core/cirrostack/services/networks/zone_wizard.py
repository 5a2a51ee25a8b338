"""The API sequence CloudStack's zone wizard runs to give an advanced zone guest networking.

    createPhysicalNetwork (isolationmethods=VLAN)
    addTrafficType Guest, Management, Public
    for VirtualRouter and VpcVirtualRouter: listNetworkServiceProviders, listVirtualRouterElements,
        configureVirtualRouterElement enabled=true, updateNetworkServiceProvider state=Enabled
    for InternalLbVm: listInternalLoadBalancerElements, configureInternalLoadBalancerElement, enable
    updatePhysicalNetwork state=Enabled vlan=<guest range>
    createVlanIpRange (public, untagged)

`run(command, object_name, **params)` runs one command and returns the object (or list) under
`object_name`; `cirro serve --demo` passes its in-process runner, the tests a `cs` client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Runner = Callable[..., Any]


@dataclass(frozen=True)
class GuestNetworking:
    """What the wizard is given: the physical network's name and ids, labels, and the public range."""

    physical_network_name: str = "physical-net"
    guest_vlans: str = "100-199"
    traffic_label: str = "cloudbr0"
    public_gateway: str = "192.0.2.1"
    public_netmask: str = "255.255.255.0"
    public_start: str = "192.0.2.10"
    public_end: str = "192.0.2.99"
    public_vlan: str = "untagged"


def set_up_guest_networking(run: Runner, zone_id: str, plan: GuestNetworking = GuestNetworking()) -> dict[str, Any]:
    """Run the wizard's sequence for the zone; returns the physical network and the public range."""
    physical = run("createPhysicalNetwork", "physicalnetwork", zoneid=zone_id, name=plan.physical_network_name,
                   isolationmethods="VLAN")
    for traffic in ("Guest", "Management", "Public"):
        run("addTrafficType", "traffictype", physicalnetworkid=physical["id"], traffictype=traffic,
            kvmnetworklabel=plan.traffic_label)
    for provider in ("VirtualRouter", "VpcVirtualRouter"):
        nsp = run("listNetworkServiceProviders", "networkserviceprovider", physicalnetworkid=physical["id"],
                  name=provider)[0]
        element = run("listVirtualRouterElements", "virtualrouterelement", nspid=nsp["id"])[0]
        run("configureVirtualRouterElement", "virtualrouterelement", id=element["id"], enabled="true")
        run("updateNetworkServiceProvider", "networkserviceprovider", id=nsp["id"], state="Enabled")
    nsp = run("listNetworkServiceProviders", "networkserviceprovider", physicalnetworkid=physical["id"],
              name="InternalLbVm")[0]
    element = run("listInternalLoadBalancerElements", "internalloadbalancerelement", nspid=nsp["id"])[0]
    run("configureInternalLoadBalancerElement", "internalloadbalancerelement", id=element["id"], enabled="true")
    run("updateNetworkServiceProvider", "networkserviceprovider", id=nsp["id"], state="Enabled")
    physical = run("updatePhysicalNetwork", "physicalnetwork", id=physical["id"], state="Enabled",
                   vlan=plan.guest_vlans)
    public = run("createVlanIpRange", "vlan", zoneid=zone_id, vlan=plan.public_vlan, gateway=plan.public_gateway,
                 netmask=plan.public_netmask, startip=plan.public_start, endip=plan.public_end,
                 forvirtualnetwork="true")
    return {"physical_network": physical, "public_range": public}

"""The network offerings a fresh CloudStack 4.3 cloud ships, by their exact names.

Migration 0010_networks inserts them (enabled, with stable uuids from `cirrostack.services.seed.stable_uuid`).
Offerings naming providers no installed plugin provides (Netscaler, SecurityGroupProvider) are listed
like in CloudStack; a network created from them is refused when it is implemented.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cirrostack.services.seed import stable_uuid

_ISOLATED_VR = ("Dhcp", "Dns", "UserData", "Firewall", "Gateway", "Lb", "PortForwarding", "SourceNat", "StaticNat",
                "Vpn")
_VPC_VR = ("Dhcp", "Dns", "UserData", "Gateway", "Lb", "NetworkACL", "PortForwarding", "SourceNat", "StaticNat",
           "Vpn")

#: name -> (display text, guest IP type, specify VLAN/IP ranges, availability, {service: provider}, extras)
DEFAULT_NETWORK_OFFERINGS: tuple[dict[str, Any], ...] = (
    {"name": "DefaultSharedNetworkOfferingWithSGService",
     "display_text": "Offering for Shared Security group enabled networks", "guest_ip_type": "Shared",
     "specify_vlan": True, "specify_ip_ranges": True,
     "services": {"Dhcp": "VirtualRouter", "Dns": "VirtualRouter", "UserData": "VirtualRouter",
                  "SecurityGroup": "SecurityGroupProvider"}},
    {"name": "DefaultSharedNetworkOffering", "display_text": "Offering for Shared networks",
     "guest_ip_type": "Shared", "specify_vlan": True, "specify_ip_ranges": True,
     "services": {"Dhcp": "VirtualRouter", "Dns": "VirtualRouter", "UserData": "VirtualRouter"}},
    {"name": "DefaultIsolatedNetworkOfferingWithSourceNatService",
     "display_text": "Offering for Isolated networks with Source Nat service enabled", "guest_ip_type": "Isolated",
     "availability": "Required", "services": dict.fromkeys(_ISOLATED_VR, "VirtualRouter"),
     "service_capabilities": '{"SourceNat": {"SupportedSourceNatTypes": "peraccount"}}'},
    {"name": "DefaultIsolatedNetworkOffering",
     "display_text": "Offering for Isolated networks with no Source Nat service", "guest_ip_type": "Isolated",
     "specify_vlan": True, "specify_ip_ranges": True,
     "services": {"Dhcp": "VirtualRouter", "Dns": "VirtualRouter", "UserData": "VirtualRouter"}},
    {"name": "DefaultSharedNetscalerEIPandELBNetworkOffering",
     "display_text": "Offering for Shared networks with Elastic IP and Elastic LB capabilities",
     "guest_ip_type": "Shared", "specify_vlan": True, "specify_ip_ranges": True,
     "services": {"Dhcp": "VirtualRouter", "Dns": "VirtualRouter", "UserData": "VirtualRouter",
                  "SecurityGroup": "SecurityGroupProvider", "StaticNat": "Netscaler", "Lb": "Netscaler"}},
    {"name": "DefaultIsolatedNetworkOfferingForVpcNetworks",
     "display_text": "Offering for Isolated VPC networks with Source Nat service enabled", "guest_ip_type": "Isolated",
     "for_vpc": True, "services": dict.fromkeys(_VPC_VR, "VpcVirtualRouter")},
    {"name": "DefaultIsolatedNetworkOfferingForVpcNetworksNoLB",
     "display_text": "Offering for Isolated VPC networks with Source Nat service enabled and LB service disabled",
     "guest_ip_type": "Isolated", "for_vpc": True,
     "services": dict.fromkeys(tuple(s for s in _VPC_VR if s != "Lb"), "VpcVirtualRouter")},
    {"name": "DefaultIsolatedNetworkOfferingForVpcNetworksWithInternalLB",
     "display_text": "Offering for Isolated VPC networks with Internal Lb support", "guest_ip_type": "Isolated",
     "for_vpc": True, "services": {**dict.fromkeys(tuple(s for s in _VPC_VR if s not in ("Lb", "Vpn")),
                                                   "VpcVirtualRouter"), "Lb": "InternalLbVm"}},
    {"name": "QuickCloudNoServices", "display_text": "Offering for Shared networks with no services",
     "guest_ip_type": "Shared", "specify_vlan": True, "specify_ip_ranges": True, "services": {}},
)

_DEFAULTS = {"traffic_type": "Guest", "specify_vlan": False, "specify_ip_ranges": False, "conserve_mode": True,
             "network_rate": None, "availability": "Optional", "state": "Enabled", "is_default": True,
             "is_system": False, "is_persistent": False, "redundant_router": False, "egress_default_allow": False,
             "for_vpc": False, "tags": None, "max_connections": None, "service_offering_id": None,
             "service_capabilities": None}


def offering_rows(created: datetime) -> list[dict[str, Any]]:
    """Rows of network_offerings, with ids 1.. so that service rows can refer to them."""
    rows = []
    for number, offering in enumerate(DEFAULT_NETWORK_OFFERINGS, start=1):
        row = {**_DEFAULTS, **{k: v for k, v in offering.items() if k != "services"}}
        row.update(id=number, uuid=stable_uuid("network-offering", offering["name"]), created=created, live=True)
        rows.append(row)
    return rows


def offering_service_rows() -> list[dict[str, Any]]:
    """Rows of network_offering_services for the default offerings."""
    return [{"network_offering_id": number, "service": service, "provider": provider}
            for number, offering in enumerate(DEFAULT_NETWORK_OFFERINGS, start=1)
            for service, provider in offering["services"].items()]

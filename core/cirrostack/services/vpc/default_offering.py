"""What a fresh CloudStack 4.3 cloud has for VPCs: the VPC offering "Default VPC offering" (every service on
the VpcVirtualRouter) and the network ACL lists default_allow and default_deny. Migration 0016_vpc inserts
them with stable uuids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cirrostack.services.seed import stable_uuid

DEFAULT_VPC_OFFERING = "Default VPC offering"
DEFAULT_VPC_SERVICES = ("Dhcp", "Dns", "Lb", "NetworkACL", "PortForwarding", "SourceNat", "StaticNat", "UserData",
                        "Vpn")
VPC_PROVIDER = "VpcVirtualRouter"

#: Services a VPC offering may name (createVPCOffering's supportedservices), as CloudStack 4.3 spells them.
VPC_SERVICES = ("Dhcp", "Dns", "Lb", "NetworkACL", "PortForwarding", "SourceNat", "StaticNat", "UserData", "Vpn",
                "Connectivity")


#: The network ACL lists every VPC may use: name -> (id, description, action of both of its items).
DEFAULT_ACL_LISTS = {"default_allow": (1, "Default Network ACL Allow All", "Allow"),
                     "default_deny": (2, "Default Network ACL Deny All", "Deny")}


def acl_list_rows(created: datetime) -> list[dict[str, Any]]:
    """Rows of network_acl_lists for default_allow (id 1) and default_deny (id 2)."""
    return [{"id": number, "uuid": stable_uuid("network-acl", name), "name": name, "description": description,
             "vpc_id": None, "created": created} for name, (number, description, _action) in DEFAULT_ACL_LISTS.items()]


def acl_item_rows(created: datetime) -> list[dict[str, Any]]:
    """Rows of network_acl_items: each default list allows (or denies) all ingress (item 1) and egress (item 2)."""
    return [{"uuid": stable_uuid("network-acl-item", f"{name}/{traffic}"), "acl_id": number, "number": index,
             "protocol": "all", "start_port": None, "end_port": None, "icmp_type": None, "icmp_code": None,
             "cidrs": "0.0.0.0/0", "traffic_type": traffic, "action": action, "state": "Active", "created": created}
            for name, (number, _description, action) in DEFAULT_ACL_LISTS.items()
            for index, traffic in enumerate(("Ingress", "Egress"), start=1)]


def offering_row(created: datetime) -> dict[str, Any]:
    """The row of vpc_offerings for the default offering (id 1)."""
    return {"id": 1, "uuid": stable_uuid("vpc-offering", DEFAULT_VPC_OFFERING), "name": DEFAULT_VPC_OFFERING,
            "display_text": DEFAULT_VPC_OFFERING, "state": "Enabled", "is_default": True,
            "service_offering_id": None, "created": created, "removed": None, "live": True}


def offering_service_rows() -> list[dict[str, Any]]:
    """Rows of vpc_offering_services for the default offering."""
    return [{"vpc_offering_id": 1, "service": service, "provider": VPC_PROVIDER} for service in DEFAULT_VPC_SERVICES]

"""The VPC offering a fresh CloudStack 4.3 cloud ships: "Default VPC offering", every service on the
VpcVirtualRouter. Migration 0016_vpc inserts it (enabled, with a stable uuid)."""

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


def offering_row(created: datetime) -> dict[str, Any]:
    """The row of vpc_offerings for the default offering (id 1)."""
    return {"id": 1, "uuid": stable_uuid("vpc-offering", DEFAULT_VPC_OFFERING), "name": DEFAULT_VPC_OFFERING,
            "display_text": DEFAULT_VPC_OFFERING, "state": "Enabled", "is_default": True,
            "service_offering_id": None, "created": created, "removed": None, "live": True}


def offering_service_rows() -> list[dict[str, Any]]:
    """Rows of vpc_offering_services for the default offering."""
    return [{"vpc_offering_id": 1, "service": service, "provider": VPC_PROVIDER} for service in DEFAULT_VPC_SERVICES]

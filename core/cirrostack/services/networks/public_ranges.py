"""Public IP ranges: createVlanIpRange (public, optionally dedicated to an account), listVlanIpRanges,
deleteVlanIpRange.

Every address of a public range gets its `PublicIpAddress` row when the range is created, so that
associating one is a conditional UPDATE of an existing row (see public_ips.py). A range's addresses
are unique within the zone.
"""

from __future__ import annotations

import ipaddress

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from cirrostack.db.base import new_uuid
from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Pod, Zone
from cirrostack.db.models.networks import IpState, Network, PhysicalNetwork, PublicIpAddress, VlanIpRange
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event

#: Largest public range created at once (each address is a row).
MAX_RANGE_SIZE = 65536


def create_public_range(session: Session, caller: Caller, *, zone: Zone, gateway: str, netmask: str, startip: str,
                        endip: str | None = None, vlan: str | None = None, pod: Pod | None = None,
                        physical: PhysicalNetwork | None = None, owner: Account | None = None,
                        network: Network | None = None) -> VlanIpRange:
    """A public range with one Free address row per address. Records VLAN.IP.RANGE.CREATE.

    Raises InvalidParameter naming startip/endip/gateway/netmask when the range is malformed, outside
    gateway/netmask, or overlaps addresses already in the zone."""
    try:
        interface = ipaddress.ip_interface(f"{gateway.strip()}/{netmask.strip()}")
    except ValueError:
        raise InvalidParameter("netmask", f"{gateway}/{netmask} is not a gateway with a netmask") from None
    first, last = _address("startip", startip), _address("endip", endip or startip)
    for param, address in (("startip", first), ("endip", last)):
        if address not in interface.network:
            raise InvalidParameter(param, f"{address} is outside {interface.network} (gateway {gateway}, "
                                          f"netmask {netmask})")
    if int(last) < int(first):
        raise InvalidParameter("endip", f"{last} comes before startip {first}")
    if int(last) - int(first) + 1 > MAX_RANGE_SIZE:
        raise InvalidParameter("endip", f"the range {first}-{last} has more than {MAX_RANGE_SIZE} addresses")
    addresses = [str(ipaddress.ip_address(n)) for n in range(int(first), int(last) + 1)]
    taken = session.scalar(select(PublicIpAddress.address).where(PublicIpAddress.zone_id == zone.id,
                                                                 PublicIpAddress.address.in_(addresses)))
    if taken is not None:
        raise InvalidParameter("startip", f"the range {first}-{last} overlaps a range of zone {zone.name} "
                                          f"(address {taken})")
    public = VlanIpRange(zone_id=zone.id, pod_id=pod.id if pod else None, physical_network_id=physical.id if physical
                         else None, network_id=network.id if network else None, vlan_tag=_vlan_tag(vlan),
                         gateway=str(interface.ip), netmask=str(interface.network.netmask), start_ip=str(first),
                         end_ip=str(last), for_virtual_network=True, account_id=owner.id if owner else None,
                         domain_id=owner.domain_id if owner else None)
    session.add(public)
    session.flush()
    session.execute(PublicIpAddress.__table__.insert(), [
        {"address": address, "zone_id": zone.id, "vlan_range_id": public.id, "state": IpState.FREE.value,
         "is_source_nat": False, "uuid": new_uuid(), "created": public.created} for address in addresses])
    record_event(session, caller, "VLAN.IP.RANGE.CREATE", f"Created public range {first}-{last} in zone {zone.name}"
                 + (f" dedicated to account {owner.name}" if owner else ""), resource_type="VlanIpRange",
                 resource_uuid=public.uuid)
    return public


def delete_range(session: Session, caller: Caller, public: VlanIpRange) -> None:
    """Remove a range none of whose addresses is allocated. Records VLAN.IP.RANGE.DELETE."""
    used = session.scalar(select(PublicIpAddress.address).where(PublicIpAddress.vlan_range_id == public.id,
                                                                PublicIpAddress.state != IpState.FREE.value))
    if used is not None:
        raise ResourceInUse(f"id: address {used} of range {public.start_ip}-{public.end_ip} is allocated; "
                            f"disassociate it first")
    session.execute(delete(PublicIpAddress).where(PublicIpAddress.vlan_range_id == public.id))
    session.delete(public)
    session.flush()
    record_event(session, caller, "VLAN.IP.RANGE.DELETE", f"Deleted range {public.start_ip}-{public.end_ip}",
                 resource_type="VlanIpRange", resource_uuid=public.uuid)


def list_ranges(session: Session, caller: Caller, *, id: VlanIpRange | None = None, zone: Zone | None = None,
                pod: Pod | None = None, physical: PhysicalNetwork | None = None, network: Network | None = None,
                vlan: str | None = None, forvirtualnetwork: bool | None = None, owner: Account | None = None,
                keyword: str | None = None, page: int = 1,
                pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[VlanIpRange], int]:
    statement = scope.visible(caller, "VlanIpRange")
    for column, value in ((VlanIpRange.id, id), (VlanIpRange.zone_id, zone), (VlanIpRange.pod_id, pod),
                          (VlanIpRange.physical_network_id, physical), (VlanIpRange.network_id, network),
                          (VlanIpRange.account_id, owner)):
        if value is not None:
            statement = statement.where(column == value.id)
    if vlan is not None:
        statement = statement.where(VlanIpRange.vlan_tag == _vlan_tag(vlan))
    if forvirtualnetwork is not None:
        statement = statement.where(VlanIpRange.for_virtual_network.is_(forvirtualnetwork))
    if keyword:
        statement = statement.where(VlanIpRange.start_ip.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(VlanIpRange.id), page, pagesize)


def free_count(session: Session, zone_id: int) -> int:
    return session.scalar(select(func.count(PublicIpAddress.id)).where(
        PublicIpAddress.zone_id == zone_id, PublicIpAddress.state == IpState.FREE.value)) or 0


def _address(param: str, value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        raise InvalidParameter(param, f"{value!r} is not an IP address") from None


def _vlan_tag(vlan: str | None) -> str:
    if vlan is None or not vlan.strip() or vlan.strip().lower() in ("untagged", "vlan://untagged"):
        return "untagged"
    text = vlan.strip().lower().removeprefix("vlan://")
    if not text.isdigit() or not 0 <= int(text) <= 4095:
        raise InvalidParameter("vlan", f"{vlan!r} is not a VLAN id (0-4095) or untagged")
    return text


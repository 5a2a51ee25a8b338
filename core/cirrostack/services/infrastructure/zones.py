"""Zones: createZone, updateZone, deleteZone and listZones."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import AllocationState, NetworkType, Pod, Zone
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.infrastructure import _checks
from cirrostack.services.infrastructure._in_use import refuse_if_in_use, register_in_use_check

#: CloudStack's guest CIDR for an advanced zone when the operator gives none.
DEFAULT_GUEST_CIDR = "10.1.1.0/24"

_ADDRESS_FIELDS = {"dns1": "dns1", "dns2": "dns2", "ip6dns1": "ip6_dns1", "ip6dns2": "ip6_dns2",
                   "internaldns1": "internal_dns1", "internaldns2": "internal_dns2"}


def create_zone(session: Session, caller: Caller, *, name: str, networktype: str, dns1: str, internaldns1: str,
                dns2: str | None = None, internaldns2: str | None = None, ip6dns1: str | None = None,
                ip6dns2: str | None = None, guestcidraddress: str | None = None, domain: str | None = None,
                domainid: Domain | None = None, allocationstate: str | None = None,
                localstorageenabled: bool = False, securitygroupenabled: bool | None = None) -> Zone:
    """A new zone. Basic zones have security groups on by default and no guest CIDR; advanced
    zones get CloudStack's 10.1.1.0/24 when `guestcidraddress` is absent. Records ZONE.CREATE."""
    zone_name = _unique_name(session, name)
    network_type = _checks.choice("networktype", networktype, [t.value for t in NetworkType])
    basic = network_type == NetworkType.BASIC.value
    if basic and guestcidraddress:
        raise InvalidParameter("guestcidraddress", "applies to Advanced zones only; Basic zones have no guest CIDR")
    zone = Zone(name=zone_name, network_type=network_type, domain_id=domainid.id if domainid else None,
                network_domain=domain or None, local_storage_enabled=localstorageenabled,
                security_group_enabled=basic if securitygroupenabled is None else securitygroupenabled,
                guest_cidr_address=None if basic else _checks.cidr("guestcidraddress",
                                                                   guestcidraddress or DEFAULT_GUEST_CIDR),
                allocation_state=_allocation_state(allocationstate or AllocationState.ENABLED.value))
    _set_addresses(zone, {"dns1": dns1, "dns2": dns2, "ip6dns1": ip6dns1, "ip6dns2": ip6dns2,
                          "internaldns1": internaldns1, "internaldns2": internaldns2})
    session.add(zone)
    session.flush()
    record_event(session, caller, "ZONE.CREATE", f"Created {network_type} zone {zone.name}",
                 resource_type="Zone", resource_uuid=zone.uuid)
    return zone


def update_zone(session: Session, caller: Caller, zone: Zone, **changes: Any) -> Zone:
    """Change the given attributes (API names: name, dns1, ..., guestcidraddress, domain,
    allocationstate, localstorageenabled); absent ones stay. Records ZONE.EDIT."""
    if changes.get("name") is not None and changes["name"].strip().lower() != zone.name.lower():
        zone.name = _unique_name(session, changes["name"])
    _set_addresses(zone, {key: changes.get(key) for key in _ADDRESS_FIELDS})
    if changes.get("guestcidraddress") is not None:
        if zone.network_type == NetworkType.BASIC.value:
            raise InvalidParameter("guestcidraddress", f"zone {zone.name} is a Basic zone, which has no guest CIDR")
        zone.guest_cidr_address = _checks.cidr("guestcidraddress", changes["guestcidraddress"])
    if changes.get("domain") is not None:
        zone.network_domain = changes["domain"] or None
    if changes.get("allocationstate") is not None:
        zone.allocation_state = _allocation_state(changes["allocationstate"])
    if changes.get("localstorageenabled") is not None:
        zone.local_storage_enabled = changes["localstorageenabled"]
    session.flush()
    record_event(session, caller, "ZONE.EDIT", f"Updated zone {zone.name}", resource_type="Zone",
                 resource_uuid=zone.uuid)
    return zone


def delete_zone(session: Session, caller: Caller, zone: Zone) -> None:
    """Remove an empty zone; one that still has pods (or anything another area registered) is
    refused with the reasons (536). Records ZONE.DELETE."""
    refuse_if_in_use(session, "Zone", zone)
    zone.mark_removed()
    session.flush()
    record_event(session, caller, "ZONE.DELETE", f"Deleted zone {zone.name}", resource_type="Zone",
                 resource_uuid=zone.uuid)


def list_zones(session: Session, caller: Caller, *, id: Zone | None = None, name: str | None = None,
               networktype: str | None = None, domainid: Domain | None = None, keyword: str | None = None,
               page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Zone], int]:
    """The zones the caller may see (see `_entities`), filtered."""
    statement = scope.visible(caller, "Zone")
    if id is not None:
        statement = statement.where(Zone.id == id.id)
    if name is not None:
        statement = statement.where(func.lower(Zone.name) == name.strip().lower())
    if networktype is not None:
        statement = statement.where(Zone.network_type == _checks.choice("networktype", networktype,
                                                                         [t.value for t in NetworkType]))
    if domainid is not None:
        statement = statement.where(Zone.domain_id == domainid.id)
    if keyword:
        statement = statement.where(Zone.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Zone.id), page, pagesize)


def _unique_name(session: Session, name: str) -> str:
    zone_name = _checks.name("name", name)
    taken = session.scalar(select(Zone.uuid).where(func.lower(Zone.name) == zone_name.lower(),
                                                   Zone.removed.is_(None)))
    if taken is not None:
        raise InvalidParameter("name", f"a zone named {zone_name} already exists ({taken})")
    return zone_name


def _allocation_state(value: str) -> str:
    return _checks.choice("allocationstate", value, [s.value for s in AllocationState])


def _set_addresses(zone: Zone, values: dict[str, str | None]) -> None:
    for param, value in values.items():
        if value is not None:
            setattr(zone, _ADDRESS_FIELDS[param], _checks.ip_address(param, value) if value.strip() else None)
    if not zone.dns1:
        raise InvalidParameter("dns1", "every zone needs a public DNS server")
    if not zone.internal_dns1:
        raise InvalidParameter("internaldns1", "every zone needs an internal DNS server")


def _pods_in_zone(session: Session, zone: Zone) -> str | None:
    count = session.scalar(select(func.count(Pod.id)).where(Pod.zone_id == zone.id, Pod.removed.is_(None)))
    return f"it still has {count} pod(s); delete them first" if count else None


register_in_use_check("Zone", _pods_in_zone)

"""Public IP addresses an account holds: associateIpAddress, disassociateIpAddress, listPublicIpAddresses,
and the source NAT address a network takes when it is implemented.

An address is taken with `UPDATE ... SET state='Allocated' WHERE id=? AND state='Free'`: of two
concurrent requests for one address only one UPDATE matches, the other moves on to the next free
address, so no address is ever handed out twice (on SQLite and on MariaDB).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import IpState, Network, PublicIpAddress, VlanIpRange
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InsufficientCapacity, InvalidParameter, InvalidState
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.network_rules.cleanup import forget_address_rules

#: Candidates read per round; a round whose candidates were all taken concurrently reads the next ones.
CANDIDATES_PER_ROUND = 16


def acquire(session: Session, caller: Caller | None, *, owner: Account, zone: Zone, network: Network | None,
            source_nat: bool = False) -> PublicIpAddress:
    """Allocate a free public address of `zone` to `owner` (and `network`), preferring ranges dedicated
    to `owner`; ranges dedicated to other accounts are never used. Records NET.IPASSIGN.

    Raises InsufficientCapacity naming the zone when no address is free."""
    tried: set[int] = set()
    while True:
        candidates = _candidates(session, zone, owner, tried)
        if not candidates:
            raise InsufficientCapacity(f"zone {zone.name}: no free public IP address is left for account "
                                       f"{owner.name}; add a range with createVlanIpRange")
        for candidate_id in candidates:
            tried.add(candidate_id)
            taken = session.execute(update(PublicIpAddress).where(
                PublicIpAddress.id == candidate_id, PublicIpAddress.state == IpState.FREE.value).values(
                state=IpState.ALLOCATED.value, account_id=owner.id, domain_id=owner.domain_id,
                network_id=network.id if network is not None else None, is_source_nat=source_nat,
                allocated=utcnow()).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                address = session.get(PublicIpAddress, candidate_id)
                session.refresh(address)
                record_event(session, caller, "NET.IPASSIGN", f"Assigned public IP {address.address} to account "
                             f"{owner.name}" + (f" for network {network.name}" if network is not None else ""),
                             account_id=owner.id, domain_id=owner.domain_id, resource_type="IpAddress",
                             resource_uuid=address.uuid)
                return address


def release(session: Session, caller: Caller | None, address: PublicIpAddress, *, force: bool = False) -> None:
    """Return an address to the Free pool. A network's source NAT address and an address with static
    NAT stay unless `force` (used when the network is deleted). Records NET.IPRELEASE."""
    if not force and address.is_source_nat:
        raise InvalidState(f"id: {address.address} is the source NAT address of its network; it is released "
                           f"when the network is deleted")
    if not force and address.static_nat_vm_id is not None:
        raise InvalidState(f"id: {address.address} has static NAT enabled; disable it first (disableStaticNat)")
    account_id, domain_id = address.account_id, address.domain_id
    forget_address_rules(session, address)
    address.state = IpState.FREE.value
    address.account_id = address.domain_id = address.network_id = address.static_nat_vm_id = address.vpc_id = None
    address.static_nat_ip = None
    address.is_source_nat = False
    address.allocated = None
    session.flush()
    record_event(session, caller, "NET.IPRELEASE", f"Released public IP {address.address}", account_id=account_id,
                 domain_id=domain_id, resource_type="IpAddress", resource_uuid=address.uuid)


def release_network_addresses(session: Session, caller: Caller | None, network: Network) -> None:
    """Free the addresses of a network being deleted; a VPC's address only leaves the tier (with its rules)
    and stays with the VPC."""
    for address in session.scalars(select(PublicIpAddress).where(PublicIpAddress.network_id == network.id)):
        if address.vpc_id is not None:
            forget_address_rules(session, address)
            address.network_id = address.static_nat_vm_id = address.static_nat_ip = None
        else:
            release(session, caller, address, force=True)


def source_nat_of(session: Session, network: Network) -> PublicIpAddress | None:
    return session.scalars(select(PublicIpAddress).where(PublicIpAddress.network_id == network.id,
                                                         PublicIpAddress.is_source_nat.is_(True))).first()


def list_addresses(session: Session, caller: Caller, owners: scope.ListScope, *, id: PublicIpAddress | None = None,
                   ipaddress: str | None = None, zone: Zone | None = None, vlan: VlanIpRange | None = None,
                   network: Network | None = None, allocatedonly: bool = True, issourcenat: bool | None = None,
                   isstaticnat: bool | None = None, forvirtualnetwork: bool | None = None,
                   physical_network_id: int | None = None, keyword: str | None = None, page: int = 1,
                   pagesize: int | None = DEFAULT_PAGE_SIZE,
                   vpc_id: int | None = None) -> tuple[list[PublicIpAddress], int]:
    statement = scope.visible(caller, "IpAddress")
    if id is not None:
        statement = statement.where(PublicIpAddress.id == id.id)
    elif allocatedonly or not caller.is_root_admin:
        statement = owners.apply(statement, PublicIpAddress.account_id)
    if allocatedonly:
        statement = statement.where(PublicIpAddress.state == IpState.ALLOCATED.value)
    if ipaddress is not None:
        statement = statement.where(PublicIpAddress.address == ipaddress.strip())
    for column, value in ((PublicIpAddress.zone_id, zone), (PublicIpAddress.vlan_range_id, vlan),
                          (PublicIpAddress.network_id, network)):
        if value is not None:
            statement = statement.where(column == value.id)
    if vpc_id is not None:
        statement = statement.where(PublicIpAddress.vpc_id == vpc_id)
    if issourcenat is not None:
        statement = statement.where(PublicIpAddress.is_source_nat.is_(issourcenat))
    if isstaticnat is not None:
        statement = statement.where(PublicIpAddress.static_nat_vm_id.is_not(None) if isstaticnat
                                    else PublicIpAddress.static_nat_vm_id.is_(None))
    if forvirtualnetwork is not None or physical_network_id is not None:
        ranges = select(VlanIpRange.id)
        if forvirtualnetwork is not None:
            ranges = ranges.where(VlanIpRange.for_virtual_network.is_(forvirtualnetwork))
        if physical_network_id is not None:
            ranges = ranges.where(VlanIpRange.physical_network_id == physical_network_id)
        statement = statement.where(PublicIpAddress.vlan_range_id.in_(ranges))
    if keyword:
        statement = statement.where(PublicIpAddress.address.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(PublicIpAddress.id), page, pagesize)


def require_owner_network(network: Network, owner: Account) -> None:
    if network.account_id != owner.id and network.acl_type != "Domain":
        raise InvalidParameter("networkid", f"network {network.name} belongs to another account")


def _candidates(session: Session, zone: Zone, owner: Account, tried: set[int]) -> list[int]:
    dedicated_first = (VlanIpRange.account_id == owner.id).desc()
    statement = (select(PublicIpAddress.id).join(VlanIpRange, VlanIpRange.id == PublicIpAddress.vlan_range_id)
                 .where(PublicIpAddress.zone_id == zone.id, PublicIpAddress.state == IpState.FREE.value,
                        VlanIpRange.for_virtual_network.is_(True),
                        (VlanIpRange.account_id.is_(None)) | (VlanIpRange.account_id == owner.id))
                 .order_by(dedicated_first, PublicIpAddress.id))
    if tried:
        statement = statement.where(PublicIpAddress.id.not_in(tried))
    return list(session.scalars(statement.limit(CANDIDATES_PER_ROUND)))

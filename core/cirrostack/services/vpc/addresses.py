"""The public addresses of a VPC: its source NAT address, taken when the VPC is created, and addresses an
account associates with the VPC (associateIpAddress vpcid). They carry the VPC's id, not a tier's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import IpState, PublicIpAddress
from cirrostack.db.models.vpc import Vpc
from cirrostack.services.context import Caller
from cirrostack.services.networks import public_ips


def acquire_for_vpc(session: Session, caller: Caller | None, vpc: Vpc, *, source_nat: bool = False) -> PublicIpAddress:
    """A free public address of the VPC's zone, allocated to the VPC's account and marked with the VPC.
    Raises InsufficientCapacity naming the zone when none is free. Records NET.IPASSIGN."""
    address = public_ips.acquire(session, caller, owner=session.get(Account, vpc.account_id),
                                 zone=session.get(Zone, vpc.zone_id), network=None, source_nat=source_nat)
    address.vpc_id = vpc.id
    session.flush()
    return address


def addresses_of(session: Session, vpc_id: int) -> list[PublicIpAddress]:
    """The VPC's allocated public addresses, oldest first."""
    return list(session.scalars(select(PublicIpAddress).where(PublicIpAddress.vpc_id == vpc_id,
                                                              PublicIpAddress.state == IpState.ALLOCATED.value)
                                .order_by(PublicIpAddress.id)))


def source_nat_of(session: Session, vpc_id: int) -> PublicIpAddress | None:
    """The VPC's source NAT address, None when its offering has no SourceNat."""
    return next((address for address in addresses_of(session, vpc_id) if address.is_source_nat), None)


def release_all(session: Session, caller: Caller | None, vpc: Vpc) -> None:
    """Return every address of the VPC to the Free pool (when the VPC is deleted). Records NET.IPRELEASE each."""
    for address in addresses_of(session, vpc.id):
        public_ips.release(session, caller, address, force=True)
    session.flush()

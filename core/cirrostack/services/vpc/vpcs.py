"""VPCs: createVPC, listVPCs, updateVPC, deleteVPC and restartVPC.

Creating a VPC checks its CIDR (an IPv4 private range), its offering and that every hypervisor of the zone
declares `vpc`; it takes the VPC's source NAT address when the offering has SourceNat. As in CloudStack 4.3
the createVPC job then starts the VPC's router (vpc_router) holding that address, unless start=false: such
a VPC gets its router with its first implemented tier or on restartVPC. A router that cannot be started
fails the job and takes the VPC back out (`start_new_vpc`). The router's Router row (router_rows) follows it.
deleteVPC refuses a VPC that still has tiers, as CloudStack 4.3 does, and removes the router; restartVPC
starts the router and pushes every tier's whole state to it again, re-creating a router that was destroyed
or whose namespace is gone.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import NetworkType, Zone
from cirrostack.db.models.networks import Router
from cirrostack.db.models.vpc import Vpc, VpcOffering, VpcOfferingState, VpcState
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceAllocationFailed, ResourceInUse
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import hypervisor_support, scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks import lifecycle
from cirrostack.services.vpc import addresses, router_rows, tiers, vpc_router
from cirrostack.services.vpc.offerings import services_of


def create_vpc(session: Session, caller: Caller, registry: PluginRegistry, *, owner: Account, zone: Zone,
               offering: VpcOffering, name: str, displaytext: str | None, cidr: str,
               networkdomain: str | None = None) -> Vpc:
    """A new Enabled VPC of `owner` in `zone`, with its source NAT address; its router is started afterwards
    by `start_new_vpc` (the createVPC job, unless start=false). Records VPC.CREATE.

    Raises InvalidParameter naming cidr, vpcofferingid, zoneid or name; UnsupportedOperation (432) when a
    hypervisor of the zone does not declare `vpc` (nothing is recorded then); InsufficientCapacity when no
    public address is free."""
    if not name or not name.strip():
        raise InvalidParameter("name", "a VPC needs a non-empty name")
    if zone.network_type != NetworkType.ADVANCED.value:
        raise InvalidParameter("zoneid", f"zone {zone.name} is a {zone.network_type} zone; VPCs need an Advanced "
                                         f"zone")
    hypervisor_support.require_in_zone(session, registry, zone.id, "vpc", "VPC", zone.name)
    if offering.state != VpcOfferingState.ENABLED.value:
        raise InvalidParameter("vpcofferingid", f"VPC offering {offering.name} is {offering.state}; enable it with "
                                                f"updateVPCOffering state=Enabled first")
    network = _private_cidr(cidr)
    vpc = Vpc(name=name.strip(), display_text=displaytext or name.strip(), cidr=str(network), zone_id=zone.id,
              vpc_offering_id=offering.id, account_id=owner.id, domain_id=owner.domain_id,
              network_domain=(networkdomain or "").strip() or zone.network_domain or f"cs{owner.id:x}cloud.internal",
              state=VpcState.ENABLED.value)
    session.add(vpc)
    session.flush()
    if "SourceNat" in services_of(session, offering):
        addresses.acquire_for_vpc(session, caller, vpc, source_nat=True)
    record_event(session, caller, "VPC.CREATE", f"Created VPC {vpc.name} ({vpc.cidr}) in zone {zone.name}",
                 account_id=owner.id, domain_id=owner.domain_id, resource_type="Vpc", resource_uuid=vpc.uuid)
    return vpc


def start_new_vpc(session: Session, caller: Caller, registry: PluginRegistry, vpc: Vpc) -> Vpc:
    """Start the router of a VPC createVPC just made, and commit. When the router cannot be started, the VPC
    is taken back out whole: the router's leftovers are removed from the network host, the VPC's addresses
    are freed and its row deleted (an ERROR VPC.CREATE event tells what happened), and ResourceAllocationFailed
    naming the VPC and the cause is raised."""
    try:
        vpc_router.start(session, registry, vpc)
        session.commit()
        return vpc
    except Exception as error:
        session.rollback()
        failure = error
    vpc = session.get(Vpc, vpc.id)
    try:
        vpc_router.stop(registry, vpc)
    except Exception as cleanup_error:  # reported with the cause; the VPC goes anyway
        failure = ResourceAllocationFailed(f"{failure}; removing what was started failed too: {cleanup_error}")
    addresses.release_all(session, caller, vpc)
    for router in session.scalars(select(Router).where(Router.vpc_id == vpc.id)):
        session.delete(router)
    session.delete(vpc)
    text = f"VPC {vpc.name} was not created: its router could not be started: {failure}"
    record_event(session, caller, "VPC.CREATE", text, level="ERROR", account_id=vpc.account_id,
                 domain_id=vpc.domain_id, resource_type="Vpc", resource_uuid=vpc.uuid)
    session.commit()
    raise ResourceAllocationFailed(f"createVPC: {text}") from failure


def update_vpc(session: Session, caller: Caller, vpc: Vpc, *, name: str | None = None,
               displaytext: str | None = None) -> Vpc:
    """Rename or describe a VPC. Records VPC.UPDATE."""
    if name is not None:
        if not name.strip():
            raise InvalidParameter("name", "a VPC needs a non-empty name")
        vpc.name = name.strip()
    if displaytext is not None:
        vpc.display_text = displaytext
    session.flush()
    record_event(session, caller, "VPC.UPDATE", f"Updated VPC {vpc.name}", account_id=vpc.account_id,
                 domain_id=vpc.domain_id, resource_type="Vpc", resource_uuid=vpc.uuid)
    return vpc


def delete_vpc(session: Session, caller: Caller, registry: PluginRegistry, vpc: Vpc) -> None:
    """Remove a VPC without tiers with its router (from the network host, and its row), and free its public
    addresses. Records VPC.DELETE.

    Raises ResourceInUse naming the tiers that are left; what the provider raises when the router cannot be
    removed (the VPC then stays)."""
    left = tiers.tiers_of(session, vpc.id)
    if left:
        raise ResourceInUse(f"id: VPC {vpc.name} still has tiers {', '.join(tier.name for tier in left[:5])}; "
                            f"delete them (deleteNetwork) first")
    if router_rows.router_of_vpc(session, vpc.id) is not None:  # never started (start=false): nothing to remove
        vpc_router.stop(registry, vpc)
    addresses.release_all(session, caller, vpc)
    router_rows.remove_with_vpc(session, vpc)
    vpc.state = VpcState.INACTIVE.value
    vpc.mark_removed()
    session.flush()
    record_event(session, caller, "VPC.DELETE", f"Deleted VPC {vpc.name}", account_id=vpc.account_id,
                 domain_id=vpc.domain_id, resource_type="Vpc", resource_uuid=vpc.uuid)


def restart_vpc(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, vpc: Vpc) -> Vpc:
    """Start the VPC's router (with its public side; a new one when it was destroyed or never started) and
    push every tier's whole state to it again (implementing tiers that are not). Records VPC.RESTART."""
    vpc_router.start(session, registry, vpc)
    for tier in tiers.tiers_of(session, vpc.id):
        lifecycle.restart_network(session, caller, registry, secrets, tier)
    vpc.restart_required = False
    session.flush()
    record_event(session, caller, "VPC.RESTART", f"Restarted VPC {vpc.name}", account_id=vpc.account_id,
                 domain_id=vpc.domain_id, resource_type="Vpc", resource_uuid=vpc.uuid)
    return vpc


def list_vpcs(session: Session, caller: Caller, owners: scope.ListScope, *, id: Vpc | None = None,
              name: str | None = None, displaytext: str | None = None, cidr: str | None = None,
              zone: Zone | None = None, offering: VpcOffering | None = None, state: str | None = None,
              restartrequired: bool | None = None, keyword: str | None = None, page: int = 1,
              pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Vpc], int]:
    statement = scope.visible(caller, "Vpc")
    if id is not None:
        statement = statement.where(Vpc.id == id.id)
    else:
        statement = owners.apply(statement, Vpc.account_id)
    for column, text in ((Vpc.name, name), (Vpc.display_text, displaytext), (Vpc.cidr, cidr)):
        if text is not None:
            statement = statement.where(column == text.strip())
    for column, value in ((Vpc.zone_id, zone), (Vpc.vpc_offering_id, offering)):
        if value is not None:
            statement = statement.where(column == value.id)
    if state is not None:
        statement = statement.where(Vpc.state == state.strip().capitalize())
    if restartrequired is not None:
        statement = statement.where(Vpc.restart_required.is_(restartrequired))
    if keyword:
        statement = statement.where(Vpc.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Vpc.id), page, pagesize)


def _private_cidr(cidr: str) -> ipaddress.IPv4Network:
    try:
        network = ipaddress.ip_network((cidr or "").strip(), strict=False)
    except ValueError:
        raise InvalidParameter("cidr", f"{cidr!r} is not a CIDR such as 10.0.0.0/16") from None
    if not isinstance(network, ipaddress.IPv4Network) or not network.is_private or network.is_loopback \
            or network.is_link_local:
        raise InvalidParameter("cidr", f"{cidr} is not an IPv4 private range (10.0.0.0/8, 172.16.0.0/12 or "
                                       f"192.168.0.0/16)")
    if network.prefixlen > 28:
        raise InvalidParameter("cidr", f"{cidr} is too small for a VPC; give a /28 or larger")
    return network

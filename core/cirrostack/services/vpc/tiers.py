"""The checks a VPC tier passes: createNetwork with vpcid, and a VM deployed into a tier.

A tier is an Isolated guest network from a VPC network offering (`forvpc`), owned by the VPC's account, in
the VPC's zone, whose gateway and netmask make a subnet inside the VPC's CIDR that overlaps no other tier.
At most one tier of a VPC may have the VPC router's Lb service (as in CloudStack 4.3). Only hypervisors declaring `vpc`
run VMs in tiers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, NetworkOffering, NetworkOfferingService
from cirrostack.db.models.vpc import NetworkAclList, Vpc, VpcState
from cirrostack.errors import InvalidParameter
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import hypervisor_support
from cirrostack.services.vpc import acls


def check_tier(session: Session, registry: PluginRegistry, vpc: Vpc, *, owner: Account, zone: Zone,
               offering: NetworkOffering, gateway: str | None, netmask: str | None) -> tuple[str, str]:
    """The tier's (CIDR, gateway) once every rule of the module docstring holds.

    Raises InvalidParameter naming vpcid, networkofferingid, gateway or netmask, and UnsupportedOperation
    (432) when a hypervisor of the zone does not declare `vpc`."""
    if vpc.state != VpcState.ENABLED.value:
        raise InvalidParameter("vpcid", f"VPC {vpc.name} is {vpc.state}; tiers can only be added to an Enabled VPC")
    if not offering.for_vpc:
        raise InvalidParameter("networkofferingid", f"network offering {offering.name} is not for VPC tiers "
                                                    f"(forvpc=false); use a VPC offering such as "
                                                    f"DefaultIsolatedNetworkOfferingForVpcNetworks")
    if owner.id != vpc.account_id:
        raise InvalidParameter("vpcid", f"VPC {vpc.name} belongs to another account than the network's owner "
                                        f"{owner.name}")
    if zone.id != vpc.zone_id:
        raise InvalidParameter("zoneid", f"zone {zone.name} is not the zone of VPC {vpc.name}")
    hypervisor_support.require_in_zone(session, registry, zone.id, "vpc", "VPC", zone.name)
    if not gateway or not netmask:
        raise InvalidParameter("gateway" if not gateway else "netmask",
                               f"a tier of VPC {vpc.name} needs gateway and netmask inside {vpc.cidr}")
    try:
        interface = ipaddress.ip_interface(f"{gateway.strip()}/{netmask.strip()}")
    except ValueError:
        raise InvalidParameter("netmask", f"{gateway}/{netmask} is not a gateway address with a netmask") from None
    subnet = interface.network
    if interface.ip in (subnet.network_address, subnet.broadcast_address):
        raise InvalidParameter("gateway", f"{gateway} is the network or broadcast address of {subnet}")
    vpc_cidr = ipaddress.ip_network(vpc.cidr)
    if subnet.version != vpc_cidr.version or not subnet.subnet_of(vpc_cidr):
        raise InvalidParameter("gateway", f"the tier's CIDR {subnet} is not inside VPC {vpc.name}'s CIDR {vpc.cidr}")
    for other in tiers_of(session, vpc.id):
        if other.cidr and subnet.overlaps(ipaddress.ip_network(other.cidr)):
            raise InvalidParameter("gateway", f"the tier's CIDR {subnet} overlaps tier {other.name} ({other.cidr}) "
                                              f"of VPC {vpc.name}")
    if _has_lb(session, offering.id):
        with_lb = [other.name for other in tiers_of(session, vpc.id) if _has_lb(session, other.network_offering_id)]
        if with_lb:
            raise InvalidParameter("networkofferingid", f"VPC {vpc.name} already has a tier with the Lb service "
                                                        f"({with_lb[0]}); only one tier of a VPC may have it")
    return str(subnet), str(interface.ip)


def acl_for_tier(session: Session, vpc: Vpc, acl: NetworkAclList | None) -> NetworkAclList:
    """The ACL list a new tier of `vpc` starts with: `acl` (a default list or one of the VPC's), else
    default_deny. Raises InvalidParameter naming aclid."""
    if acl is None:
        return acls.default_deny(session)
    acls.check_list_for_tier(acl, vpc)
    return acl


def tiers_of(session: Session, vpc_id: int) -> list[Network]:
    """The VPC's live tiers, oldest first."""
    return list(session.scalars(select(Network).where(Network.vpc_id == vpc_id, Network.removed.is_(None))
                                .order_by(Network.id)))


def require_vpc_hypervisor(session: Session, registry: PluginRegistry, zone: Zone, hypervisor_type: str | None,
                           networks: Sequence[Network]) -> None:
    """Refuse a VM on a tier when its hypervisor (or, not known yet, one of the zone's) lacks `vpc`.
    Raises UnsupportedOperation (432) naming the hypervisor, the feature and the tier."""
    for network in networks:
        if network.vpc_id is not None:
            vpc = session.get(Vpc, network.vpc_id)
            hypervisor_support.require_for_vm(session, registry, zone.id, hypervisor_type, "vpc",
                                              f"VPC (network {network.name} is a tier of VPC {vpc.name})", zone.name)


def _has_lb(session: Session, network_offering_id: int) -> bool:
    return session.scalar(select(NetworkOfferingService.id).where(
        NetworkOfferingService.network_offering_id == network_offering_id,
        NetworkOfferingService.service == "Lb", NetworkOfferingService.provider == "VpcVirtualRouter")
        .limit(1)) is not None

"""Guest networks: createNetwork, updateNetwork, listNetworks and the checks a new network passes.

An Isolated network belongs to one account and takes its isolation id (VLAN) when it is created; a
Shared network is an administrator's, with the VLAN and address range given explicitly. Deleting and
restarting (which talk to providers) live in lifecycle.py.
"""

from __future__ import annotations

import ipaddress

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import (
    GuestType,
    Network,
    NetworkOffering,
    NetworkOfferingService,
    OfferingState,
    PhysicalNetwork,
    VlanIpRange,
)
from cirrostack.db.models.vpc import NetworkAclList, Vpc
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import hypervisor_support, scope
from cirrostack.services.context import AccountType, Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks import guest_vlans
from cirrostack.services.networks.physical import guest_physical_network
from cirrostack.services.security_groups import membership as security_group_membership
from cirrostack.services.vpc import tiers

DEFAULT_GUEST_CIDR = "10.1.1.0/24"


def create_network(session: Session, caller: Caller, registry: PluginRegistry, *, owner: Account, zone: Zone,
                   offering: NetworkOffering, name: str, displaytext: str | None = None,
                   physical: PhysicalNetwork | None = None, gateway: str | None = None, netmask: str | None = None,
                   startip: str | None = None, endip: str | None = None, vlan: str | None = None,
                   networkdomain: str | None = None, acltype: str | None = None, subdomainaccess: bool = False,
                   ip6cidr: str | None = None, ip6gateway: str | None = None, isolatedpvlan: str | None = None,
                   displaynetwork: bool = True, vpc: Vpc | None = None, acl: NetworkAclList | None = None) -> Network:
    """A new guest network in `zone` for `owner` (a tier of `vpc` when given, using ACL list `acl`).
    Records NETWORK.CREATE.

    Raises InvalidParameter naming the offending parameter, UnsupportedOperation (432) when the
    zone's hypervisors lack IPv6, PVLAN, throttling or redundant routers the request needs,
    InsufficientCapacity when the physical network has no free VLAN.
    """
    _check_offering(offering, vpc)
    security_group_membership.require_network_support(session, registry, zone, offering.id)
    physical = physical or guest_physical_network(session, zone.id)
    if physical is None or physical.zone_id != zone.id:
        raise InvalidParameter("zoneid" if physical is None else "physicalnetworkid",
                               f"zone {zone.name} has no physical network carrying Guest traffic; add one with "
                               f"createPhysicalNetwork and addTrafficType first")
    _check_hypervisor_support(session, registry, zone, offering, ip6cidr or ip6gateway, isolatedpvlan)
    is_admin = caller.account_type is not AccountType.USER
    if vlan is not None and (not offering.specify_vlan or not is_admin):
        raise InvalidParameter("vlan", "can only be given by an administrator with an offering that has "
                                       "specifyvlan=true")
    if offering.specify_vlan and vlan is None:
        raise InvalidParameter("vlan", f"network offering {offering.name} has specifyvlan=true, so vlan is required")
    shared = offering.guest_ip_type == GuestType.SHARED.value
    if shared and not is_admin:
        raise PermissionDenied("networkofferingid: only administrators can create Shared networks")
    if vpc is not None:
        cidr, gateway = tiers.check_tier(session, registry, vpc, owner=owner, zone=zone, offering=offering,
                                         gateway=gateway, netmask=netmask)
        networkdomain = vpc.network_domain
        acl = tiers.acl_for_tier(session, vpc, acl)
    else:
        if acl is not None:
            raise InvalidParameter("aclid", "only VPC tiers (createNetwork with vpcid) have network ACL lists")
        cidr, gateway = _cidr_and_gateway(zone, gateway, netmask, required=shared)
    network = Network(
        name=_name("name", name), display_text=displaytext or name, zone_id=zone.id, physical_network_id=physical.id,
        network_offering_id=offering.id, account_id=owner.id, domain_id=owner.domain_id,
        acl_type=_acl_type(acltype, shared), subdomain_access=subdomainaccess, guest_type=offering.guest_ip_type,
        traffic_type=offering.traffic_type, cidr=cidr, gateway=gateway, ip6_cidr=ip6cidr, ip6_gateway=ip6gateway,
        network_domain=networkdomain or zone.network_domain or f"cs{owner.id:x}cloud.internal",
        display_network=displaynetwork, specified_vlan=vlan is not None, vpc_id=vpc.id if vpc is not None else None,
        acl_id=acl.id if acl is not None else None)
    session.add(network)
    session.flush()
    if vlan is not None:
        network.broadcast_uri = guest_vlans.reserve_given(session, registry, physical, network, vlan)
    else:
        network.broadcast_uri = guest_vlans.allocate(session, registry, physical, network)
    if shared:
        _add_direct_range(session, network, physical, startip, endip, netmask or "", vlan or "")
    session.flush()
    record_event(session, caller, "NETWORK.CREATE", f"Created network {network.name} ({network.broadcast_uri}) in "
                 f"zone {zone.name}", account_id=owner.id, domain_id=owner.domain_id, resource_type="Network",
                 resource_uuid=network.uuid)
    return network


def update_network(session: Session, caller: Caller, network: Network, *, name: str | None = None,
                   displaytext: str | None = None, networkdomain: str | None = None,
                   displaynetwork: bool | None = None) -> Network:
    """Change what needs no provider: name, display text, network domain, display flag.
    (A new offering goes through lifecycle.change_offering.) Records NETWORK.UPDATE."""
    if name is not None:
        network.name = _name("name", name)
    if displaytext is not None:
        network.display_text = displaytext
    if networkdomain is not None:
        network.network_domain = networkdomain.strip() or network.network_domain
        network.restart_required = True
    if displaynetwork is not None:
        network.display_network = displaynetwork
    session.flush()
    record_event(session, caller, "NETWORK.UPDATE", f"Updated network {network.name}", account_id=network.account_id,
                 domain_id=network.domain_id, resource_type="Network", resource_uuid=network.uuid)
    return network


def list_networks(session: Session, caller: Caller, owners: scope.ListScope, *, id: Network | None = None,
                  zone: Zone | None = None, physical: PhysicalNetwork | None = None, guest_type: str | None = None,
                  acltype: str | None = None, traffictype: str | None = None,
                  supportedservices: list[str] | None = None, restartrequired: bool | None = None,
                  canusefordeploy: bool | None = None, keyword: str | None = None, page: int = 1,
                  pagesize: int | None = DEFAULT_PAGE_SIZE, vpc: Vpc | None = None,
                  forvpc: bool | None = None) -> tuple[list[Network], int]:
    statement = scope.visible(caller, "Network")
    if id is not None:
        statement = statement.where(Network.id == id.id)
    elif owners.account_ids is not None or owners.domain is not None:
        owned = owners.apply(select(Network.id), Network.account_id)
        shared = scope.visible(caller, "Network").with_only_columns(Network.id).where(Network.acl_type == "Domain")
        statement = statement.where(or_(Network.id.in_(owned), Network.id.in_(shared)))
    for column, value in ((Network.zone_id, zone), (Network.physical_network_id, physical)):
        if value is not None:
            statement = statement.where(column == value.id)
    for column, text in ((Network.guest_type, guest_type), (Network.acl_type, acltype),
                         (Network.traffic_type, traffictype)):
        if text is not None:
            statement = statement.where(column == text.strip().capitalize())
    for service in supportedservices or []:
        statement = statement.where(Network.network_offering_id.in_(select(
            NetworkOfferingService.network_offering_id).where(NetworkOfferingService.service.ilike(service.strip()))))
    if restartrequired is not None:
        statement = statement.where(Network.restart_required.is_(restartrequired))
    if vpc is not None:
        statement = statement.where(Network.vpc_id == vpc.id)
    if forvpc is not None:
        statement = statement.where(Network.vpc_id.is_not(None) if forvpc else Network.vpc_id.is_(None))
    if canusefordeploy:
        statement = statement.where(Network.state != "Destroy")
    if keyword:
        statement = statement.where(Network.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Network.id), page, pagesize)


def netmask(network: Network) -> str:
    return str(ipaddress.ip_network(network.cidr, strict=False).netmask) if network.cidr else ""


def _check_offering(offering: NetworkOffering, vpc: Vpc | None = None) -> None:
    if offering.state != OfferingState.ENABLED.value:
        raise InvalidParameter("networkofferingid", f"network offering {offering.name} is {offering.state}; enable "
                                                    f"it with updateNetworkOffering state=Enabled first")
    if offering.for_vpc and vpc is None:
        raise InvalidParameter("networkofferingid", f"network offering {offering.name} is for VPC tiers only")


def _check_hypervisor_support(session: Session, registry: PluginRegistry, zone: Zone, offering: NetworkOffering,
                              ipv6: str | None, pvlan: str | None) -> None:
    needs = [(ipv6, "ipv6", "IPv6"), (pvlan, "pvlan", "private VLANs (isolatedpvlan)"),
             (offering.network_rate, "network_throttling", "network throttling (the offering's networkrate)"),
             (offering.redundant_router, "redundant_router", "redundant virtual routers")]
    for wanted, capability, feature in needs:
        if wanted:
            hypervisor_support.require_in_zone(session, registry, zone.id, capability, feature, zone.name)


def _cidr_and_gateway(zone: Zone, gateway: str | None, netmask_text: str | None, required: bool) -> tuple[str, str]:
    if gateway is None and netmask_text is None:
        if required:
            raise InvalidParameter("gateway", "a Shared network needs gateway, netmask, startip and endip")
        cidr = ipaddress.ip_network(zone.guest_cidr_address or DEFAULT_GUEST_CIDR, strict=False)
        return str(cidr), str(next(cidr.hosts()))
    if gateway is None or netmask_text is None:
        raise InvalidParameter("gateway" if gateway is None else "netmask", "give gateway and netmask together")
    try:
        interface = ipaddress.ip_interface(f"{gateway.strip()}/{netmask_text.strip()}")
    except ValueError:
        raise InvalidParameter("netmask", f"{gateway}/{netmask_text} is not a gateway address with a netmask") from None
    if interface.ip in (interface.network.network_address, interface.network.broadcast_address):
        raise InvalidParameter("gateway", f"{gateway} is the network or broadcast address of {interface.network}")
    return str(interface.network), str(interface.ip)


def _add_direct_range(session: Session, network: Network, physical: PhysicalNetwork, startip: str | None,
                      endip: str | None, netmask_text: str, vlan: str) -> None:
    if startip is None:
        raise InvalidParameter("startip", "a Shared network needs startip (and endip)")
    cidr = ipaddress.ip_network(network.cidr or "", strict=False)
    for param, value in (("startip", startip), ("endip", endip or startip)):
        try:
            if ipaddress.ip_address(value.strip()) not in cidr:
                raise InvalidParameter(param, f"{value} is outside the network {cidr}")
        except ValueError:
            raise InvalidParameter(param, f"{value!r} is not an IP address") from None
    session.add(VlanIpRange(zone_id=network.zone_id, physical_network_id=physical.id, network_id=network.id,
                            vlan_tag=vlan or "untagged", gateway=network.gateway or "", netmask=netmask_text,
                            start_ip=startip.strip(), end_ip=(endip or startip).strip(), for_virtual_network=False,
                            domain_id=network.domain_id))


def _acl_type(value: str | None, shared: bool) -> str:
    if value is None:
        return "Domain" if shared else "Account"
    accepted = {"account": "Account", "domain": "Domain"}
    if value.strip().lower() not in accepted:
        raise InvalidParameter("acltype", f"{value!r} is not Account or Domain")
    if not shared and accepted[value.strip().lower()] == "Domain":
        raise InvalidParameter("acltype", "an Isolated network can only have acltype Account")
    return accepted[value.strip().lower()]


def _name(param: str, value: str) -> str:
    if not value or not value.strip():
        raise InvalidParameter(param, "a network needs a non-empty name")
    return value.strip()


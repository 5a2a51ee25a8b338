"""Network ACL lists of VPC tiers: createNetworkACLList, deleteNetworkACLList, listNetworkACLLists,
createNetworkACL, deleteNetworkACL, listNetworkACLs, replaceNetworkACLList, and pushing a tier's ACL.

Every tier uses one list: the one given at createNetwork (aclid) or replaceNetworkACLList, else default_deny,
as in CloudStack 4.3. default_allow and default_deny belong to no VPC, every VPC may use them, and nobody may
change them. A change to a list is pushed at once to the router of every implemented tier using it.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import Session

from cirrostack.db.models.networks import Network, NetworkState
from cirrostack.db.models.vpc import NetworkAclItem, NetworkAclList, Vpc
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.hookspecs.network_rules import NetworkAclRule
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks.service_network import provider_for, service_network

DEFAULT_DENY = "default_deny"
PROTOCOLS = ("tcp", "udp", "icmp", "all")


def _visible_lists(statement: Select[Any], caller: Caller) -> Select[Any]:
    if caller.is_root_admin:
        return statement
    vpcs = scope.account_owned(Vpc.account_id)(select(Vpc.id), caller)
    return statement.where(or_(NetworkAclList.vpc_id.is_(None), NetworkAclList.vpc_id.in_(vpcs)))


def _visible_items(statement: Select[Any], caller: Caller) -> Select[Any]:
    return statement.where(NetworkAclItem.acl_id.in_(_visible_lists(select(NetworkAclList.id), caller)))


scope.register_entity("NetworkACLList", NetworkAclList, _visible_lists)
scope.register_entity("NetworkACL", NetworkAclItem, _visible_items)


def default_deny(session: Session) -> NetworkAclList:
    return session.scalars(select(NetworkAclList).where(NetworkAclList.vpc_id.is_(None),
                                                        NetworkAclList.name == DEFAULT_DENY)).one()


def check_list_for_tier(acl: NetworkAclList, vpc: Vpc, param: str = "aclid") -> None:
    """Raise InvalidParameter unless `acl` is a default list or one of `vpc`'s."""
    if acl.vpc_id is not None and acl.vpc_id != vpc.id:
        raise InvalidParameter(param, f"network ACL list {acl.name} belongs to another VPC than {vpc.name}")


def create_list(session: Session, caller: Caller, vpc: Vpc, name: str, description: str | None) -> NetworkAclList:
    """A new, empty ACL list of `vpc`. Records NETWORK.ACL.CREATE."""
    if not name or not name.strip():
        raise InvalidParameter("name", "a network ACL list needs a non-empty name")
    acl = NetworkAclList(name=name.strip(), description=description or name.strip(), vpc_id=vpc.id)
    session.add(acl)
    session.flush()
    record_event(session, caller, "NETWORK.ACL.CREATE", f"Created network ACL list {acl.name} in VPC {vpc.name}",
                 account_id=vpc.account_id, domain_id=vpc.domain_id, resource_type="NetworkAcl",
                 resource_uuid=acl.uuid)
    return acl


def delete_list(session: Session, caller: Caller, acl: NetworkAclList) -> None:
    """Remove a VPC's ACL list and its items; refused for the default lists and a list a tier uses.
    Records NETWORK.ACL.DELETE."""
    _require_changeable(acl, "id")
    users = session.scalars(select(Network.name).where(Network.acl_id == acl.id, Network.removed.is_(None))
                            .limit(5)).all()
    if users:
        raise ResourceInUse(f"id: network ACL list {acl.name} is used by tiers {', '.join(users)}; give them "
                            f"another list with replaceNetworkACLList first")
    vpc = session.get(Vpc, acl.vpc_id)
    session.execute(delete(NetworkAclItem).where(NetworkAclItem.acl_id == acl.id))
    session.delete(acl)
    session.flush()
    record_event(session, caller, "NETWORK.ACL.DELETE", f"Deleted network ACL list {acl.name}",
                 account_id=vpc.account_id, domain_id=vpc.domain_id, resource_type="NetworkAcl",
                 resource_uuid=acl.uuid)


def list_lists(session: Session, caller: Caller, *, id: NetworkAclList | None = None, name: str | None = None,
               vpc: Vpc | None = None, network: Network | None = None, keyword: str | None = None, page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[NetworkAclList], int]:
    statement = scope.visible(caller, "NetworkACLList")
    if id is not None:
        statement = statement.where(NetworkAclList.id == id.id)
    if name is not None:
        statement = statement.where(NetworkAclList.name == name.strip())
    if vpc is not None:
        statement = statement.where(NetworkAclList.vpc_id == vpc.id)
    if network is not None:
        statement = statement.where(NetworkAclList.id == (network.acl_id or default_deny(session).id))
    if keyword:
        statement = statement.where(NetworkAclList.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(NetworkAclList.id), page, pagesize)


def create_item(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, acl: NetworkAclList, *,
                protocol: str, cidrs: list[str] | None = None, startport: int | None = None,
                endport: int | None = None, icmptype: int | None = None, icmpcode: int | None = None,
                traffictype: str | None = None, action: str | None = None,
                number: int | None = None) -> NetworkAclItem:
    """A new rule of `acl`, pushed to every implemented tier using it. Records NETWORK.ACL.ITEM.CREATE.

    Raises InvalidParameter naming the parameter (protocol, ports, ICMP fields, cidrlist, traffictype, action,
    number already taken, a default list)."""
    _require_changeable(acl, "aclid")
    protocol = (protocol or "").strip().lower()
    if protocol not in PROTOCOLS:
        raise InvalidParameter("protocol", f"{protocol!r} is not one of {', '.join(PROTOCOLS)}")
    startport, endport = _ports(protocol, startport, endport)
    if protocol != "icmp" and (icmptype is not None or icmpcode is not None):
        raise InvalidParameter("icmptype", "icmptype and icmpcode apply to protocol icmp only")
    number = number if number is not None else (session.scalar(
        select(func.max(NetworkAclItem.number)).where(NetworkAclItem.acl_id == acl.id)) or 0) + 1
    if number < 1:
        raise InvalidParameter("number", f"{number} is not a rule number (1 or more)")
    if session.scalar(select(NetworkAclItem.id).where(NetworkAclItem.acl_id == acl.id,
                                                      NetworkAclItem.number == number)):
        raise InvalidParameter("number", f"network ACL list {acl.name} already has a rule number {number}")
    item = NetworkAclItem(acl_id=acl.id, number=number, protocol=protocol, start_port=startport, end_port=endport,
                          icmp_type=icmptype if protocol == "icmp" else None,
                          icmp_code=icmpcode if protocol == "icmp" else None, cidrs=",".join(_cidrs(cidrs)),
                          traffic_type=_choice("traffictype", traffictype or "Ingress", ("Ingress", "Egress")),
                          action=_choice("action", action or "Allow", ("Allow", "Deny")))
    session.add(item)
    session.flush()
    vpc = session.get(Vpc, acl.vpc_id)
    record_event(session, caller, "NETWORK.ACL.ITEM.CREATE", f"Created rule {number} of network ACL list {acl.name}",
                 account_id=vpc.account_id, domain_id=vpc.domain_id, resource_type="NetworkAclItem",
                 resource_uuid=item.uuid)
    push_list(session, registry, secrets, acl)
    return item


def delete_item(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any,
                item: NetworkAclItem) -> None:
    """Remove a rule of a VPC's ACL list and push the list. Records NETWORK.ACL.ITEM.DELETE."""
    acl = session.get(NetworkAclList, item.acl_id)
    _require_changeable(acl, "id")
    vpc = session.get(Vpc, acl.vpc_id)
    session.delete(item)
    session.flush()
    record_event(session, caller, "NETWORK.ACL.ITEM.DELETE", f"Deleted rule {item.number} of network ACL list "
                 f"{acl.name}", account_id=vpc.account_id, domain_id=vpc.domain_id, resource_type="NetworkAclItem",
                 resource_uuid=item.uuid)
    push_list(session, registry, secrets, acl)


def list_items(session: Session, caller: Caller, *, id: NetworkAclItem | None = None,
               acl: NetworkAclList | None = None, network: Network | None = None, traffictype: str | None = None,
               action: str | None = None, protocol: str | None = None, page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[NetworkAclItem], int]:
    statement = scope.visible(caller, "NetworkACL")
    if id is not None:
        statement = statement.where(NetworkAclItem.id == id.id)
    if acl is not None:
        statement = statement.where(NetworkAclItem.acl_id == acl.id)
    if network is not None:
        statement = statement.where(NetworkAclItem.acl_id == (network.acl_id or default_deny(session).id))
    for column, text in ((NetworkAclItem.traffic_type, traffictype), (NetworkAclItem.action, action)):
        if text is not None:
            statement = statement.where(column == text.strip().capitalize())
    if protocol is not None:
        statement = statement.where(NetworkAclItem.protocol == protocol.strip().lower())
    return fetch_page(session, statement.order_by(NetworkAclItem.acl_id, NetworkAclItem.number), page, pagesize)


def replace_list(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, acl: NetworkAclList,
                 network: Network) -> Network:
    """Make `acl` the list of tier `network` and push it. Records NETWORK.ACL.REPLACE."""
    if network.vpc_id is None:
        raise InvalidParameter("networkid", f"network {network.name} is not a VPC tier")
    vpc = session.get(Vpc, network.vpc_id)
    check_list_for_tier(acl, vpc)
    network.acl_id = acl.id
    session.flush()
    record_event(session, caller, "NETWORK.ACL.REPLACE", f"Network {network.name} uses network ACL list {acl.name}",
                 account_id=network.account_id, domain_id=network.domain_id, resource_type="Network",
                 resource_uuid=network.uuid)
    push_acl(session, registry, secrets, network)
    return network


def acl_rules_of(session: Session, network: Network) -> list[NetworkAclRule]:
    """The tier's ACL as the provider contract describes it, in rule number order."""
    acl_id = network.acl_id or default_deny(session).id
    items = session.scalars(select(NetworkAclItem).where(NetworkAclItem.acl_id == acl_id)
                            .order_by(NetworkAclItem.number))
    return [NetworkAclRule(uuid=item.uuid, number=item.number, protocol=item.protocol,
                           cidrs=tuple(item.cidrs.split(",")), start_port=item.start_port, end_port=item.end_port,
                           icmp_type=item.icmp_type, icmp_code=item.icmp_code,
                           traffic_type=item.traffic_type.lower(), action=item.action.lower()) for item in items]


def push_acl(session: Session, registry: PluginRegistry, secrets: Any, network: Network) -> None:
    """Hand an implemented tier's complete ACL to the provider of its NetworkACL service (if it has one)."""
    if network.vpc_id is None or network.state != NetworkState.IMPLEMENTED.value:
        return
    provider = provider_for(session, registry, network, NetworkService.NETWORK_ACL)
    if provider is not None:
        provider.apply_network_acl(service_network(session, network, secrets), acl_rules_of(session, network))


def push_list(session: Session, registry: PluginRegistry, secrets: Any, acl: NetworkAclList) -> None:
    """Push `acl` to every implemented tier using it."""
    for network in session.scalars(select(Network).where(Network.acl_id == acl.id, Network.removed.is_(None))):
        push_acl(session, registry, secrets, network)


def _require_changeable(acl: NetworkAclList, param: str) -> None:
    if acl.vpc_id is None:
        raise InvalidParameter(param, f"network ACL list {acl.name} is a default list and cannot be changed; "
                                      f"create one with createNetworkACLList")


def _ports(protocol: str, start: int | None, end: int | None) -> tuple[int | None, int | None]:
    if protocol not in ("tcp", "udp"):
        if start is not None or end is not None:
            raise InvalidParameter("startport", f"ports apply to protocols tcp and udp only, not {protocol}")
        return None, None
    if start is None:
        if end is not None:
            raise InvalidParameter("startport", "give startport with endport")
        return None, None
    end = start if end is None else end
    for param, value in (("startport", start), ("endport", end)):
        if not 1 <= value <= 65535:
            raise InvalidParameter(param, f"{value} is not a port (1-65535)")
    if end < start:
        raise InvalidParameter("endport", f"{end} is below startport {start}")
    return start, end


def _cidrs(values: list[str] | None) -> list[str]:
    result = []
    for value in values or ["0.0.0.0/0"]:
        try:
            result.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise InvalidParameter("cidrlist", f"{value!r} is not a CIDR such as 10.0.0.0/24") from None
    return result


def _choice(param: str, value: str, accepted: tuple[str, ...]) -> str:
    by_lower = {option.lower(): option for option in accepted}
    if value.strip().lower() not in by_lower:
        raise InvalidParameter(param, f"{value!r} is not {' or '.join(accepted)}")
    return by_lower[value.strip().lower()]

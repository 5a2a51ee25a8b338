"""Which networking objects a caller may name in a parameter (`Uuid("Network")`, ...).

Physical networks, their traffic types and providers and the public ranges are the root admin's.
A guest network is seen by its account (and the admins above it) and, when it is shared with a
domain (`acl_type` Domain), by that domain's accounts, and by subdomains' accounts with
`subdomain_access`. Public IPs and routers follow their account; NICs follow their VM.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, false, literal, or_, select

from cirrostack.db.models import Domain, VirtualMachine
from cirrostack.db.models.networks import (
    Network,
    NetworkOffering,
    NetworkServiceProviderRow,
    Nic,
    PhysicalNetwork,
    PhysicalNetworkTrafficType,
    PublicIpAddress,
    Router,
    VirtualRouterElement,
    VlanIpRange,
)
from cirrostack.services import scope
from cirrostack.services.context import Caller


def _root_admin_only(statement: Select[Any], caller: Caller) -> Select[Any]:
    return statement if caller.is_root_admin else statement.where(false())


def _everyone(statement: Select[Any], _caller: Caller) -> Select[Any]:
    return statement


def network_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    """Networks `caller` may see: their account's, their domain's shared ones, and the admin's scope."""
    if caller.is_root_admin:
        return statement
    domains_above = select(Domain.id).where(literal(caller.domain_path).startswith(Domain.path))
    shared = and_(Network.acl_type == "Domain",
                  or_(Network.domain_id == caller.domain_id,
                      and_(Network.subdomain_access.is_(True), Network.domain_id.in_(domains_above))))
    if scope.sees_domain_subtree(caller):
        subtree = select(Domain.id).where(scope.in_subtree(Domain.path, caller.domain_path))
        return statement.where(or_(Network.domain_id.in_(subtree), shared))
    return statement.where(or_(Network.account_id == caller.account_id, shared))


def _nic_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    if caller.is_root_admin:
        return statement
    vms = scope.account_owned(VirtualMachine.account_id)(select(VirtualMachine.id), caller)
    return statement.where(Nic.vm_id.in_(vms))


scope.register_entity("PhysicalNetwork", PhysicalNetwork, _root_admin_only)
scope.register_entity("TrafficType", PhysicalNetworkTrafficType, _root_admin_only)
scope.register_entity("NetworkServiceProvider", NetworkServiceProviderRow, _root_admin_only)
scope.register_entity("VirtualRouterElement", VirtualRouterElement, _root_admin_only)
scope.register_entity("VlanIpRange", VlanIpRange, _root_admin_only)
scope.register_entity("NetworkOffering", NetworkOffering, _everyone)
scope.register_entity("Network", Network, network_rule)
scope.register_entity("IpAddress", PublicIpAddress, scope.account_owned(PublicIpAddress.account_id))
scope.register_entity("Router", Router, scope.account_owned(Router.account_id))
scope.register_entity("Nic", Nic, _nic_rule)

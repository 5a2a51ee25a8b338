"""Port forwarding rules: createPortForwardingRule, updatePortForwardingRule,
deletePortForwardingRule and listPortForwardingRules.

A rule forwards a public port range of an address to the same-sized range on a VM's NIC on the
address's network. With `openfirewall` (CloudStack's default) an ingress firewall rule for the public
ports is created with it and deleted with it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    FirewallRuleRow,
    LoadBalancerRuleRow,
    Network,
    PortForwardingRuleRow,
    PublicIpAddress,
    RuleState,
    VirtualMachine,
)
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, NetworkRuleConflict
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, scope
from cirrostack.services.context import Caller
from cirrostack.services.network_rules import apply, checks, firewall, targets
from cirrostack.services.network_rules.rule_sets import split_cidrs

scope.register_entity("PortForwardingRule", PortForwardingRuleRow,
                      scope.account_owned(PortForwardingRuleRow.account_id))

#: Protocols a port forwarding rule can name; the provider must also declare the PortForwarding service.
FORWARDED_PROTOCOLS = ("tcp", "udp")


def create(session: Session, caller: Caller, registry: PluginRegistry, address: PublicIpAddress,
           vm: VirtualMachine, *, protocol: str, publicport: int, privateport: int,
           publicendport: int | None = None, privateendport: int | None = None, cidrlist: list[str] | None = None,
           openfirewall: bool = True, vmguestip: str | None = None,
           network: Network | None = None) -> PortForwardingRuleRow:
    """Record the rule (and its firewall rule with `openfirewall`) in state Add.

    Raises InvalidParameter naming the parameter (ports, protocol, a VM without a NIC on the
    address's network or of another account, static NAT on the address), NetworkRuleConflict for
    public ports another forwarding or load balancer rule holds."""
    ip_network = targets.network_of_ip(session, "ipaddressid", address, tier=network)
    if network is not None and network.id != ip_network.id:
        raise InvalidParameter("networkid", f"public IP {address.address} belongs to network {ip_network.name}, "
                                            f"not {network.name}")
    provider = targets.require_service(session, registry, "ipaddressid", ip_network, NetworkService.PORT_FORWARDING)
    name = checks.declared("protocol", "protocol", protocol, FORWARDED_PROTOCOLS, targets.provider_name(provider))
    public = checks.port_range("publicport", publicport, "publicendport", publicendport)
    private = checks.port_range("privateport", privateport, "privateendport", privateendport)
    if public[1] - public[0] != private[1] - private[0]:
        raise InvalidParameter("privateendport", f"the private range {private[0]}-{private[1]} and the public range "
                                                 f"{public[0]}-{public[1]} must have the same size")
    nic = targets.guest_nic(session, "virtualmachineid", vm, ip_network, address.account_id, vmguestip)
    targets.lock_address(session, address)
    check_ports_free(session, address, "publicport", checks.PortClaim(
        "port forwarding rule", "(new)", name, public[0], public[1]))
    row = PortForwardingRuleRow(network_id=ip_network.id, public_ip_id=address.id, account_id=address.account_id,
                                domain_id=address.domain_id, vm_id=vm.id, private_ip=nic.ip_address, protocol=name,
                                public_start_port=public[0], public_end_port=public[1],
                                private_start_port=private[0], private_end_port=private[1],
                                source_cidrs=",".join(checks.cidr_list("cidrlist", cidrlist, ())),
                                state=RuleState.ADD.value)
    session.add(row)
    session.flush()
    if openfirewall and ip_network.vpc_id is None:  # a VPC tier is guarded by its network ACL instead
        firewall.create_ingress(session, caller, registry, address, protocol=name, startport=public[0],
                                endport=public[1], cidrlist=cidrlist, opened_for=row.uuid)
    events.record(session, caller, "NET.RULEADD", f"Created port forwarding rule {address.address}:{public[0]} -> "
                  f"{nic.ip_address}:{private[0]} ({row.uuid})", account_id=row.account_id, domain_id=row.domain_id,
                  resource_type="FirewallRule", resource_uuid=row.uuid)
    return row


def check_ports_free(session: Session, address: PublicIpAddress, param: str, claim: checks.PortClaim) -> None:
    """Refuse public ports of `address` that a port forwarding or load balancer rule already holds,
    and any forwarding on an address with static NAT."""
    if address.static_nat_vm_id is not None:
        raise NetworkRuleConflict(f"ipaddressid: public IP {address.address} has static NAT enabled; it forwards "
                                  "every port already (disableStaticNat first)")
    checks.check_forwarding_free(param, address.address, claim, forwarding_claims(session, address))


def forwarding_claims(session: Session, address: PublicIpAddress) -> list[checks.PortClaim]:
    """Public ports the forwarding and load balancer rules of `address` hold."""
    claims = [checks.PortClaim("port forwarding rule", row.uuid, row.protocol, row.public_start_port,
                               row.public_end_port)
              for row in session.scalars(select(PortForwardingRuleRow).where(
                  PortForwardingRuleRow.public_ip_id == address.id,
                  PortForwardingRuleRow.state != RuleState.REVOKE.value))]
    claims += [checks.PortClaim("load balancer rule", row.uuid, checks.lb_transport(row.protocol), row.public_port,
                                row.public_port)
               for row in session.scalars(select(LoadBalancerRuleRow).where(
                   LoadBalancerRuleRow.public_ip_id == address.id,
                   LoadBalancerRuleRow.state != RuleState.REVOKE.value))]
    return claims


def opened_firewall_rules(session: Session, rule_uuid: str) -> list[FirewallRuleRow]:
    """The firewall rules `openfirewall` created for the rule `rule_uuid`."""
    return list(session.scalars(select(FirewallRuleRow).where(FirewallRuleRow.opened_for == rule_uuid)))


def activate(session: Session, registry: PluginRegistry, secrets: Any,
             row: PortForwardingRuleRow) -> PortForwardingRuleRow:
    """The job step of createPortForwardingRule: push the rule and its firewall rule."""
    apply.activate(session, registry, secrets, session.get(Network, row.network_id),
                   [row, *opened_firewall_rules(session, row.uuid)])
    return row


def update(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, address: PublicIpAddress, *,
           protocol: str, publicport: int, privateport: int, privateip: str | None = None,
           vm: VirtualMachine | None = None) -> PortForwardingRuleRow:
    """updatePortForwardingRule (4.3 form): find the rule by address, protocol and public port and
    change its private port, VM or private IP; pushed at once. Only single-port rules can change
    their private port. Raises InvalidParameter naming the parameter."""
    network = targets.network_of_ip(session, "ipaddressid", address)
    apply.lock_network(session, network)
    row = session.scalars(select(PortForwardingRuleRow).where(
        PortForwardingRuleRow.public_ip_id == address.id, PortForwardingRuleRow.protocol == protocol.lower(),
        PortForwardingRuleRow.public_start_port == publicport,
        PortForwardingRuleRow.state == RuleState.ACTIVE.value)).first()
    if row is None:
        raise InvalidParameter("publicport", f"public IP {address.address} has no {protocol} port forwarding rule "
                                             f"starting at port {publicport}")
    width = row.private_end_port - row.private_start_port
    start, _ = checks.port_range("privateport", privateport, "privateport", privateport + width)
    target_vm = vm if vm is not None else session.get(VirtualMachine, row.vm_id)
    nic = targets.guest_nic(session, "virtualmachineid", target_vm, network, address.account_id, privateip)
    row.vm_id, row.private_ip = target_vm.id, nic.ip_address
    row.private_start_port, row.private_end_port = start, start + width
    session.flush()
    apply.apply_change(session, registry, secrets, network)
    events.record(session, caller, "NET.RULEMODIFY", f"Updated port forwarding rule {row.uuid}",
                  account_id=row.account_id, domain_id=row.domain_id, resource_type="FirewallRule",
                  resource_uuid=row.uuid)
    return row


def delete(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any,
           row: PortForwardingRuleRow) -> None:
    """Remove the rule and the firewall rule it opened from the providers, then from the database."""
    network = session.get(Network, row.network_id)
    apply.revoke(session, registry, secrets, network, [row, *opened_firewall_rules(session, row.uuid)])
    events.record(session, caller, "NET.RULEDELETE", f"Deleted port forwarding rule {row.uuid}",
                  account_id=row.account_id, domain_id=row.domain_id, resource_type="FirewallRule",
                  resource_uuid=row.uuid)


def list_rules(session: Session, caller: Caller, owners: scope.ListScope, *,
               rule: PortForwardingRuleRow | None = None, address: PublicIpAddress | None = None,
               network: Network | None = None, keyword: str | None = None, page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[PortForwardingRuleRow], int]:
    statement: Select[Any] = scope.visible(caller, "PortForwardingRule").where(
        PortForwardingRuleRow.state != RuleState.REVOKE.value)
    if rule is not None:
        statement = statement.where(PortForwardingRuleRow.id == rule.id)
    else:
        statement = owners.apply(statement, PortForwardingRuleRow.account_id)
    if address is not None:
        statement = statement.where(PortForwardingRuleRow.public_ip_id == address.id)
    if network is not None:
        statement = statement.where(PortForwardingRuleRow.network_id == network.id)
    if keyword:
        statement = statement.where(PortForwardingRuleRow.protocol.contains(keyword.lower(), autoescape=True))
    return fetch_page(session, statement.order_by(PortForwardingRuleRow.id), page, pagesize)


def cidrs_of(row: PortForwardingRuleRow) -> tuple[str, ...]:
    return split_cidrs(row.source_cidrs)

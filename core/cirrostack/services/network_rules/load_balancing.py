"""Load balancer rules and their members: createLoadBalancerRule, updateLoadBalancerRule,
deleteLoadBalancerRule, listLoadBalancerRules, assignToLoadBalancerRule,
removeFromLoadBalancerRule and listLoadBalancerRuleInstances.

A rule reaches the provider once it has a member (a rule balancing nothing is kept in the database
only). Algorithms and protocols are checked against the Lb provider's declared capabilities.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    LoadBalancerMemberRow,
    LoadBalancerRuleRow,
    Network,
    Nic,
    PublicIpAddress,
    RuleState,
    VirtualMachine,
)
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, scope
from cirrostack.services.context import Caller
from cirrostack.services.network_rules import apply, checks, firewall, targets
from cirrostack.services.network_rules.port_forwarding import check_ports_free, opened_firewall_rules

scope.register_entity("LoadBalancerRule", LoadBalancerRuleRow, scope.account_owned(LoadBalancerRuleRow.account_id))


def create(session: Session, caller: Caller, registry: PluginRegistry, address: PublicIpAddress, *, name: str,
           algorithm: str, publicport: int, privateport: int, description: str | None = None,
           protocol: str | None = None, cidrlist: list[str] | None = None, openfirewall: bool = True,
           network: Network | None = None) -> LoadBalancerRuleRow:
    """Record the rule (and its firewall rule with `openfirewall`) in state Add.

    Raises InvalidParameter naming the parameter (algorithm or protocol the provider does not
    declare, ports, a rule name taken on the address), NetworkRuleConflict for a public port in use."""
    ip_network = targets.network_of_ip(session, "publicipid", address, tier=network)
    if network is not None and network.id != ip_network.id:
        raise InvalidParameter("networkid", f"public IP {address.address} belongs to network {ip_network.name}, "
                                            f"not {network.name}")
    provider = targets.require_service(session, registry, "publicipid", ip_network, NetworkService.LB)
    capabilities = provider.capabilities.lb
    chosen = checks.declared("algorithm", "algorithm", algorithm, capabilities.algorithms,
                             targets.provider_name(provider))
    transport = checks.declared("protocol", "protocol", protocol or "tcp", capabilities.protocols,
                                targets.provider_name(provider))
    public, _ = checks.port_range("publicport", publicport, "publicport", publicport)
    private, _ = checks.port_range("privateport", privateport, "privateport", privateport)
    targets.lock_address(session, address)
    if session.scalar(select(LoadBalancerRuleRow.id).where(LoadBalancerRuleRow.public_ip_id == address.id,
                                                           LoadBalancerRuleRow.name == name)):
        raise InvalidParameter("name", f"public IP {address.address} already has a load balancer rule named {name!r}")
    check_ports_free(session, address, "publicport", checks.PortClaim(
        "load balancer rule", "(new)", checks.lb_transport(transport), public, public))
    row = LoadBalancerRuleRow(name=name, description=description, network_id=ip_network.id, public_ip_id=address.id,
                              account_id=address.account_id, domain_id=address.domain_id, public_port=public,
                              private_port=private, algorithm=chosen, protocol=transport,
                              source_cidrs=",".join(checks.cidr_list("cidrlist", cidrlist, ())),
                              state=RuleState.ADD.value)
    session.add(row)
    session.flush()
    if openfirewall and ip_network.vpc_id is None:  # a VPC tier is guarded by its network ACL instead
        firewall.create_ingress(session, caller, registry, address, protocol=checks.lb_transport(transport),
                                startport=public, endport=public, cidrlist=cidrlist, opened_for=row.uuid)
    events.record(session, caller, "LB.CREATE", f"Created load balancer rule {name} on {address.address}:{public} "
                  f"({row.uuid})", account_id=row.account_id, domain_id=row.domain_id,
                  resource_type="LoadBalancerRule", resource_uuid=row.uuid)
    return row


def activate(session: Session, registry: PluginRegistry, secrets: Any, row: LoadBalancerRuleRow) -> LoadBalancerRuleRow:
    """The job step of createLoadBalancerRule: push the rule's firewall rule (the rule itself reaches
    the provider with its first member)."""
    apply.activate(session, registry, secrets, session.get(Network, row.network_id),
                   [row, *opened_firewall_rules(session, row.uuid)])
    return row


def update(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, row: LoadBalancerRuleRow, *,
           name: str | None = None, description: str | None = None,
           algorithm: str | None = None) -> LoadBalancerRuleRow:
    """Rename the rule, change its description or its algorithm (pushed at once)."""
    network = session.get(Network, row.network_id)
    apply.lock_network(session, network)
    if algorithm is not None:
        provider = targets.require_service(session, registry, "id", network, NetworkService.LB)
        row.algorithm = checks.declared("algorithm", "algorithm", algorithm, provider.capabilities.lb.algorithms,
                                        targets.provider_name(provider))
    if name is not None and name != row.name:
        if session.scalar(select(LoadBalancerRuleRow.id).where(LoadBalancerRuleRow.public_ip_id == row.public_ip_id,
                                                               LoadBalancerRuleRow.name == name)):
            raise InvalidParameter("name", f"the rule's public IP already has a load balancer rule named {name!r}")
        row.name = name
    if description is not None:
        row.description = description
    session.flush()
    apply.apply_change(session, registry, secrets, network)
    events.record(session, caller, "LB.UPDATE", f"Updated load balancer rule {row.name} ({row.uuid})",
                  account_id=row.account_id, domain_id=row.domain_id, resource_type="LoadBalancerRule",
                  resource_uuid=row.uuid)
    return row


def delete(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, row: LoadBalancerRuleRow) -> None:
    """Remove the rule, its members, policies and opened firewall rule from the providers and the database."""
    network = session.get(Network, row.network_id)
    # members and policies go with the rule (ON DELETE CASCADE)
    apply.revoke(session, registry, secrets, network, [row, *opened_firewall_rules(session, row.uuid)])
    events.record(session, caller, "LB.DELETE", f"Deleted load balancer rule {row.name} ({row.uuid})",
                  account_id=row.account_id, domain_id=row.domain_id, resource_type="LoadBalancerRule",
                  resource_uuid=row.uuid)


def assign(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, row: LoadBalancerRuleRow,
           vms: list[VirtualMachine]) -> None:
    """Add `vms` as members (their NIC on the rule's network) and push. A VM already a member is
    refused with InvalidParameter("virtualmachineids"); on a failed push nothing is kept."""
    network = session.get(Network, row.network_id)
    address = session.get(PublicIpAddress, row.public_ip_id)
    apply.lock_network(session, network)
    current = {member.vm_id for member in members_of(session, row)}
    added = []
    for vm in vms:
        nic = targets.guest_nic(session, "virtualmachineids", vm, network, address.account_id)
        if vm.id in current:
            raise InvalidParameter("virtualmachineids", f"VM {vm.name} ({vm.uuid}) is already assigned to load "
                                                        f"balancer rule {row.name}")
        current.add(vm.id)
        added.append(LoadBalancerMemberRow(lb_rule_id=row.id, vm_id=vm.id, ip_address=nic.ip_address,
                                           state=RuleState.ACTIVE.value))
    session.add_all(added)
    row.state = RuleState.ACTIVE.value
    session.flush()
    apply.apply_change(session, registry, secrets, network)
    events.record(session, caller, "LB.ASSIGN.TO.RULE", f"Assigned {', '.join(vm.name for vm in vms)} to load "
                  f"balancer rule {row.name}", account_id=row.account_id, domain_id=row.domain_id,
                  resource_type="LoadBalancerRule", resource_uuid=row.uuid)


def remove(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, row: LoadBalancerRuleRow,
           vms: list[VirtualMachine]) -> None:
    """Take `vms` out of the rule and push. A VM that is not a member is refused with
    InvalidParameter("virtualmachineids"); on a failed push the members stay."""
    network = session.get(Network, row.network_id)
    by_vm = {member.vm_id: member for member in members_of(session, row)}
    missing = [vm for vm in vms if vm.id not in by_vm]
    if missing:
        raise InvalidParameter("virtualmachineids", f"VM {missing[0].name} ({missing[0].uuid}) is not assigned to "
                                                    f"load balancer rule {row.name}")
    apply.revoke(session, registry, secrets, network, [by_vm[vm.id] for vm in vms])
    events.record(session, caller, "LB.REMOVE.FROM.RULE", f"Removed {', '.join(vm.name for vm in vms)} from load "
                  f"balancer rule {row.name}", account_id=row.account_id, domain_id=row.domain_id,
                  resource_type="LoadBalancerRule", resource_uuid=row.uuid)


def members_of(session: Session, row: LoadBalancerRuleRow) -> list[LoadBalancerMemberRow]:
    return list(session.scalars(select(LoadBalancerMemberRow).where(
        LoadBalancerMemberRow.lb_rule_id == row.id, LoadBalancerMemberRow.state != RuleState.REVOKE.value)
        .order_by(LoadBalancerMemberRow.id)))


def member_vms(session: Session, row: LoadBalancerRuleRow, *, applied: bool = True, page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[VirtualMachine], int]:
    """listLoadBalancerRuleInstances: the member VMs (`applied`), or the VMs of the rule's account on
    its network that could still be assigned (`applied` false)."""
    members = select(LoadBalancerMemberRow.vm_id).where(LoadBalancerMemberRow.lb_rule_id == row.id,
                                                        LoadBalancerMemberRow.state != RuleState.REVOKE.value)
    statement = select(VirtualMachine).where(VirtualMachine.removed.is_(None))
    if applied:
        statement = statement.where(VirtualMachine.id.in_(members))
    else:
        on_network = select(Nic.vm_id).where(Nic.network_id == row.network_id, Nic.removed.is_(None))
        statement = statement.where(VirtualMachine.id.in_(on_network), VirtualMachine.id.not_in(members),
                                    VirtualMachine.account_id == row.account_id)
    return fetch_page(session, statement.order_by(VirtualMachine.id), page, pagesize)


def list_rules(session: Session, caller: Caller, owners: scope.ListScope, *, rule: LoadBalancerRuleRow | None = None,
               name: str | None = None, address: PublicIpAddress | None = None, vm: VirtualMachine | None = None,
               network: Network | None = None, zone_id: int | None = None, keyword: str | None = None,
               page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[LoadBalancerRuleRow], int]:
    statement: Select[Any] = scope.visible(caller, "LoadBalancerRule").where(
        LoadBalancerRuleRow.state != RuleState.REVOKE.value)
    if rule is not None:
        statement = statement.where(LoadBalancerRuleRow.id == rule.id)
    else:
        statement = owners.apply(statement, LoadBalancerRuleRow.account_id)
    if name is not None:
        statement = statement.where(LoadBalancerRuleRow.name == name)
    if address is not None:
        statement = statement.where(LoadBalancerRuleRow.public_ip_id == address.id)
    if network is not None:
        statement = statement.where(LoadBalancerRuleRow.network_id == network.id)
    if vm is not None:
        statement = statement.where(LoadBalancerRuleRow.id.in_(
            select(LoadBalancerMemberRow.lb_rule_id).where(LoadBalancerMemberRow.vm_id == vm.id)))
    if zone_id is not None:
        statement = statement.where(LoadBalancerRuleRow.network_id.in_(
            select(Network.id).where(Network.zone_id == zone_id)))
    if keyword:
        statement = statement.where(LoadBalancerRuleRow.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(LoadBalancerRuleRow.id), page, pagesize)

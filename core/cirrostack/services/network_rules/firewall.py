"""Firewall rules: ingress to a public IP (createFirewallRule) and egress from a guest network
(createEgressFirewallRule), with their delete and list commands.

Creating is two steps, as CloudStack's async create commands are: `create_*` checks the request and
records the rule in state Add (in the request, so the caller gets its id at once), then the job's
`apply.activate` pushes it. Protocols are checked against what the Firewall provider declares.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from cirrostack.db.models import FirewallRuleRow, Network, PublicIpAddress, RuleState, TrafficDirection
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, scope
from cirrostack.services.context import Caller
from cirrostack.services.network_rules import apply, checks, targets
from cirrostack.services.network_rules.rule_sets import split_cidrs

scope.register_entity("FirewallRule", FirewallRuleRow, scope.account_owned(FirewallRuleRow.account_id))


def create_ingress(session: Session, caller: Caller, registry: PluginRegistry, address: PublicIpAddress, *,
                   protocol: str, startport: int | None = None, endport: int | None = None,
                   cidrlist: list[str] | None = None, icmptype: int | None = None, icmpcode: int | None = None,
                   opened_for: str | None = None) -> FirewallRuleRow:
    """Record an ingress rule on `address` in state Add. Raises InvalidParameter naming the parameter
    (protocol not declared by the provider, ports, CIDRs, address without network),
    NetworkRuleConflict for a rule opening the same traffic to the same CIDRs."""
    network = targets.network_of_ip(session, "ipaddressid", address)
    row = _rule(session, registry, network, protocol=protocol, startport=startport, endport=endport,
                cidrlist=cidrlist, icmptype=icmptype, icmpcode=icmpcode, egress=False)
    targets.lock_address(session, address)
    existing = session.scalars(select(FirewallRuleRow).where(FirewallRuleRow.public_ip_id == address.id,
                                                             FirewallRuleRow.state != RuleState.REVOKE.value))
    checks.check_firewall_free("startport", address.address, _claim(row), [_claim(other) for other in existing])
    row.public_ip_id = address.id
    row.account_id, row.domain_id = address.account_id, address.domain_id
    row.opened_for = opened_for
    return _record(session, caller, row, f"Created firewall rule for {address.address}")


def create_egress(session: Session, caller: Caller, registry: PluginRegistry, network: Network, *,
                  protocol: str, startport: int | None = None, endport: int | None = None,
                  cidrlist: list[str] | None = None, icmptype: int | None = None,
                  icmpcode: int | None = None) -> FirewallRuleRow:
    """Record an egress rule on `network` in state Add; the provider must declare `firewall.egress`.
    `cidrlist` are the guest addresses the rule applies to (default: the whole network)."""
    provider = targets.require_service(session, registry, "networkid", network, NetworkService.FIREWALL)
    if not provider.capabilities.firewall.egress:
        raise InvalidParameter("networkid", f"provider {targets.provider_name(provider)} of network "
                                            f"{network.name} does not apply egress rules")
    row = _rule(session, registry, network, protocol=protocol, startport=startport, endport=endport,
                cidrlist=cidrlist, icmptype=icmptype, icmpcode=icmpcode, egress=True)
    apply.lock_network(session, network)
    existing = session.scalars(select(FirewallRuleRow).where(
        FirewallRuleRow.network_id == network.id, FirewallRuleRow.direction == TrafficDirection.EGRESS.value,
        FirewallRuleRow.state != RuleState.REVOKE.value))
    checks.check_firewall_free("startport", f"network {network.name}", _claim(row),
                               [_claim(other) for other in existing])
    row.account_id, row.domain_id = network.account_id, network.domain_id
    return _record(session, caller, row, f"Created egress firewall rule for network {network.name}")


def activate(session: Session, registry: PluginRegistry, secrets: Any, row: FirewallRuleRow) -> FirewallRuleRow:
    """The job step of both creates: push the rule (see apply.activate)."""
    apply.activate(session, registry, secrets, session.get(Network, row.network_id), [row])
    return row


def delete(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, row: FirewallRuleRow) -> None:
    """Remove the rule from the providers, then from the database. Records FIREWALL.CLOSE."""
    network = session.get(Network, row.network_id)
    apply.revoke(session, registry, secrets, network, [row])
    event = "FIREWALL.EGRESS.CLOSE" if row.direction == TrafficDirection.EGRESS else "FIREWALL.CLOSE"
    events.record(session, caller, event, f"Deleted firewall rule {row.uuid}", account_id=row.account_id,
                  domain_id=row.domain_id, resource_type="FirewallRule", resource_uuid=row.uuid)


def list_rules(session: Session, caller: Caller, owners: scope.ListScope, *, egress: bool,
               rule: FirewallRuleRow | None = None, address: PublicIpAddress | None = None,
               network: Network | None = None, keyword: str | None = None, page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[FirewallRuleRow], int]:
    """Rules of one direction on live networks within the caller's scope, oldest first."""
    direction = TrafficDirection.EGRESS if egress else TrafficDirection.INGRESS
    statement: Select[Any] = scope.visible(caller, "FirewallRule").where(
        FirewallRuleRow.direction == direction.value, FirewallRuleRow.state != RuleState.REVOKE.value,
        FirewallRuleRow.network_id.in_(select(Network.id).where(Network.removed.is_(None))))
    if rule is not None:
        statement = statement.where(FirewallRuleRow.id == rule.id)
    else:
        statement = owners.apply(statement, FirewallRuleRow.account_id)
    if address is not None:
        statement = statement.where(FirewallRuleRow.public_ip_id == address.id)
    if network is not None:
        statement = statement.where(FirewallRuleRow.network_id == network.id)
    if keyword:
        statement = statement.where(FirewallRuleRow.protocol.contains(keyword.lower(), autoescape=True))
    return fetch_page(session, statement.order_by(FirewallRuleRow.id), page, pagesize)


def require_direction(row: FirewallRuleRow, egress: bool, param: str = "id") -> FirewallRuleRow:
    """Ingress commands refuse egress rules and the other way round."""
    if (row.direction == TrafficDirection.EGRESS) != egress:
        kind = "an egress" if row.direction == TrafficDirection.EGRESS else "an ingress"
        raise InvalidParameter(param, f"firewall rule {row.uuid} is {kind} rule; use the "
                                      f"{'Egress' if not egress else ''}FirewallRule commands for it")
    return row


def _rule(session: Session, registry: PluginRegistry, network: Network, *, protocol: str, startport: int | None,
          endport: int | None, cidrlist: list[str] | None, icmptype: int | None, icmpcode: int | None,
          egress: bool) -> FirewallRuleRow:
    param = "networkid" if egress else "ipaddressid"
    provider = targets.require_service(session, registry, param, network, NetworkService.FIREWALL)
    accepted = set(provider.capabilities.firewall.protocols) | ({"all"} if egress else set())
    name = checks.declared("protocol", "protocol", protocol, accepted, targets.provider_name(provider))
    if name in ("icmp", "all"):
        if startport is not None or endport is not None:
            raise InvalidParameter("startport", f"protocol {name} takes no ports")
        start = end = None
    else:
        if icmptype is not None or icmpcode is not None:
            raise InvalidParameter("icmptype", f"only protocol icmp takes an ICMP type and code, not {name}")
        start, end = checks.port_range("startport", startport, "endport", endport, required=False)
    default = ((network.cidr,) if network.cidr else ("0.0.0.0/0",)) if egress else ("0.0.0.0/0",)
    cidrs = checks.cidr_list("cidrlist", cidrlist, default)
    return FirewallRuleRow(network_id=network.id, direction=(TrafficDirection.EGRESS if egress
                                                             else TrafficDirection.INGRESS).value,
                           protocol=name, start_port=start, end_port=end,
                           icmp_type=checks.icmp_value("icmptype", icmptype) if name == "icmp" else None,
                           icmp_code=checks.icmp_value("icmpcode", icmpcode) if name == "icmp" else None,
                           source_cidrs=",".join(cidrs), state=RuleState.ADD.value)


def _claim(row: FirewallRuleRow) -> checks.PortClaim:
    return checks.PortClaim("firewall rule", row.uuid or "(new)", row.protocol, row.start_port, row.end_port,
                            split_cidrs(row.source_cidrs), (row.icmp_type, row.icmp_code))


def _record(session: Session, caller: Caller, row: FirewallRuleRow, description: str) -> FirewallRuleRow:
    session.add(row)
    session.flush()
    event = "FIREWALL.EGRESS.OPEN" if row.direction == TrafficDirection.EGRESS else "FIREWALL.OPEN"
    events.record(session, caller, event, description + f" ({row.uuid})", account_id=row.account_id,
                  domain_id=row.domain_id, resource_type="FirewallRule", resource_uuid=row.uuid)
    return row

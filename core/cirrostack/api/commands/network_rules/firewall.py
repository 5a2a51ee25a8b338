"""createFirewallRule, deleteFirewallRule, listFirewallRules and their egress twins
createEgressFirewallRule, deleteEgressFirewallRule, listEgressFirewallRules."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.network_rules._views import FIREWALL_RULE_RESPONSE, firewall_rule_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Integer, ListOf, String, Uuid
from cirrostack.db.models import Domain, FirewallRuleRow, Network, PublicIpAddress
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.network_rules import firewall

_PACKAGE = "org.apache.cloudstack.api.command.user.firewall."
_RELATED = ("createFirewallRule", "deleteFirewallRule", "listFirewallRules")
_EGRESS_RELATED = ("createEgressFirewallRule", "deleteEgressFirewallRule", "listEgressFirewallRules")


def _rule_params(protocols: str) -> tuple[Param, ...]:
    return (
        Param("protocol", String(), f"the protocol for the firewall rule. Valid values are {protocols}",
              required=True),
        Param("startport", Integer(), "the starting port of firewall rule (tcp and udp; none means every port)"),
        Param("endport", Integer(), "the ending port of firewall rule (default: startport)"),
        Param("cidrlist", ListOf(String()), "the cidr list to forward traffic from"),
        Param("icmptype", Integer(), "type of the icmp message being sent (-1 for any)"),
        Param("icmpcode", Integer(), "error code for this icmp message (-1 for any)"),
        Param("type", String(), "type of firewallrule: system/user (only user rules can be created)"),
    )


CREATE_FIREWALL_RULE = Command(
    "createFirewallRule", "Creates a firewall rule for a given ip address", response=FIREWALL_RULE_RESPONSE,
    is_async=True, creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "CreateFirewallRuleCmd", related=_RELATED,
    params=(Param("ipaddressid", Uuid("IpAddress"), "the IP address id of the port forwarding rule", required=True),
            *_rule_params("TCP/UDP/ICMP")))

DELETE_FIREWALL_RULE = Command(
    "deleteFirewallRule", "Deletes a firewall rule", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteFirewallRuleCmd",
    params=(Param("id", Uuid("FirewallRule"), "the ID of the firewall rule", required=True),))

LIST_FIREWALL_RULES = Command(
    "listFirewallRules", "Lists all firewall rules for an IP address.", kind=CommandKind.LIST,
    response=FIREWALL_RULE_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "ListFirewallRulesCmd", related=_RELATED,
    params=(Param("id", Uuid("FirewallRule"), "Lists rule with the specified ID."),
            Param("ipaddressid", Uuid("IpAddress"), "the id of IP address of the firwall services"),
            Param("networkid", Uuid("Network"), "list firewall rules for ceratin network", since="4.3"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))

CREATE_EGRESS_FIREWALL_RULE = Command(
    "createEgressFirewallRule", "Creates a egress firewall rule for a given network ",
    response=FIREWALL_RULE_RESPONSE, is_async=True, creates=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "CreateEgressFirewallRuleCmd", related=_EGRESS_RELATED,
    params=(Param("networkid", Uuid("Network"), "the network id of the port forwarding rule", required=True),
            *_rule_params("TCP/UDP/ICMP/ALL")))

DELETE_EGRESS_FIREWALL_RULE = Command(
    "deleteEgressFirewallRule", "Deletes an ggress firewall rule", kind=CommandKind.SUCCESS, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "DeleteEgressFirewallRuleCmd",
    params=(Param("id", Uuid("FirewallRule"), "the ID of the firewall rule", required=True),))

LIST_EGRESS_FIREWALL_RULES = Command(
    "listEgressFirewallRules", "Lists all egress firewall rules for network id.", kind=CommandKind.LIST,
    response=FIREWALL_RULE_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "ListEgressFirewallRulesCmd",
    related=_EGRESS_RELATED,
    params=(Param("id", Uuid("FirewallRule"), "Lists rule with the specified ID."),
            Param("networkid", Uuid("Network"), "the id network network for the egress firwall services"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


def _user_type(type: str | None) -> None:
    if type is not None and type.lower() != "user":
        raise InvalidParameter("type", f"{type!r}: only user firewall rules can be created")


@CREATE_FIREWALL_RULE.prepare
def prepare_firewall_rule(call: Call, ipaddressid: PublicIpAddress, protocol: str, type: str | None = None,
                          **rule: Any) -> str:
    _user_type(type)
    return firewall.create_ingress(call.session, call.caller, call.registry, ipaddressid, protocol=protocol,
                                   **rule).uuid


@CREATE_EGRESS_FIREWALL_RULE.prepare
def prepare_egress_firewall_rule(call: Call, networkid: Network, protocol: str, type: str | None = None,
                                 **rule: Any) -> str:
    _user_type(type)
    return firewall.create_egress(call.session, call.caller, call.registry, networkid, protocol=protocol,
                                  **rule).uuid


@CREATE_FIREWALL_RULE.handler
@CREATE_EGRESS_FIREWALL_RULE.handler
def activate_firewall_rule(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    row = scope.load_visible(call.session, call.caller, "FirewallRule", id, "id")
    return firewall_rule_view(call.session, firewall.activate(call.session, call.registry, call.secrets, row))


@DELETE_FIREWALL_RULE.handler
def delete_firewall_rule(call: Call, id: FirewallRuleRow) -> None:
    firewall.delete(call.session, call.caller, call.registry, call.secrets, firewall.require_direction(id, False))


@DELETE_EGRESS_FIREWALL_RULE.handler
def delete_egress_firewall_rule(call: Call, id: FirewallRuleRow) -> None:
    firewall.delete(call.session, call.caller, call.registry, call.secrets, firewall.require_direction(id, True))


def _list(call: Call, egress: bool, id: FirewallRuleRow | None, ipaddressid: PublicIpAddress | None,
          networkid: Network | None, keyword: str | None, account: str | None, domainid: Domain | None,
          isrecursive: bool, listall: bool) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None or ipaddressid is not None
                              or networkid is not None)
    rows, count = firewall.list_rules(call.session, call.caller, owners, egress=egress, rule=id, address=ipaddressid,
                                      network=networkid, keyword=keyword, page=call.paging.page,
                                      pagesize=call.paging.pagesize)
    return ListResult([firewall_rule_view(call.session, row) for row in rows], count)


@LIST_FIREWALL_RULES.handler
def list_firewall_rules(call: Call, id: FirewallRuleRow | None = None, ipaddressid: PublicIpAddress | None = None,
                        networkid: Network | None = None, keyword: str | None = None, account: str | None = None,
                        domainid: Domain | None = None, isrecursive: bool = False, listall: bool = False,
                        **_paging: Any) -> ListResult:
    return _list(call, False, id, ipaddressid, networkid, keyword, account, domainid, isrecursive, listall)


@LIST_EGRESS_FIREWALL_RULES.handler
def list_egress_firewall_rules(call: Call, id: FirewallRuleRow | None = None, networkid: Network | None = None,
                               keyword: str | None = None, account: str | None = None, domainid: Domain | None = None,
                               isrecursive: bool = False, listall: bool = False, **_paging: Any) -> ListResult:
    return _list(call, True, id, None, networkid, keyword, account, domainid, isrecursive, listall)

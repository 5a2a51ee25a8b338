"""createPortForwardingRule, updatePortForwardingRule, deletePortForwardingRule, listPortForwardingRules."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.network_rules._views import PORT_FORWARDING_RESPONSE, port_forwarding_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Integer, ListOf, String, Uuid
from cirrostack.db.models import Domain, Network, PortForwardingRuleRow, PublicIpAddress, VirtualMachine
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.network_rules import port_forwarding

_PACKAGE = "org.apache.cloudstack.api.command.user.firewall."
_RELATED = ("createPortForwardingRule", "updatePortForwardingRule", "deletePortForwardingRule",
            "listPortForwardingRules")

CREATE_PORT_FORWARDING_RULE = Command(
    "createPortForwardingRule", "Creates a port forwarding rule", response=PORT_FORWARDING_RESPONSE, is_async=True,
    creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "CreatePortForwardingRuleCmd", related=_RELATED,
    params=(Param("ipaddressid", Uuid("IpAddress"), "the IP address id of the port forwarding rule", required=True),
            Param("privateport", Integer(), "the starting port of port forwarding rule's private port range",
                  required=True),
            Param("protocol", String(), "the protocol for the port fowarding rule. Valid values are TCP or UDP.",
                  required=True),
            Param("publicport", Integer(), "the starting port of port forwarding rule's public port range",
                  required=True),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine for the port forwarding "
                                                              "rule", required=True),
            Param("privateendport", Integer(), "the ending port of port forwarding rule's private port range"),
            Param("publicendport", Integer(), "the ending port of port forwarding rule's private port range"),
            Param("cidrlist", ListOf(String()), "the cidr list to forward traffic from"),
            Param("openfirewall", Boolean(), "if true (the default), firewall rule for source/end pubic port is "
                                             "automatically created; if false - firewall rule has to be created "
                                             "explicitely"),
            Param("networkid", Uuid("Network"), "The network of the vm the Port Forwarding rule will be created for. "
                                                "Required when public Ip address is not associated with any Guest "
                                                "network yet (VPC case)"),
            Param("vmguestip", String(), "VM guest nic Secondary ip address for the port forwarding rule")))

UPDATE_PORT_FORWARDING_RULE = Command(
    "updatePortForwardingRule", "Updates a port forwarding rule.  Only the private port and the virtual machine can "
    "be updated.", response=PORT_FORWARDING_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "UpdatePortForwardingRuleCmd", related=_RELATED,
    params=(Param("ipaddressid", Uuid("IpAddress"), "the IP address id of the port forwarding rule", required=True),
            Param("privateport", Integer(), "the private port of the port forwarding rule", required=True),
            Param("protocol", String(), "the protocol for the port fowarding rule. Valid values are TCP or UDP.",
                  required=True),
            Param("publicport", Integer(), "the public port of the port forwarding rule", required=True),
            Param("privateip", String(), "the private IP address of the port forwarding rule"),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine for the port forwarding "
                                                              "rule")))

DELETE_PORT_FORWARDING_RULE = Command(
    "deletePortForwardingRule", "Deletes a port forwarding rule", kind=CommandKind.SUCCESS, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "DeletePortForwardingRuleCmd",
    params=(Param("id", Uuid("PortForwardingRule"), "the ID of the port forwarding rule", required=True),))

LIST_PORT_FORWARDING_RULES = Command(
    "listPortForwardingRules", "Lists all port forwarding rules for an IP address.", kind=CommandKind.LIST,
    response=PORT_FORWARDING_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "ListPortForwardingRulesCmd",
    related=_RELATED,
    params=(Param("id", Uuid("PortForwardingRule"), "Lists rule with the specified ID."),
            Param("ipaddressid", Uuid("IpAddress"), "the id of IP address of the port forwarding services"),
            Param("networkid", Uuid("Network"), "list port forwarding rules for ceratin network", since="4.3"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@CREATE_PORT_FORWARDING_RULE.prepare
def prepare_port_forwarding_rule(call: Call, ipaddressid: PublicIpAddress, virtualmachineid: VirtualMachine,
                                 networkid: Network | None = None, **rule: Any) -> str:
    return port_forwarding.create(call.session, call.caller, call.registry, ipaddressid, virtualmachineid,
                                  network=networkid, **rule).uuid


@CREATE_PORT_FORWARDING_RULE.handler
def activate_port_forwarding_rule(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    row = scope.load_visible(call.session, call.caller, "PortForwardingRule", id, "id")
    return port_forwarding_view(call.session, port_forwarding.activate(call.session, call.registry, call.secrets, row))


@UPDATE_PORT_FORWARDING_RULE.handler
def update_port_forwarding_rule(call: Call, ipaddressid: PublicIpAddress, protocol: str, publicport: int,
                                privateport: int, privateip: str | None = None,
                                virtualmachineid: VirtualMachine | None = None) -> dict[str, Any]:
    row = port_forwarding.update(call.session, call.caller, call.registry, call.secrets, ipaddressid,
                                 protocol=protocol, publicport=publicport, privateport=privateport,
                                 privateip=privateip, vm=virtualmachineid)
    return port_forwarding_view(call.session, row)


@DELETE_PORT_FORWARDING_RULE.handler
def delete_port_forwarding_rule(call: Call, id: PortForwardingRuleRow) -> None:
    port_forwarding.delete(call.session, call.caller, call.registry, call.secrets, id)


@LIST_PORT_FORWARDING_RULES.handler
def list_port_forwarding_rules(call: Call, id: PortForwardingRuleRow | None = None,
                               ipaddressid: PublicIpAddress | None = None, networkid: Network | None = None,
                               keyword: str | None = None, account: str | None = None, domainid: Domain | None = None,
                               isrecursive: bool = False, listall: bool = False, **_paging: Any) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None or ipaddressid is not None
                              or networkid is not None)
    rows, count = port_forwarding.list_rules(call.session, call.caller, owners, rule=id, address=ipaddressid,
                                             network=networkid, keyword=keyword, page=call.paging.page,
                                             pagesize=call.paging.pagesize)
    return ListResult([port_forwarding_view(call.session, row) for row in rows], count)

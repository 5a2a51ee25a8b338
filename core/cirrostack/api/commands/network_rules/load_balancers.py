"""createLoadBalancerRule, updateLoadBalancerRule, deleteLoadBalancerRule, listLoadBalancerRules."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.network_rules._views import LOAD_BALANCER_RESPONSE, lb_rule_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Integer, ListOf, String, Uuid
from cirrostack.db.models import Domain, LoadBalancerRuleRow, Network, PublicIpAddress, VirtualMachine, Zone
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.network_rules import load_balancing

_PACKAGE = "org.apache.cloudstack.api.command.user.loadbalancer."
_RELATED = ("createLoadBalancerRule", "updateLoadBalancerRule", "deleteLoadBalancerRule", "listLoadBalancerRules",
            "assignToLoadBalancerRule", "removeFromLoadBalancerRule", "listLoadBalancerRuleInstances")

CREATE_LOAD_BALANCER_RULE = Command(
    "createLoadBalancerRule", "Creates a load balancer rule", response=LOAD_BALANCER_RESPONSE, is_async=True,
    creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "CreateLoadBalancerRuleCmd", related=_RELATED,
    params=(Param("algorithm", String(), "load balancer algorithm (source, roundrobin, leastconn)", required=True),
            Param("name", String(), "name of the load balancer rule", required=True),
            Param("privateport", Integer(), "the private port of the private ip address/virtual machine where the "
                                            "network traffic will be load balanced to", required=True),
            Param("publicport", Integer(), "the public port from where the network traffic will be load balanced "
                                           "from", required=True),
            Param("publicipid", Uuid("IpAddress"), "public ip address id from where the network traffic will be load "
                                                   "balanced from"),
            Param("networkid", Uuid("Network"), "The guest network this rule will be created for. Required when "
                                                "public Ip address is not associated with any Guest network yet "
                                                "(VPC case)"),
            Param("description", String(length=4096), "the description of the load balancer rule"),
            Param("cidrlist", ListOf(String()), "the cidr list to forward traffic from"),
            Param("openfirewall", Boolean(), "if true (the default), firewall rule for source/end pubic port is "
                                             "automatically created; if false - firewall rule has to be created "
                                             "explicitely"),
            Param("protocol", String(), "The protocol for the LB (tcp by default; the provider declares which it "
                                        "balances)"),
            Param("account", String(), "the account associated with the load balancer. Must be used with the "
                                       "domainId parameter."),
            Param("domainid", Uuid("Domain"), "the domain ID associated with the load balancer"),
            Param("zoneid", Uuid("Zone"), "zone where the load balancer is going to be created. This parameter is "
                                          "required when LB service provider is ElasticLoadBalancerVm")))

UPDATE_LOAD_BALANCER_RULE = Command(
    "updateLoadBalancerRule", "Updates load balancer", response=LOAD_BALANCER_RESPONSE, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "UpdateLoadBalancerRuleCmd", related=_RELATED,
    params=(Param("id", Uuid("LoadBalancerRule"), "the id of the load balancer rule to update", required=True),
            Param("algorithm", String(), "load balancer algorithm (source, roundrobin, leastconn)"),
            Param("description", String(length=4096), "the description of the load balancer rule"),
            Param("name", String(), "the name of the load balancer rule")))

DELETE_LOAD_BALANCER_RULE = Command(
    "deleteLoadBalancerRule", "Deletes a load balancer rule.", kind=CommandKind.SUCCESS, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "DeleteLoadBalancerRuleCmd",
    params=(Param("id", Uuid("LoadBalancerRule"), "the ID of the load balancer rule", required=True),))

LIST_LOAD_BALANCER_RULES = Command(
    "listLoadBalancerRules", "Lists load balancer rules.", kind=CommandKind.LIST, response=LOAD_BALANCER_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListLoadBalancerRulesCmd", related=_RELATED,
    params=(Param("id", Uuid("LoadBalancerRule"), "the ID of the load balancer rule"),
            Param("name", String(), "the name of the load balancer rule"),
            Param("publicipid", Uuid("IpAddress"), "the public IP address id of the load balancer rule "),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine of the load balancer "
                                                              "rule"),
            Param("zoneid", Uuid("Zone"), "the availability zone ID"),
            Param("networkid", Uuid("Network"), "list by network id the rule belongs to", since="4.3"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@CREATE_LOAD_BALANCER_RULE.prepare
def prepare_load_balancer_rule(call: Call, name: str, algorithm: str, publicport: int, privateport: int,
                               publicipid: PublicIpAddress | None = None, networkid: Network | None = None,
                               account: str | None = None, domainid: Domain | None = None,
                               zoneid: Zone | None = None, **rule: Any) -> str:
    if publicipid is None:
        raise InvalidParameter("publicipid", "is required: give the public IP the rule balances traffic from "
                               "(load balancers without a public IP need an ElasticLoadBalancerVm provider)")
    return load_balancing.create(call.session, call.caller, call.registry, publicipid, name=name, algorithm=algorithm,
                                 publicport=publicport, privateport=privateport, network=networkid, **rule).uuid


@CREATE_LOAD_BALANCER_RULE.handler
def activate_load_balancer_rule(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    row = scope.load_visible(call.session, call.caller, "LoadBalancerRule", id, "id")
    return lb_rule_view(call.session, load_balancing.activate(call.session, call.registry, call.secrets, row))


@UPDATE_LOAD_BALANCER_RULE.handler
def update_load_balancer_rule(call: Call, id: LoadBalancerRuleRow, algorithm: str | None = None,
                              description: str | None = None, name: str | None = None) -> dict[str, Any]:
    row = load_balancing.update(call.session, call.caller, call.registry, call.secrets, id, name=name,
                                description=description, algorithm=algorithm)
    return lb_rule_view(call.session, row)


@DELETE_LOAD_BALANCER_RULE.handler
def delete_load_balancer_rule(call: Call, id: LoadBalancerRuleRow) -> None:
    load_balancing.delete(call.session, call.caller, call.registry, call.secrets, id)


@LIST_LOAD_BALANCER_RULES.handler
def list_load_balancer_rules(call: Call, id: LoadBalancerRuleRow | None = None, name: str | None = None,
                             publicipid: PublicIpAddress | None = None, virtualmachineid: VirtualMachine | None = None,
                             zoneid: Zone | None = None, networkid: Network | None = None, keyword: str | None = None,
                             account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                             listall: bool = False, **_paging: Any) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None or publicipid is not None)
    rows, count = load_balancing.list_rules(
        call.session, call.caller, owners, rule=id, name=name, address=publicipid, vm=virtualmachineid,
        network=networkid, zone_id=zoneid.id if zoneid is not None else None, keyword=keyword,
        page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([lb_rule_view(call.session, row) for row in rows], count)

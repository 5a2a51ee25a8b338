"""How a security group and its rules look on the API (CloudStack 4.3's SecurityGroupResponse and
SecurityGroupRuleResponse)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, Domain, SecurityGroup, SecurityGroupRule, TrafficDirection

_RULE_FIELDS = (
    Field("ruleid", "string", "the id of the security group rule"),
    Field("protocol", "string", "the protocol of the security group rule"),
    Field("startport", "integer", "the starting port of the security group rule"),
    Field("endport", "integer", "the ending port of the security group rule"),
    Field("icmptype", "integer", "the type of the ICMP message response"),
    Field("icmpcode", "integer", "the code for the ICMP message response"),
    Field("cidr", "string", "the CIDR notation for the base IP address of the security group rule"),
    Field("securitygroupname", "string", "security group name whose members the rule allows"),
    Field("account", "string", "account owning the security group the rule allows"),
)

SECURITY_GROUP_RESPONSE = Response("securitygroup", (
    Field("id", "string", "the ID of the security group"),
    Field("name", "string", "the name of the security group"),
    Field("description", "string", "the description of the security group"),
    Field("account", "string", "the account owning the security group"),
    Field("domainid", "string", "the domain ID of the security group"),
    Field("domain", "string", "the domain name of the security group"),
    Field("ingressrule", "set", "the list of ingress rules associated with the security group",
          children=_RULE_FIELDS),
    Field("egressrule", "set", "the list of egress rules associated with the security group", children=_RULE_FIELDS),
    Field("tags", "set", "the list of resource tags associated with the rule (none are kept yet)"),
), instance_type="SecurityGroup")


def security_group_views(session: Session, found: Sequence[SecurityGroup]) -> list[dict[str, Any]]:
    """The API objects of `found`, in order, with their rules (three queries for the whole page)."""
    if not found:
        return []
    ids = [group.id for group in found]
    rules = list(session.scalars(select(SecurityGroupRule).where(SecurityGroupRule.security_group_id.in_(ids))
                                 .order_by(SecurityGroupRule.id)))
    named_ids = {rule.allowed_group_id for rule in rules if rule.allowed_group_id is not None}
    named = {row.id: (row.name, row.account_name) for row in session.execute(
        select(SecurityGroup.id, SecurityGroup.name, Account.name.label("account_name")).join(
            Account, Account.id == SecurityGroup.account_id).where(SecurityGroup.id.in_(named_ids or {0})))}
    owners = {row.id: row for row in session.execute(
        select(Account.id, Account.name, Domain.uuid.label("domain_uuid"), Domain.name.label("domain_name")).join(
            Domain, Domain.id == Account.domain_id).where(Account.id.in_({group.account_id for group in found})))}
    views = []
    for group in found:
        owner = owners[group.account_id]
        view: dict[str, Any] = {"id": group.uuid, "name": group.name, "account": owner.name,
                                "domainid": owner.domain_uuid, "domain": owner.domain_name,
                                "ingressrule": [], "egressrule": [], "tags": []}
        if group.description is not None:
            view["description"] = group.description
        for rule in rules:
            if rule.security_group_id == group.id:
                key = "egressrule" if rule.direction == TrafficDirection.EGRESS.value else "ingressrule"
                view[key].append(_rule_view(rule, named))
        views.append(view)
    return views


def _rule_view(rule: SecurityGroupRule, named: dict[int, tuple[str, str]]) -> dict[str, Any]:
    view: dict[str, Any] = {"ruleid": rule.uuid, "protocol": rule.protocol}
    for key, value in (("startport", rule.start_port), ("endport", rule.end_port), ("icmptype", rule.icmp_type),
                       ("icmpcode", rule.icmp_code), ("cidr", rule.cidr)):
        if value is not None:
            view[key] = value
    if rule.allowed_group_id is not None and rule.allowed_group_id in named:
        view["securitygroupname"], view["account"] = named[rule.allowed_group_id]
    return view

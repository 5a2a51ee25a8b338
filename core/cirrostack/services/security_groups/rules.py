"""authorizeSecurityGroupIngress/Egress and revokeSecurityGroupIngress/Egress: the rows of a group's rules.

One request may name several CIDRs (`cidrlist`) and several groups (`usersecuritygrouplist[i].account`
and `.group`); it records one rule per CIDR and per group, as CloudStack does. A rule identical to one
the group already has is not recorded twice. Pushing the changed rule sets to hosts is
`enforcement.refresh_groups`, which the job runs once this transaction committed.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, Domain, SecurityGroup, SecurityGroupRule, TrafficDirection
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.hypervisor_security_groups import RuleProtocol
from cirrostack.services import events
from cirrostack.services.context import Caller
from cirrostack.services.network_rules import checks
from cirrostack.services.security_groups import groups

_PROTOCOLS = [protocol.value for protocol in RuleProtocol]


def authorize(session: Session, caller: Caller, group: SecurityGroup, *, egress: bool, protocol: str,
              startport: int | None = None, endport: int | None = None, icmptype: int | None = None,
              icmpcode: int | None = None, cidrlist: list[str] | None = None,
              usersecuritygrouplist: list[dict[str, str]] | None = None) -> list[SecurityGroupRule]:
    """Record the rules of one authorize request on `group`; returns the new rows (duplicates of
    existing rules left out). Records SG.AUTH.INGRESS or SG.AUTH.EGRESS. Raises InvalidParameter naming
    the parameter: protocol, ports, ICMP values, CIDRs, a group entry without account or group, or an
    account or group that does not exist; and when neither cidrlist nor usersecuritygrouplist is given."""
    name = protocol.strip().lower()
    if name not in _PROTOCOLS:
        raise InvalidParameter("protocol", f"{protocol!r} is not a security group protocol; accepted: "
                                           f"{', '.join(_PROTOCOLS)}")
    start, end, icmp_type, icmp_code = _ports(name, startport, endport, icmptype, icmpcode)
    if not cidrlist and not usersecuritygrouplist:
        raise InvalidParameter("cidrlist", "give cidrlist or usersecuritygrouplist: a rule needs the addresses "
                                           "it allows")
    cidrs = checks.cidr_list("cidrlist", cidrlist, ()) if cidrlist else ()
    named = [_named_group(session, group, index, entry)
             for index, entry in enumerate(usersecuritygrouplist or [])]
    direction = (TrafficDirection.EGRESS if egress else TrafficDirection.INGRESS).value
    existing = {_key(rule) for rule in session.scalars(select(SecurityGroupRule).where(
        SecurityGroupRule.security_group_id == group.id, SecurityGroupRule.direction == direction))}
    added: list[SecurityGroupRule] = []
    targets: list[tuple[str | None, int | None]] = [(cidr, None) for cidr in cidrs]
    targets += [(None, other.id) for other in named]
    for cidr, allowed in targets:
        rule = SecurityGroupRule(security_group_id=group.id, account_id=group.account_id, domain_id=group.domain_id,
                                 direction=direction, protocol=name, start_port=start, end_port=end,
                                 icmp_type=icmp_type, icmp_code=icmp_code, cidr=cidr, allowed_group_id=allowed)
        if _key(rule) in existing:
            continue
        existing.add(_key(rule))
        session.add(rule)
        added.append(rule)
    session.flush()
    kind = "EGRESS" if egress else "INGRESS"
    events.record(session, caller, f"SG.AUTH.{kind}", f"Authorized {len(added)} {kind.lower()} rule(s) in security "
                  f"group {group.name} ({group.uuid})", account_id=group.account_id, domain_id=group.domain_id,
                  resource_type="SecurityGroup", resource_uuid=group.uuid)
    return added


def revoke(session: Session, caller: Caller, rule: SecurityGroupRule, *, egress: bool) -> SecurityGroup:
    """Delete one rule; returns its group. Records SG.REVOKE.INGRESS or SG.REVOKE.EGRESS. Raises
    InvalidParameter("id", ...) when the rule is of the other direction."""
    is_egress = rule.direction == TrafficDirection.EGRESS.value
    if is_egress != egress:
        kind = "an egress" if is_egress else "an ingress"
        other = "Egress" if is_egress else "Ingress"
        raise InvalidParameter("id", f"security group rule {rule.uuid} is {kind} rule; revoke it with "
                                     f"revokeSecurityGroup{other}")
    group = session.get(SecurityGroup, rule.security_group_id)
    session.delete(rule)
    session.flush()
    kind = "EGRESS" if egress else "INGRESS"
    events.record(session, caller, f"SG.REVOKE.{kind}", f"Revoked {kind.lower()} rule {rule.uuid} of security "
                  f"group {group.name} ({group.uuid})", account_id=group.account_id, domain_id=group.domain_id,
                  resource_type="SecurityGroup", resource_uuid=group.uuid)
    return group


def _ports(protocol: str, startport: int | None, endport: int | None, icmptype: int | None,
           icmpcode: int | None) -> tuple[int | None, int | None, int | None, int | None]:
    if protocol == RuleProtocol.ICMP:
        if startport is not None or endport is not None:
            raise InvalidParameter("startport", "protocol icmp takes icmptype and icmpcode, not ports")
        icmp_type = checks.icmp_value("icmptype", -1 if icmptype is None else icmptype)
        icmp_code = checks.icmp_value("icmpcode", -1 if icmpcode is None else icmpcode)
        return None, None, icmp_type, icmp_code
    if icmptype is not None or icmpcode is not None:
        raise InvalidParameter("icmptype", f"only protocol icmp takes an ICMP type and code, not {protocol}")
    if protocol == RuleProtocol.ALL:
        if startport is not None or endport is not None:
            raise InvalidParameter("startport", "protocol all allows every port; give no startport or endport")
        return None, None, None, None
    start, end = checks.port_range("startport", startport, "endport", endport, required=True)
    return start, end, None, None


def _named_group(session: Session, group: SecurityGroup, index: int,
                 entry: dict[str, str]) -> SecurityGroup:
    param = f"usersecuritygrouplist[{index}]"
    account_name, group_name = (entry.get("account") or "").strip(), (entry.get("group") or "").strip()
    if not account_name or not group_name:
        raise InvalidParameter(param, "each entry needs both .account and .group")
    # Rules may name groups of other accounts of the group's domain, as in CloudStack.
    account = session.scalars(select(Account).where(Account.domain_id == group.domain_id,
                                                    func.lower(Account.name) == account_name.lower(),
                                                    Account.removed.is_(None))).first()
    if account is None:
        domain = session.get(Domain, group.domain_id)
        raise InvalidParameter(f"{param}.account", f"no account named {account_name} in domain {domain.path}")
    found = groups.find_by_name(session, account, group_name)
    if found is None:
        raise InvalidParameter(f"{param}.group", f"account {account.name} has no security group named "
                                                 f"{group_name!r}")
    return found


def _key(rule: SecurityGroupRule) -> tuple[object, ...]:
    return (rule.protocol, rule.start_port, rule.end_port, rule.icmp_type, rule.icmp_code, rule.cidr,
            rule.allowed_group_id)

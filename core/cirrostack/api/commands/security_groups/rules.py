"""authorizeSecurityGroupIngress, authorizeSecurityGroupEgress, revokeSecurityGroupIngress and
revokeSecurityGroupEgress. All four are async: the job records the change, commits it, then pushes the
new rule sets to the hosts of every affected running VM (services.security_groups.enforcement). A host
that did not take its set fails the job with 534 naming the VM and the host; the change stays recorded and
the host gets the set again when it answers."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.security_groups._views import SECURITY_GROUP_RESPONSE, security_group_views
from cirrostack.api.commands.security_groups.groups import RELATED
from cirrostack.api.declaration import Call, Command, CommandKind, Param
from cirrostack.api.params import Integer, ListOf, Map, String, Uuid
from cirrostack.db.models import Domain, SecurityGroup, SecurityGroupRule
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.security_groups import enforcement, groups, rules

_PACKAGE = "org.apache.cloudstack.api.command.user.securitygroup."


def _authorize_params(direction: str) -> tuple[Param, ...]:
    return (
        Param("securitygroupid", Uuid("SecurityGroup"), "The ID of the security group. Mutually exclusive with "
                                                        "securityGroupName parameter"),
        Param("securitygroupname", String(), "The name of the security group. Mutually exclusive with "
                                             "securityGroupId parameter"),
        Param("protocol", String(), "TCP is default. UDP, ICMP and ALL are the other supported protocols"),
        Param("startport", Integer(), "start port for this " + direction + " rule"),
        Param("endport", Integer(), "end port for this " + direction + " rule"),
        Param("icmptype", Integer(), "type of the icmp message being sent (-1 for any)"),
        Param("icmpcode", Integer(), "error code for this icmp message (-1 for any)"),
        Param("cidrlist", ListOf(String()), "the cidr list associated"),
        Param("usersecuritygrouplist", Map(), "user to security group mapping: usersecuritygrouplist[0].account "
                                              "and usersecuritygrouplist[0].group"),
        Param("account", String(), "an optional account for the security group. Must be used with domainId."),
        Param("domainid", Uuid("Domain"), "an optional domainId for the security group. If the account parameter "
                                          "is used, domainId must also be used."),
    )


AUTHORIZE_INGRESS = Command(
    "authorizeSecurityGroupIngress", "Authorizes a particular ingress rule for this security group",
    response=SECURITY_GROUP_RESPONSE, is_async=True, roles=ANY_ROLE, related=RELATED,
    java_class=_PACKAGE + "AuthorizeSecurityGroupIngressCmd", params=_authorize_params("ingress"))

AUTHORIZE_EGRESS = Command(
    "authorizeSecurityGroupEgress", "Authorizes a particular egress rule for this security group",
    response=SECURITY_GROUP_RESPONSE, is_async=True, roles=ANY_ROLE, related=RELATED,
    java_class=_PACKAGE + "AuthorizeSecurityGroupEgressCmd", params=_authorize_params("egress"))

REVOKE_INGRESS = Command(
    "revokeSecurityGroupIngress", "Deletes a particular ingress rule from this security group",
    kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "RevokeSecurityGroupIngressCmd",
    params=(Param("id", Uuid("SecurityGroupRule"), "The ID of the ingress rule", required=True),))

REVOKE_EGRESS = Command(
    "revokeSecurityGroupEgress", "Deletes a particular egress rule from this security group",
    kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "RevokeSecurityGroupEgressCmd",
    params=(Param("id", Uuid("SecurityGroupRule"), "The ID of the egress rule", required=True),))


def _group(call: Call, securitygroupid: SecurityGroup | None, securitygroupname: str | None, account: str | None,
           domainid: Domain | None) -> SecurityGroup:
    if (securitygroupid is None) == (securitygroupname is None):
        raise InvalidParameter("securitygroupid", "give either securitygroupid or securitygroupname (exactly one)")
    if securitygroupid is not None:
        return securitygroupid
    owner = scope.acting_account(call.session, call.caller, account, domainid, "manage security groups")
    found = groups.find_by_name(call.session, owner, securitygroupname)
    if found is None:
        raise InvalidParameter("securitygroupname", f"account {owner.name} has no security group named "
                                                    f"{securitygroupname!r}")
    return found


def _authorize(call: Call, egress: bool, securitygroupid: SecurityGroup | None = None,
               securitygroupname: str | None = None, protocol: str = "tcp", account: str | None = None,
               domainid: Domain | None = None, **rule: Any) -> dict[str, Any]:
    group = _group(call, securitygroupid, securitygroupname, account, domainid)
    added = rules.authorize(call.session, call.caller, group, egress=egress, protocol=protocol, **rule)
    problems = enforcement.refresh_groups(call.session, call.registry, call.secrets, [group.id])
    enforcement.require_applied(problems, f"authorizing {len(added)} {'egress' if egress else 'ingress'} rule(s) in "
                                          f"security group {group.name}")
    return security_group_views(call.session, [group])[0]


@AUTHORIZE_INGRESS.handler
def authorize_ingress(call: Call, **arguments: Any) -> dict[str, Any]:
    return _authorize(call, False, **arguments)


@AUTHORIZE_EGRESS.handler
def authorize_egress(call: Call, **arguments: Any) -> dict[str, Any]:
    return _authorize(call, True, **arguments)


@REVOKE_INGRESS.handler
def revoke_ingress(call: Call, id: SecurityGroupRule) -> None:
    change = f"revoking ingress rule {id.uuid}"
    group = rules.revoke(call.session, call.caller, id, egress=False)
    problems = enforcement.refresh_groups(call.session, call.registry, call.secrets, [group.id])
    enforcement.require_applied(problems, f"{change} of security group {group.name}")


@REVOKE_EGRESS.handler
def revoke_egress(call: Call, id: SecurityGroupRule) -> None:
    change = f"revoking egress rule {id.uuid}"
    group = rules.revoke(call.session, call.caller, id, egress=True)
    problems = enforcement.refresh_groups(call.session, call.registry, call.secrets, [group.id])
    enforcement.require_applied(problems, f"{change} of security group {group.name}")

"""createLBStickinessPolicy, deleteLBStickinessPolicy, listLBStickinessPolicies and
createLBHealthCheckPolicy, deleteLBHealthCheckPolicy, listLBHealthCheckPolicies."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.network_rules._views import (
    HEALTH_CHECK_RESPONSE,
    STICKINESS_RESPONSE,
    health_check_view,
    stickiness_view,
)
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Integer, Map, String, Uuid
from cirrostack.db.models import HealthCheckPolicyRow, LoadBalancerRuleRow, StickinessPolicyRow
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.network_rules import lb_policies

_PACKAGE = "org.apache.cloudstack.api.command.user.loadbalancer."
_STICKY_RELATED = ("createLBStickinessPolicy", "deleteLBStickinessPolicy", "listLBStickinessPolicies")
_HEALTH_RELATED = ("createLBHealthCheckPolicy", "deleteLBHealthCheckPolicy", "listLBHealthCheckPolicies")

CREATE_LB_STICKINESS_POLICY = Command(
    "createLBStickinessPolicy", "Creates a Load Balancer stickiness policy ", response=STICKINESS_RESPONSE,
    is_async=True, creates=True, roles=ANY_ROLE, since="3.0.0", response_name="createLBStickinessPolicy",
    java_class=_PACKAGE + "CreateLBStickinessPolicyCmd", related=_STICKY_RELATED,
    params=(Param("lbruleid", Uuid("LoadBalancerRule"), "the ID of the load balancer rule", required=True),
            Param("methodname", String(), "name of the LB Stickiness policy method, possible values can be obtained "
                                          "from ListNetworks API", required=True),
            Param("name", String(), "name of the LB Stickiness policy", required=True),
            Param("description", String(length=4096), "the description of the LB Stickiness policy"),
            Param("param", Map(), "param list. Example: param[0].name=cookiename&param[0].value=LBCookie ")))

DELETE_LB_STICKINESS_POLICY = Command(
    "deleteLBStickinessPolicy", "Deletes a LB stickiness policy.", kind=CommandKind.SUCCESS, is_async=True,
    roles=ANY_ROLE, since="3.0.0", response_name="deleteLBstickinessrruleresponse",
    java_class=_PACKAGE + "DeleteLBStickinessPolicyCmd",
    params=(Param("id", Uuid("LBStickinessPolicy"), "the ID of the LB stickiness policy", required=True),))

LIST_LB_STICKINESS_POLICIES = Command(
    "listLBStickinessPolicies", "Lists LBStickiness policies.", kind=CommandKind.LIST, response=STICKINESS_RESPONSE,
    roles=ANY_ROLE, since="3.0.0", java_class=_PACKAGE + "ListLBStickinessPoliciesCmd", related=_STICKY_RELATED,
    params=(Param("lbruleid", Uuid("LoadBalancerRule"), "the ID of the load balancer rule", required=True),
            *LIST_PARAMS))

CREATE_LB_HEALTH_CHECK_POLICY = Command(
    "createLBHealthCheckPolicy", "Creates a Load Balancer healthcheck policy ", response=HEALTH_CHECK_RESPONSE,
    is_async=True, creates=True, roles=ANY_ROLE, since="4.2.0",
    java_class=_PACKAGE + "CreateLBHealthCheckPolicyCmd", related=_HEALTH_RELATED,
    params=(Param("lbruleid", Uuid("LoadBalancerRule"), "the ID of the load balancer rule", required=True),
            Param("description", String(length=4096), "the description of the load balancer HealthCheck policy"),
            Param("pingpath", String(), "HTTP Ping Path for the health check (none: a TCP connect check)"),
            Param("intervaltime", Integer(), "Amount of time between health checks (1 sec - 20940 sec)"),
            Param("responsetimeout", Integer(), "Time to wait when receiving a response from the health check "
                                                "(2sec - 60 sec)"),
            Param("healthythreshold", Integer(), "Number of consecutive health check success before declaring an "
                                                 "instance healthy"),
            Param("unhealthythreshold", Integer(), "Number of consecutive health check failures before declaring an "
                                                   "instance unhealthy")))

DELETE_LB_HEALTH_CHECK_POLICY = Command(
    "deleteLBHealthCheckPolicy", "Deletes a load balancer HealthCheck policy.", kind=CommandKind.SUCCESS,
    is_async=True, roles=ANY_ROLE, since="4.2.0", java_class=_PACKAGE + "DeleteLBHealthCheckPolicyCmd",
    params=(Param("id", Uuid("LBHealthCheckPolicy"), "the ID of the load balancer HealthCheck policy",
                  required=True),))

LIST_LB_HEALTH_CHECK_POLICIES = Command(
    "listLBHealthCheckPolicies", "Lists load balancer HealthCheck policies.", kind=CommandKind.LIST,
    response=HEALTH_CHECK_RESPONSE, roles=ANY_ROLE, since="4.2.0",
    java_class=_PACKAGE + "ListLBHealthCheckPoliciesCmd", related=_HEALTH_RELATED,
    params=(Param("lbruleid", Uuid("LoadBalancerRule"), "the ID of the load balancer rule", required=True),
            *LIST_PARAMS))


def _params(entries: list[dict[str, str]] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for index, entry in enumerate(entries or []):
        if "name" not in entry or "value" not in entry:
            raise InvalidParameter(f"param[{index}]", "each entry needs both .name and .value")
        out[entry["name"]] = entry["value"]
    return out


@CREATE_LB_STICKINESS_POLICY.prepare
def prepare_stickiness_policy(call: Call, lbruleid: LoadBalancerRuleRow, methodname: str, name: str,
                              description: str | None = None, param: list[dict[str, str]] | None = None) -> str:
    return lb_policies.create_stickiness(call.session, call.caller, call.registry, lbruleid, name=name,
                                         methodname=methodname, description=description, params=_params(param)).uuid


@CREATE_LB_STICKINESS_POLICY.handler
def activate_stickiness_policy(call: Call, id: str, lbruleid: LoadBalancerRuleRow, **_arguments: Any) -> dict[str, Any]:
    policy = scope.load_visible(call.session, call.caller, "LBStickinessPolicy", id, "id")
    lb_policies.activate(call.session, call.registry, call.secrets, policy)
    return stickiness_view(call.session, lbruleid, [policy])


@DELETE_LB_STICKINESS_POLICY.handler
def delete_stickiness_policy(call: Call, id: StickinessPolicyRow) -> None:
    lb_policies.delete(call.session, call.caller, call.registry, call.secrets, id)


@LIST_LB_STICKINESS_POLICIES.handler
def list_stickiness_policies(call: Call, lbruleid: LoadBalancerRuleRow, **_paging: Any) -> ListResult:
    policies = lb_policies.policies_of(call.session, lbruleid, StickinessPolicyRow)
    return ListResult([stickiness_view(call.session, lbruleid, policies)], 1)


@CREATE_LB_HEALTH_CHECK_POLICY.prepare
def prepare_health_check_policy(call: Call, lbruleid: LoadBalancerRuleRow, **policy: Any) -> str:
    return lb_policies.create_health_check(call.session, call.caller, call.registry, lbruleid, **policy).uuid


@CREATE_LB_HEALTH_CHECK_POLICY.handler
def activate_health_check_policy(call: Call, id: str, lbruleid: LoadBalancerRuleRow,
                                 **_arguments: Any) -> dict[str, Any]:
    policy = scope.load_visible(call.session, call.caller, "LBHealthCheckPolicy", id, "id")
    lb_policies.activate(call.session, call.registry, call.secrets, policy)
    return health_check_view(call.session, lbruleid, [policy])


@DELETE_LB_HEALTH_CHECK_POLICY.handler
def delete_health_check_policy(call: Call, id: HealthCheckPolicyRow) -> None:
    lb_policies.delete(call.session, call.caller, call.registry, call.secrets, id)


@LIST_LB_HEALTH_CHECK_POLICIES.handler
def list_health_check_policies(call: Call, lbruleid: LoadBalancerRuleRow, **_paging: Any) -> ListResult:
    policies = lb_policies.policies_of(call.session, lbruleid, HealthCheckPolicyRow)
    return ListResult([health_check_view(call.session, lbruleid, policies)], 1)

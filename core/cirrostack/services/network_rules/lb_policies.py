"""Policies of a load balancer rule: stickiness (createLBStickinessPolicy, ...) and health checks
(createLBHealthCheckPolicy, ...). A rule has at most one of each; both reach the provider with the
rule's set. Stickiness methods are checked against the Lb provider's declared `stickiness_methods`.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import HealthCheckPolicyRow, LoadBalancerRuleRow, Network, RuleState, StickinessPolicyRow
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, scope
from cirrostack.services.context import Caller
from cirrostack.services.network_rules import apply, targets


def _owned_through_rule(model: Any) -> scope.VisibilityRule:
    rule_visible = scope.account_owned(LoadBalancerRuleRow.account_id)

    def rule(statement: Any, caller: Caller) -> Any:
        return statement.where(model.lb_rule_id.in_(rule_visible(select(LoadBalancerRuleRow.id), caller)))

    return rule


scope.register_entity("LBStickinessPolicy", StickinessPolicyRow, _owned_through_rule(StickinessPolicyRow))
scope.register_entity("LBHealthCheckPolicy", HealthCheckPolicyRow, _owned_through_rule(HealthCheckPolicyRow))


def create_stickiness(session: Session, caller: Caller, registry: PluginRegistry, rule: LoadBalancerRuleRow, *,
                      name: str, methodname: str, description: str | None = None,
                      params: dict[str, str] | None = None) -> StickinessPolicyRow:
    """Record the rule's stickiness policy in state Add. Raises InvalidParameter naming `methodname`
    (not declared by the provider) or `lbruleid` (the rule has one already)."""
    network = session.get(Network, rule.network_id)
    provider = targets.require_service(session, registry, "lbruleid", network, NetworkService.LB)
    methods = {method.lower(): method for method in provider.capabilities.lb.stickiness_methods}
    method = methods.get(methodname.strip().lower())
    if method is None:
        raise InvalidParameter("methodname", f"stickiness method {methodname!r} is not supported by provider "
                                             f"{targets.provider_name(provider)}; accepted: "
                                             f"{', '.join(sorted(methods.values())) or 'none'}")
    _lock_rule(session, rule)
    if session.scalar(select(StickinessPolicyRow.id).where(StickinessPolicyRow.lb_rule_id == rule.id)):
        raise InvalidParameter("lbruleid", f"load balancer rule {rule.name} already has a stickiness policy; "
                                           "delete it first")
    policy = StickinessPolicyRow(lb_rule_id=rule.id, account_id=rule.account_id, name=name, description=description,
                                 method=method, params=json.dumps(dict(params or {}), sort_keys=True),
                                 state=RuleState.ADD.value)
    session.add(policy)
    session.flush()
    events.record(session, caller, "LB.STICKINESSPOLICY.CREATE", f"Created stickiness policy {name} ({method}) on "
                  f"load balancer rule {rule.name}", account_id=rule.account_id, domain_id=rule.domain_id,
                  resource_type="LoadBalancerRule", resource_uuid=rule.uuid)
    return policy


def create_health_check(session: Session, caller: Caller, registry: PluginRegistry, rule: LoadBalancerRuleRow, *,
                        description: str | None = None, pingpath: str | None = None,
                        intervaltime: int | None = None, responsetimeout: int | None = None,
                        healthythreshold: int | None = None, unhealthythreshold: int | None = None
                        ) -> HealthCheckPolicyRow:
    """Record the rule's health check policy in state Add. `pingpath` "" (default) checks by TCP connect.
    Raises InvalidParameter naming the parameter (values out of range, a policy already there)."""
    network = session.get(Network, rule.network_id)
    targets.require_service(session, registry, "lbruleid", network, NetworkService.LB)
    interval = _positive("intervaltime", intervaltime, 5, 600)
    timeout = _positive("responsetimeout", responsetimeout, 2, 60)
    if timeout >= interval:
        raise InvalidParameter("responsetimeout", f"{timeout} s must be shorter than intervaltime ({interval} s)")
    path = (pingpath or "").strip()
    if path and not path.startswith("/"):
        raise InvalidParameter("pingpath", f"{path!r} must be an HTTP path starting with /")
    _lock_rule(session, rule)
    if session.scalar(select(HealthCheckPolicyRow.id).where(HealthCheckPolicyRow.lb_rule_id == rule.id)):
        raise InvalidParameter("lbruleid", f"load balancer rule {rule.name} already has a health check policy; "
                                           "delete it first")
    policy = HealthCheckPolicyRow(lb_rule_id=rule.id, account_id=rule.account_id, description=description,
                                  ping_path=path, interval_seconds=interval, timeout_seconds=timeout,
                                  healthy_threshold=_positive("healthythreshold", healthythreshold, 2, 10),
                                  unhealthy_threshold=_positive("unhealthythreshold", unhealthythreshold, 10, 10),
                                  state=RuleState.ADD.value)
    session.add(policy)
    session.flush()
    events.record(session, caller, "LB.HEALTHCHECKPOLICY.CREATE", f"Created health check policy on load balancer "
                  f"rule {rule.name}", account_id=rule.account_id, domain_id=rule.domain_id,
                  resource_type="LoadBalancerRule", resource_uuid=rule.uuid)
    return policy


def activate(session: Session, registry: PluginRegistry, secrets: Any, policy: Any) -> Any:
    """The job step of both creates: push the rule's set with the policy."""
    rule = session.get(LoadBalancerRuleRow, policy.lb_rule_id)
    apply.activate(session, registry, secrets, session.get(Network, rule.network_id), [policy])
    return policy


def delete(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, policy: Any) -> None:
    """Remove a stickiness or health check policy from the provider, then from the database."""
    rule = session.get(LoadBalancerRuleRow, policy.lb_rule_id)
    apply.revoke(session, registry, secrets, session.get(Network, rule.network_id), [policy])
    kind = "STICKINESSPOLICY" if isinstance(policy, StickinessPolicyRow) else "HEALTHCHECKPOLICY"
    events.record(session, caller, f"LB.{kind}.DELETE", f"Deleted policy {policy.uuid} of load balancer rule "
                  f"{rule.name}", account_id=rule.account_id, domain_id=rule.domain_id,
                  resource_type="LoadBalancerRule", resource_uuid=rule.uuid)


def policies_of(session: Session, rule: LoadBalancerRuleRow, model: type) -> list[Any]:
    """The rule's policies of `model` still in force (a list of zero or one)."""
    return list(session.scalars(select(model).where(model.lb_rule_id == rule.id,
                                                    model.state != RuleState.REVOKE.value)))


def _lock_rule(session: Session, rule: LoadBalancerRuleRow) -> None:
    session.execute(update(LoadBalancerRuleRow).where(LoadBalancerRuleRow.id == rule.id)
                    .values(state=LoadBalancerRuleRow.state).execution_options(synchronize_session=False))


def _positive(param: str, value: int | None, default: int, maximum: int) -> int:
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise InvalidParameter(param, f"{value} is out of range 1..{maximum}")
    return value

"""Pushing a network's rules to its providers, always as complete sets.

    push_rules(session, registry, secrets, network)
        Builds the firewall, port forwarding, static NAT and load balancing sets of `network` from
        the database and hands each to the provider the network's offering names for that service.
        restartNetwork and implementing a network call it too, so a rebuilt router converges to the
        same rules.

Every rule change first calls `lock_network(...)`: the network's row is locked (an UPDATE that
changes nothing, whose row lock MariaDB holds until commit and which takes SQLite's write lock), so
two changes on one network push one after the other and the later push always sees the earlier rule.
The push happens inside the transaction: when a provider refuses, the transaction rolls back and
the rule is not left half-made. A rule that an async create recorded (state Add, committed with the
reply) is deleted again when its job's push fails (`undo_creation`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from cirrostack.db.models import Network, NetworkState, RuleState
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.services.network_rules import rule_sets
from cirrostack.services.networks.service_network import provider_for, service_network

log = logging.getLogger(__name__)

#: service -> (provider method, builder of the complete set), in the order they are applied
_SERVICES: tuple[tuple[NetworkService, str, Callable[[Session, Network], Sequence[Any]]], ...] = (
    (NetworkService.FIREWALL, "apply_firewall_rules", rule_sets.firewall_rules),
    (NetworkService.STATIC_NAT, "apply_static_nat_rules", rule_sets.static_nat_rules),
    (NetworkService.PORT_FORWARDING, "apply_port_forwarding_rules", rule_sets.port_forwarding_rules),
    (NetworkService.LB, "apply_lb_rules", rule_sets.lb_rules),
)


def push_rules(session: Session, registry: Any, secrets: Any, network: Network) -> None:
    """Apply the complete firewall, static NAT, port forwarding and load balancing sets of `network`
    to the providers its offering names for those services; a service without a provider is
    skipped. Idempotent. Raises what a provider raises (NetworkRuleConflict, HostUnreachable, ...).
    """
    target = None
    for service, method, build in _SERVICES:
        provider = provider_for(session, registry, network, service)
        if provider is None:
            continue
        if target is None:
            target = service_network(session, network, secrets)
        getattr(provider, method)(target, build(session, network))


def is_implemented(network: Network) -> bool:
    """Rules reach the providers only once the network is implemented; implementing pushes them all."""
    return network.state == NetworkState.IMPLEMENTED


def lock_network(session: Session, network: Network) -> None:
    """Serialise rule changes on `network` until this transaction ends (see the module docstring)."""
    session.execute(update(Network).where(Network.id == network.id).values(state=Network.state)
                    .execution_options(synchronize_session=False))


def apply_change(session: Session, registry: Any, secrets: Any, network: Network) -> None:
    """Push the network's rules after a change written in this transaction (no push while the network
    is not implemented). On failure the transaction is rolled back and the error raised."""
    if not is_implemented(network):
        return
    try:
        push_rules(session, registry, secrets, network)
    except Exception:
        session.rollback()
        raise


def undo_creation(session: Session, registry: Any, secrets: Any, network: Network, rows: Sequence[Any]) -> None:
    """A rule created by an earlier request could not be pushed: delete its rows and push again, so a
    provider that took part of the failed set converges back. A failing second push is logged only."""
    session.rollback()
    lock_network(session, network)
    for row in rows:
        session.delete(row)
    session.commit()
    if not is_implemented(network):
        return
    try:
        lock_network(session, network)
        push_rules(session, registry, secrets, network)
        session.commit()
    except Exception:
        session.rollback()
        log.warning("network %s: re-applying its rules after a failed change failed too", network.uuid,
                    exc_info=True)


def activate(session: Session, registry: Any, secrets: Any, network: Network, rows: Sequence[Any]) -> None:
    """The job step of a create: push the network's rules with the new `rows` (written in state Add by
    an earlier, committed request) and mark them Active. When the push fails the rows are deleted
    (see `undo_creation`) and the error is raised."""
    lock_network(session, network)
    for row in rows:
        row.state = RuleState.ACTIVE.value
    session.flush()
    try:
        apply_change(session, registry, secrets, network)
    except Exception:
        undo_creation(session, registry, secrets, network, rows)
        raise


def revoke(session: Session, registry: Any, secrets: Any, network: Network, rows: Sequence[Any]) -> None:
    """Remove `rows` from the providers, then from the database. When the push fails the transaction
    rolls back, the rows stay Active and the error is raised."""
    lock_network(session, network)
    for row in rows:
        row.state = RuleState.REVOKE.value
    session.flush()
    apply_change(session, registry, secrets, network)
    for row in rows:
        session.delete(row)
    session.flush()

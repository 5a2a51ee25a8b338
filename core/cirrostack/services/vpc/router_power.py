"""startRouter, stopRouter, rebootRouter and destroyRouter on a VPC's router.

A VPC's router serves all of the VPC's tiers at once, so each command acts on every tier the router
serves: stop shuts each implemented tier down on the VpcVirtualRouter and then removes the router (its
namespace); start brings the router up with the VPC's public side (vpc_router), implements each tier that
was implemented before and pushes its whole state again (leases, user data, ACLs, NAT and load balancer
rules); reboot does both. A router of a VPC without tiers in use starts with its public side alone.
Destroy stops the router and removes its row, as CloudStack 4.3 allows; restartVPC (or the next tier
implemented) brings up a new router.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models.networks import Network, NetworkState, Router, RouterState
from cirrostack.db.models.vpc import Vpc
from cirrostack.errors import InvalidState
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks import implement
from cirrostack.services.networks.apply import push_network
from cirrostack.services.vpc import router_rows, tiers, vpc_router


def start(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router) -> Router:
    """Bring the router up again with the VPC's public side, implement again every tier it served and push
    each tier's whole state. Records ROUTER.START. Raises InvalidState when the router is Running."""
    if router.state == RouterState.RUNNING.value:
        raise InvalidState(f"id: router {router.name} is already Running")
    _bring_up(session, registry, secrets, router)
    _event(session, caller, router, "ROUTER.START", f"Started router {router.name}")
    return router


def stop(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router,
         forced: bool = False) -> Router:
    """Take every tier off the router, then remove the router (its namespace). Records ROUTER.STOP.

    Raises InvalidState when the router is already Stopped, unless `forced`."""
    if router.state == RouterState.STOPPED.value and not forced:
        raise InvalidState(f"id: router {router.name} is already Stopped")
    _take_down(session, caller, registry, secrets, router)
    _event(session, caller, router, "ROUTER.STOP", f"Stopped router {router.name}")
    return router


def reboot(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router) -> Router:
    """Stop and start again: the rebuilt router gets every tier's state from the database. Records
    ROUTER.REBOOT. Raises InvalidState unless the router is Running."""
    if router.state != RouterState.RUNNING.value:
        raise InvalidState(f"id: router {router.name} is {router.state}; only a Running router can be rebooted")
    _take_down(session, caller, registry, secrets, router)
    _bring_up(session, registry, secrets, router)
    _event(session, caller, router, "ROUTER.REBOOT", f"Rebooted router {router.name}")
    return router


def destroy(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router) -> Router:
    """Take every tier off the router and remove its row; restartVPC builds a new router. Records
    ROUTER.DESTROY."""
    _take_down(session, caller, registry, secrets, router)
    router.state = RouterState.DESTROYED.value
    router.mark_removed()
    _event(session, caller, router, "ROUTER.DESTROY", f"Destroyed router {router.name}")
    return router


def served_tiers(session: Session, router: Router) -> list[Network]:
    """The tiers the router serves while Running: the VPC's implemented tiers, oldest first."""
    return router_rows.implemented_tiers(session, router.vpc_id)


def _take_down(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router) -> None:
    for tier in router_rows.implemented_tiers(session, router.vpc_id):
        implement.shutdown(session, registry, secrets, tier, caller=caller)
    vpc_router.stop(registry, session.get(Vpc, router.vpc_id))
    router.state = RouterState.STOPPED.value
    session.flush()


def _bring_up(session: Session, registry: PluginRegistry, secrets: Any, router: Router) -> None:
    vpc_router.start(session, registry, session.get(Vpc, router.vpc_id))
    for tier in tiers.tiers_of(session, router.vpc_id):
        if tier.state == NetworkState.ALLOCATED.value:  # never in use: nothing of it to push
            continue
        if tier.state == NetworkState.IMPLEMENTED.value:  # implemented in the database, gone from the router
            tier.state = NetworkState.SHUTDOWN.value
        push_network(session, registry, secrets, tier)


def _event(session: Session, caller: Caller, router: Router, event_type: str, text: str) -> None:
    session.flush()
    record_event(session, caller, event_type, text, account_id=router.account_id, domain_id=router.domain_id,
                 resource_type="DomainRouter", resource_uuid=router.uuid)

"""Virtual routers: listRouters, startRouter, stopRouter, rebootRouter, destroyRouter.

A router is the provider's side of one isolated network; these commands drive it through the
provider contract: start implements the network and pushes its state, stop shuts it down, reboot does
both, destroy shuts it down and removes the Router row (the next restartNetwork or deploy builds a new one).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, NetworkState, Router, RouterState
from cirrostack.db.models.vpc import Vpc
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidState
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks import implement
from cirrostack.services.networks.apply import push_network


def start_router(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router) -> Router:
    """Bring the router's network up on its providers and push its state. Records ROUTER.START."""
    if router.state == RouterState.RUNNING.value:
        raise InvalidState(f"id: router {router.name} is already Running")
    network = _network(session, router)
    if network.state == NetworkState.IMPLEMENTED.value:
        network.state = NetworkState.SHUTDOWN.value
    push_network(session, registry, secrets, network)
    _event(session, caller, router, "ROUTER.START", f"Started router {router.name}")
    return router


def stop_router(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router,
                forced: bool = False) -> Router:
    """Shut the router's network down on its providers; the router becomes Stopped. Records ROUTER.STOP."""
    if router.state == RouterState.STOPPED.value and not forced:
        raise InvalidState(f"id: router {router.name} is already Stopped")
    implement.shutdown(session, registry, secrets, _network(session, router), caller=caller)
    _event(session, caller, router, "ROUTER.STOP", f"Stopped router {router.name}")
    return router


def reboot_router(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router) -> Router:
    """Stop and start again: the rebuilt router gets the whole state from the database. Records ROUTER.REBOOT."""
    if router.state != RouterState.RUNNING.value:
        raise InvalidState(f"id: router {router.name} is {router.state}; only a Running router can be rebooted")
    network = _network(session, router)
    implement.shutdown(session, registry, secrets, network, caller=caller)
    push_network(session, registry, secrets, network)
    _event(session, caller, router, "ROUTER.REBOOT", f"Rebooted router {router.name}")
    return router


def destroy_router(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, router: Router) -> Router:
    """Shut the network down on its providers and remove the router. Records ROUTER.DESTROY."""
    implement.shutdown(session, registry, secrets, _network(session, router), destroy_router=True, caller=caller)
    _event(session, caller, router, "ROUTER.DESTROY", f"Destroyed router {router.name}")
    return router


def list_routers(session: Session, caller: Caller, owners: scope.ListScope, *, id: Router | None = None,
                 name: str | None = None, state: str | None = None, zone: Zone | None = None,
                 network: Network | None = None, keyword: str | None = None, page: int = 1,
                 pagesize: int | None = DEFAULT_PAGE_SIZE, vpc: Vpc | None = None,
                 for_vpc: bool | None = None) -> tuple[list[Router], int]:
    """Routers the caller may see. A VPC tier's `network` finds the VPC's router; `vpc` a VPC's router;
    `for_vpc` True only VPC routers, False only per-network ones."""
    statement = scope.visible(caller, "Router")
    if id is not None:
        statement = statement.where(Router.id == id.id)
    else:
        statement = owners.apply(statement, Router.account_id)
    if name is not None:
        statement = statement.where(func.lower(Router.name) == name.strip().lower())
    if state is not None:
        statement = statement.where(func.lower(Router.state) == state.strip().lower())
    if network is not None and network.vpc_id is not None:
        statement = statement.where(Router.vpc_id == network.vpc_id)
    elif network is not None:
        statement = statement.where(Router.network_id == network.id)
    for column, value in ((Router.zone_id, zone), (Router.vpc_id, vpc)):
        if value is not None:
            statement = statement.where(column == value.id)
    if for_vpc is not None:
        statement = statement.where(Router.vpc_id.is_not(None) if for_vpc else Router.vpc_id.is_(None))
    if keyword:
        statement = statement.where(Router.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Router.id), page, pagesize)


def _network(session: Session, router: Router) -> Network:
    return session.get(Network, router.network_id)


def _event(session: Session, caller: Caller, router: Router, event_type: str, text: str) -> None:
    session.flush()
    record_event(session, caller, event_type, text, account_id=router.account_id, domain_id=router.domain_id,
                 resource_type="DomainRouter", resource_uuid=router.uuid)

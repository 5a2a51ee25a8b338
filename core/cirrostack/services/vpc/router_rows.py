"""The Router row of a VPC's router: one live row per VPC (`routers.vpc_id`), following the router's data plane.

CloudStack 4.3 starts a VPC's router with the VPC (createVPC, unless start=false) and keeps it while the VPC
lives. The row follows: it is created Running when the router is first started (vpc_router.start at
createVPC or restartVPC, or the VPC's first tier implemented, `tier_implemented`), is Stopped by
stopRouter, removed by destroyRouter (the next start creates a new one) and by deleteVPC. Shutting a tier
down leaves the router and its row as they are. This module only keeps the rows and calls no provider.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.networks import Network, NetworkState, Router, RouterState
from cirrostack.db.models.vpc import Vpc
from cirrostack.hookspecs.network_rules import ServiceNetwork

PROVIDER_NAME = "VpcVirtualRouter"


def router_of_vpc(session: Session, vpc_id: int) -> Router | None:
    """The VPC's live router row; None before its router was first started (start=false) or after
    destroyRouter."""
    return session.scalars(select(Router).where(Router.vpc_id == vpc_id, Router.removed.is_(None))).first()


def implemented_tiers(session: Session, vpc_id: int, *, excluding: Network | None = None) -> list[Network]:
    """The VPC's live tiers that are implemented on the router now, oldest first."""
    statement = select(Network).where(Network.vpc_id == vpc_id, Network.removed.is_(None),
                                      Network.state == NetworkState.IMPLEMENTED.value)
    if excluding is not None:
        statement = statement.where(Network.id != excluding.id)
    return list(session.scalars(statement.order_by(Network.id)))


def router_started(session: Session, vpc: Vpc, source_nat_ip: str) -> Router:
    """Record that the VPC's router is up and holds `source_nat_ip`: its row is Running, created when the
    VPC has none (its first start, or after destroyRouter)."""
    router = router_of_vpc(session, vpc.id)
    if router is None:
        router = Router(name="", vpc_id=vpc.id, zone_id=vpc.zone_id, account_id=vpc.account_id,
                        domain_id=vpc.domain_id, provider_name=PROVIDER_NAME, backend="namespace")
        session.add(router)
        session.flush()
        router.name = f"r-{router.id}-VM"
    router.state = RouterState.RUNNING.value
    router.public_ip = source_nat_ip or None
    router.guest_ip = None  # one address per tier: the tiers' gateways, shown as the router's NICs
    session.flush()
    return router


def tier_implemented(session: Session, tier: Network, described: ServiceNetwork) -> Router:
    """Record that `tier` is implemented on its VPC's router, which the provider brought up with it when it
    was not: the router is Running and holds the VPC's source NAT address (as `described` shows it)."""
    return router_started(session, session.get(Vpc, tier.vpc_id), described.source_nat_ip)


def tier_shut_down(session: Session, tier: Network) -> Router | None:
    """Record that `tier` is off its VPC's router. The router keeps running without it (as in CloudStack
    4.3, a VPC's router lives until stopRouter, destroyRouter or deleteVPC), so its row does not change."""
    return router_of_vpc(session, tier.vpc_id)


def remove_with_vpc(session: Session, vpc: Vpc) -> Router | None:
    """Remove the router row of a VPC being deleted (vpcs.delete_vpc removed the router itself first)."""
    router = router_of_vpc(session, vpc.id)
    if router is not None:
        router.state = RouterState.DESTROYED.value
        router.mark_removed()
        session.flush()
    return router

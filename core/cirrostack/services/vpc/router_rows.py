"""The Router row of a VPC's router: one live row per VPC (`routers.vpc_id`), following the router's data plane.

The VpcVirtualRouter brings a VPC's router up with the VPC's first implemented tier and takes it down with
the last one shut down; the row follows: implementing a tier makes it Running (creating it the first time,
or again after destroyRouter), shutting down the VPC's last implemented tier makes it Stopped, and deleteVPC
removes it. The network implementation calls `tier_implemented` and `tier_shut_down`; this module only keeps
the rows and calls no provider.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.networks import Network, NetworkState, Router, RouterState
from cirrostack.db.models.vpc import Vpc
from cirrostack.hookspecs.network_rules import ServiceNetwork

PROVIDER_NAME = "VpcVirtualRouter"


def router_of_vpc(session: Session, vpc_id: int) -> Router | None:
    """The VPC's live router row, None before its first tier was implemented or after destroyRouter."""
    return session.scalars(select(Router).where(Router.vpc_id == vpc_id, Router.removed.is_(None))).first()


def implemented_tiers(session: Session, vpc_id: int, *, excluding: Network | None = None) -> list[Network]:
    """The VPC's live tiers that are implemented on the router now, oldest first."""
    statement = select(Network).where(Network.vpc_id == vpc_id, Network.removed.is_(None),
                                      Network.state == NetworkState.IMPLEMENTED.value)
    if excluding is not None:
        statement = statement.where(Network.id != excluding.id)
    return list(session.scalars(statement.order_by(Network.id)))


def tier_implemented(session: Session, tier: Network, described: ServiceNetwork) -> Router:
    """Record that `tier` is implemented on its VPC's router: the router is Running and holds the VPC's
    source NAT address (as `described` shows it); its row is created when the VPC has none."""
    router = router_of_vpc(session, tier.vpc_id)
    if router is None:
        vpc = session.get(Vpc, tier.vpc_id)
        router = Router(name="", vpc_id=vpc.id, zone_id=vpc.zone_id, account_id=vpc.account_id,
                        domain_id=vpc.domain_id, provider_name=PROVIDER_NAME, backend="namespace")
        session.add(router)
        session.flush()
        router.name = f"r-{router.id}-VM"
    router.state = RouterState.RUNNING.value
    router.public_ip = described.source_nat_ip or None
    router.guest_ip = None  # one address per tier: the tiers' gateways, shown as the router's NICs
    session.flush()
    return router


def tier_shut_down(session: Session, tier: Network) -> Router | None:
    """Record that `tier` is off its VPC's router; the router is Stopped once no other tier is implemented
    (the provider removed the router's namespace with the last tier)."""
    router = router_of_vpc(session, tier.vpc_id)
    if router is not None and not implemented_tiers(session, tier.vpc_id, excluding=tier):
        router.state = RouterState.STOPPED.value
        session.flush()
    return router


def remove_with_vpc(session: Session, vpc: Vpc) -> Router | None:
    """Remove the router row of a VPC being deleted (it has no tiers left, so no data plane either)."""
    router = router_of_vpc(session, vpc.id)
    if router is not None:
        router.state = RouterState.DESTROYED.value
        router.mark_removed()
        session.flush()
    return router

"""Which zones, pods, clusters and hosts a caller may name in a parameter (`Uuid("Zone")` ...).

Every caller may name an enabled zone that is not dedicated, or dedicated to their domain or a
domain above it (listZones shows users these); pods, clusters and hosts are the root admin's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, false, literal, or_, select

from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import AllocationState, Cluster, Host, Pod, Zone
from cirrostack.services.context import Caller
from cirrostack.services.scope import register_entity


def _zone_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    if caller.is_root_admin:
        return statement
    domains_above = select(Domain.id).where(literal(caller.domain_path).startswith(Domain.path))
    return statement.where(Zone.allocation_state == AllocationState.ENABLED.value,
                           or_(Zone.domain_id.is_(None), Zone.domain_id.in_(domains_above)))


def _root_admin_only(statement: Select[Any], caller: Caller) -> Select[Any]:
    return statement if caller.is_root_admin else statement.where(false())


register_entity("Zone", Zone, _zone_rule)
register_entity("Pod", Pod, _root_admin_only)
register_entity("Cluster", Cluster, _root_admin_only)
register_entity("Host", Host, _root_admin_only)

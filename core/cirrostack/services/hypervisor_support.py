"""What the hypervisors of a zone support, checked before a request reaches any host.

A hypervisor plugin declares its support matrix as `HypervisorCapabilities` (Hyper-V in 4.3, for
instance, has no VM snapshots, no VPC and no zone-wide primary storage). Workflows that offer such a
feature call `require_in_zone` or `require_for_type` first; a request the hypervisors cannot honour is
refused with a 432 that names the hypervisor and the feature, and nothing is changed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Cluster
from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import declared_value
from cirrostack.plugins.registry import PluginRegistry


def hypervisor_types_in_zone(session: Session, zone_id: int) -> list[str]:
    """The hypervisor types of the zone's clusters, sorted (empty for a zone without clusters)."""
    rows = session.scalars(select(Cluster.hypervisor_type).where(Cluster.zone_id == zone_id,
                                                                 Cluster.removed.is_(None)).distinct())
    return sorted(row for row in rows if row)


def supports(registry: PluginRegistry, hypervisor_type: str, capability: str) -> bool:
    """Whether `hypervisor_type`'s driver declares `capability` (a HypervisorCapabilities field).

    A type with no installed driver supports nothing."""
    try:
        driver_class = registry.hypervisor_class(hypervisor_type)
    except Exception:  # noqa: BLE001 - an unknown or broken driver declares nothing
        return False
    return bool(declared_value(driver_class.capabilities, capability))


def require_for_type(registry: PluginRegistry, hypervisor_type: str, capability: str, feature: str) -> None:
    """Refuse `feature` (as a person reads it: "VM snapshots", "IPv6") on `hypervisor_type` when its
    driver does not declare `capability`. Raises UnsupportedOperation (432)."""
    if not supports(registry, hypervisor_type, capability):
        raise UnsupportedOperation(f"{feature} is not supported on hypervisor {hypervisor_type}: its plugin "
                                   f"does not declare {capability}")


def require_in_zone(session: Session, registry: PluginRegistry, zone_id: int, capability: str, feature: str,
                    zone_name: str = "") -> None:
    """Refuse `feature` in a zone when any of its clusters runs a hypervisor that does not declare
    `capability`. Raises UnsupportedOperation (432) naming the first such hypervisor and the zone."""
    for hypervisor_type in hypervisor_types_in_zone(session, zone_id):
        if not supports(registry, hypervisor_type, capability):
            where = f" (zone {zone_name or zone_id} has {hypervisor_type} clusters)"
            raise UnsupportedOperation(f"{feature} is not supported on hypervisor {hypervisor_type}{where}: its "
                                       f"plugin does not declare {capability}")


def require_for_vm(session: Session, registry: PluginRegistry, zone_id: int, hypervisor_type: str | None,
                   capability: str, feature: str, zone_name: str = "") -> None:
    """Refuse `feature` for a VM that will run on `hypervisor_type` (its template's or the one asked
    for); when the type is not known yet, on any hypervisor of the zone. Raises UnsupportedOperation."""
    if hypervisor_type:
        require_for_type(registry, hypervisor_type, capability, feature)
    else:
        require_in_zone(session, registry, zone_id, capability, feature, zone_name)


def require_cluster_may_join(session: Session, registry: PluginRegistry, zone_id: int, hypervisor_type: str,
                             zone_name: str = "") -> None:
    """Refuse a cluster of `hypervisor_type` in a zone that has clusters of another type when either
    type does not declare `mixed_hypervisor_zone`. Raises UnsupportedOperation (432)."""
    others = [other for other in hypervisor_types_in_zone(session, zone_id) if other.lower() != hypervisor_type.lower()]
    for first, second in ([(hypervisor_type, other) for other in others] +
                          [(other, hypervisor_type) for other in others]):
        if not supports(registry, first, "mixed_hypervisor_zone"):
            raise UnsupportedOperation(f"A mixed hypervisor zone is not supported on hypervisor {first}: zone "
                                       f"{zone_name or zone_id} would hold {first} and {second} clusters, and the "
                                       f"{first} plugin does not declare mixed_hypervisor_zone")

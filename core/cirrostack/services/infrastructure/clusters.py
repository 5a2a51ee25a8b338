"""Clusters: addCluster, updateCluster, deleteCluster and listClusters."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import AllocationState, Cluster, ClusterType, Host, ManagedState, Pod, Zone
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import hypervisor_support, scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.infrastructure import _checks
from cirrostack.services.infrastructure._hypervisors import installed_type
from cirrostack.services.infrastructure._in_use import refuse_if_in_use, register_in_use_check
from cirrostack.services.security_groups import membership as security_group_membership


def add_cluster(session: Session, caller: Caller, registry: PluginRegistry, *, zone: Zone, pod: Pod,
                clustername: str, clustertype: str, hypervisor: str, allocationstate: str | None = None,
                url: str | None = None) -> Cluster:
    """A new cluster in `pod` (which must be in `zone`) of a hypervisor type an installed plugin
    provides; otherwise 431 naming `hypervisor` and the installed types. Records CLUSTER.CREATE."""
    if pod.zone_id != zone.id:
        raise InvalidParameter("podid", f"pod {pod.name} is in zone {pod.zone.name}, not in zone {zone.name}")
    hypervisor_type = installed_type(registry, hypervisor)
    hypervisor_support.require_cluster_may_join(session, registry, zone.id, hypervisor_type, zone.name)
    security_group_membership.require_cluster_support(registry, zone, hypervisor_type)
    cluster = Cluster(zone_id=zone.id, pod_id=pod.id, name=_unique_name(session, pod, clustername),
                      hypervisor_type=hypervisor_type,
                      cluster_type=_checks.choice("clustertype", clustertype, [t.value for t in ClusterType]),
                      allocation_state=_allocation_state(allocationstate or AllocationState.ENABLED.value),
                      url=url or None)
    session.add(cluster)
    session.flush()
    record_event(session, caller, "CLUSTER.CREATE", f"Added {cluster.hypervisor_type} cluster {cluster.name} to pod "
                                                    f"{pod.name}", resource_type="Cluster", resource_uuid=cluster.uuid)
    return cluster


def update_cluster(session: Session, caller: Caller, cluster: Cluster, **changes: Any) -> Cluster:
    """Change clustername, clustertype, allocationstate or managedstate. The hypervisor type
    cannot change once hosts joined; without hosts CloudStack refuses it too. Records CLUSTER.EDIT."""
    if changes.get("hypervisor") is not None and changes["hypervisor"].strip().lower() != \
            cluster.hypervisor_type.lower():
        raise InvalidParameter("hypervisor", f"cluster {cluster.name} is a {cluster.hypervisor_type} cluster; "
                                             "its hypervisor type cannot be changed")
    if changes.get("clustername") is not None and changes["clustername"].strip().lower() != cluster.name.lower():
        cluster.name = _unique_name(session, cluster.pod, changes["clustername"])
    if changes.get("clustertype") is not None:
        cluster.cluster_type = _checks.choice("clustertype", changes["clustertype"], [t.value for t in ClusterType])
    if changes.get("allocationstate") is not None:
        cluster.allocation_state = _allocation_state(changes["allocationstate"])
    if changes.get("managedstate") is not None:
        cluster.managed_state = _checks.choice("managedstate", changes["managedstate"],
                                               [s.value for s in ManagedState])
    session.flush()
    record_event(session, caller, "CLUSTER.EDIT", f"Updated cluster {cluster.name}", resource_type="Cluster",
                 resource_uuid=cluster.uuid)
    return cluster


def delete_cluster(session: Session, caller: Caller, cluster: Cluster) -> None:
    """Remove a cluster without hosts (else 536 with the reasons). Records CLUSTER.DELETE."""
    refuse_if_in_use(session, "Cluster", cluster)
    cluster.mark_removed()
    session.flush()
    record_event(session, caller, "CLUSTER.DELETE", f"Deleted cluster {cluster.name}", resource_type="Cluster",
                 resource_uuid=cluster.uuid)


def list_clusters(session: Session, caller: Caller, *, id: Cluster | None = None, name: str | None = None,
                  zone: Zone | None = None, pod: Pod | None = None, hypervisor: str | None = None,
                  clustertype: str | None = None, allocationstate: str | None = None,
                  managedstate: str | None = None, keyword: str | None = None, page: int = 1,
                  pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Cluster], int]:
    statement = scope.visible(caller, "Cluster")
    conditions = {Cluster.id: id.id if id else None, Cluster.zone_id: zone.id if zone else None,
                  Cluster.pod_id: pod.id if pod else None}
    for column, value in conditions.items():
        if value is not None:
            statement = statement.where(column == value)
    text_filters = {Cluster.name: name, Cluster.hypervisor_type: hypervisor, Cluster.cluster_type: clustertype,
                    Cluster.allocation_state: allocationstate, Cluster.managed_state: managedstate}
    for column, text in text_filters.items():
        if text is not None:
            statement = statement.where(func.lower(column) == text.strip().lower())
    if keyword:
        statement = statement.where(Cluster.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Cluster.id), page, pagesize)


def _unique_name(session: Session, pod: Pod, name: str) -> str:
    cluster_name = _checks.name("clustername", name)
    taken = session.scalar(select(Cluster.uuid).where(Cluster.pod_id == pod.id, Cluster.removed.is_(None),
                                                      func.lower(Cluster.name) == cluster_name.lower()))
    if taken is not None:
        raise InvalidParameter("clustername", f"pod {pod.name} already has a cluster named {cluster_name} ({taken})")
    return cluster_name


def _allocation_state(value: str) -> str:
    return _checks.choice("allocationstate", value, [s.value for s in AllocationState])


def _hosts_in_cluster(session: Session, cluster: Cluster) -> str | None:
    count = session.scalar(select(func.count(Host.id)).where(Host.cluster_id == cluster.id, Host.removed.is_(None)))
    return f"it still has {count} host(s); delete them first" if count else None


register_in_use_check("Cluster", _hosts_in_cluster)

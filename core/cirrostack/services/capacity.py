"""Capacity of zones, pods and clusters: what listCapacity shows and what capacity alerts watch.

Nothing is cached: every figure is computed when asked, from the live tables, so it stays right
as hosts, pools and stores come and go. Totals come from the infrastructure itself:

    CPU (1)                  hosts' cores x MHz x `cpu.overprovisioning.factor` (cluster scope)
    memory (0)               hosts' memory x `mem.overprovisioning.factor` (cluster scope)
    storage (2)              pools' capacity (physical)
    storage allocated (3)    pools' capacity x `storage.overprovisioning.factor` (pool scope)
    secondary storage (6)    zone image stores' capacity, where their provider reported one

Only hosts whose resource state is Enabled and pools in state Up count (a host in maintenance
or a pool in maintenance offers nothing). What is *used* comes from usage sources, registered
by the areas that own the consumers (VMs on hosts, volumes on pools, templates on stores):

    register_host_usage(fn)         fn(session, host_ids) -> {host_id: HostUsage(cpu_mhz, memory_bytes)}
    register_pool_usage(fn)         fn(session, pool_ids) -> {pool_id: allocated bytes}
    register_image_store_usage(fn)  fn(session, store_ids) -> {store_id: used bytes}

Several sources add up. Physical storage use (type 2) is what a storage provider last reported
(`StoragePool.used_bytes`); until one reports, allocated bytes stand in for it.
IP address and VLAN capacity (types 4, 5, 7, 8) arrive with guest networking.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Cluster, Host, HostType, Pod, ResourceState, Zone
from cirrostack.db.models.storage import ImageStore, PoolState, StoragePool, StoreRole, StoreScope
from cirrostack.services import settings


class CapacityType(enum.IntEnum):
    """CloudStack's capacity types (listCapacity `type`)."""

    MEMORY = 0
    CPU = 1
    STORAGE = 2
    STORAGE_ALLOCATED = 3
    VIRTUAL_NETWORK_PUBLIC_IP = 4
    PRIVATE_IP = 5
    SECONDARY_STORAGE = 6
    VLAN = 7
    DIRECT_ATTACHED_PUBLIC_IP = 8
    LOCAL_STORAGE = 9


class Level(enum.Enum):
    """How far figures are summed: per zone, per pod or per cluster."""

    ZONE = "zone"
    POD = "pod"
    CLUSTER = "cluster"


@dataclass(frozen=True)
class HostUsage:
    cpu_mhz: int = 0
    memory_bytes: int = 0


@dataclass(frozen=True)
class CapacityFigure:
    """One capacity type for one zone, pod or cluster (`pod`/`cluster` None above that level)."""

    type: CapacityType
    zone: Zone
    pod: Pod | None
    cluster: Cluster | None
    total: int
    used: int

    @property
    def fraction_used(self) -> float:
        return self.used / self.total if self.total else 0.0

    @property
    def percent_used(self) -> str:
        """As CloudStack prints it: at most two decimals, no trailing zeros ("12.5", "0")."""
        text = f"{self.fraction_used * 100:.2f}".rstrip("0").rstrip(".")
        return text or "0"


HostUsageSource = Callable[[Session, list[int]], dict[int, HostUsage]]
BytesUsageSource = Callable[[Session, list[int]], dict[int, int]]

_host_sources: list[HostUsageSource] = []
_pool_sources: list[BytesUsageSource] = []
_store_sources: list[BytesUsageSource] = []


def register_host_usage(source: HostUsageSource) -> None:
    """Count what `source` reports as used on hosts (CPU MHz and memory bytes per host id)."""
    if source not in _host_sources:
        _host_sources.append(source)


def register_pool_usage(source: BytesUsageSource) -> None:
    """Count what `source` reports as allocated on primary storage pools (bytes per pool id)."""
    if source not in _pool_sources:
        _pool_sources.append(source)


def register_image_store_usage(source: BytesUsageSource) -> None:
    """Count what `source` reports as used on image stores (bytes per store id)."""
    if source not in _store_sources:
        _store_sources.append(source)


def unregister_usage_source(source: Callable[..., dict[int, object]]) -> None:
    """Stop counting `source` (a source registered under any kind)."""
    for sources in (_host_sources, _pool_sources, _store_sources):
        if source in sources:
            sources.remove(source)  # type: ignore[arg-type]


def host_usage(session: Session, host_ids: list[int]) -> dict[int, HostUsage]:
    """CPU and memory in use per host, summed over every registered source."""
    total: dict[int, HostUsage] = {}
    for source in _host_sources:
        for host_id, usage in source(session, host_ids).items():
            before = total.get(host_id, HostUsage())
            total[host_id] = HostUsage(before.cpu_mhz + usage.cpu_mhz, before.memory_bytes + usage.memory_bytes)
    return total


def pool_allocated_bytes(session: Session, pool_ids: list[int]) -> dict[int, int]:
    """Bytes allocated per primary storage pool, summed over every registered source."""
    return _summed(_pool_sources, session, pool_ids)


def image_store_used_bytes(session: Session, store_ids: list[int]) -> dict[int, int]:
    """Bytes used per image store, summed over every registered source."""
    return _summed(_store_sources, session, store_ids)


def _summed(sources: Iterable[BytesUsageSource], session: Session, ids: list[int]) -> dict[int, int]:
    total: dict[int, int] = defaultdict(int)
    for source in sources:
        for key, used in source(session, ids).items():
            total[key] += used
    return dict(total)


def pool_used_bytes(pool: StoragePool, allocated: int) -> int:
    """Physical use of a pool: its provider's last report, else what is allocated on it."""
    return pool.used_bytes if pool.used_bytes is not None else allocated


# -- figures -------------------------------------------------------------------------------------


def cluster_figures(session: Session, *, zone_id: int | None = None, pod_id: int | None = None,
                    cluster_id: int | None = None) -> list[CapacityFigure]:
    """The finest figures: per cluster for hosts and cluster-wide pools, per zone for zone-wide
    pools and image stores (those have no pod or cluster, and are left out when `pod_id` or
    `cluster_id` narrows the question)."""
    narrow = pod_id is not None or cluster_id is not None
    figures = _host_figures(session, zone_id, pod_id, cluster_id) + _pool_figures(session, zone_id, pod_id,
                                                                                 cluster_id)
    if not narrow:
        figures += _secondary_figures(session, zone_id)
    return figures


def figures(session: Session, level: Level, *, zone_id: int | None = None, pod_id: int | None = None,
            cluster_id: int | None = None, capacity_type: int | None = None) -> list[CapacityFigure]:
    """Figures summed to `level`, ordered by zone, pod, cluster and type. Zone-wide storage shows
    only at zone level: it belongs to no pod or cluster."""
    found = [figure for figure in cluster_figures(session, zone_id=zone_id, pod_id=pod_id, cluster_id=cluster_id)
             if (capacity_type is None or figure.type == capacity_type)
             and (level is Level.ZONE or figure.pod is not None)]
    return sorted(_summed_to(found, level), key=lambda f: (f.zone.name, f.pod.name if f.pod else "",
                                                           f.cluster.name if f.cluster else "", int(f.type)))


def top_consumed(session: Session, *, zone_id: int | None = None, pod_id: int | None = None,
                 cluster_id: int | None = None, capacity_type: int | None = None) -> list[CapacityFigure]:
    """listCapacity sortby=usage: per cluster (per zone for zone-wide storage and secondary
    storage), fullest first."""
    found = [figure for figure in cluster_figures(session, zone_id=zone_id, pod_id=pod_id, cluster_id=cluster_id)
             if capacity_type is None or figure.type == capacity_type]
    return sorted(_summed_to(found, Level.CLUSTER),
                  key=lambda figure: (-figure.fraction_used, figure.zone.name, int(figure.type)))


def _summed_to(found: list[CapacityFigure], level: Level) -> list[CapacityFigure]:
    summed: dict[tuple[CapacityType, int, int | None, int | None], CapacityFigure] = {}
    for figure in found:
        pod = figure.pod if level is not Level.ZONE else None
        cluster = figure.cluster if level is Level.CLUSTER else None
        key = (figure.type, figure.zone.id, pod.id if pod else None, cluster.id if cluster else None)
        before = summed.get(key)
        total, used = figure.total + (before.total if before else 0), figure.used + (before.used if before else 0)
        summed[key] = CapacityFigure(figure.type, figure.zone, pod, cluster, total, used)
    return list(summed.values())


def _host_figures(session: Session, zone_id: int | None, pod_id: int | None,
                  cluster_id: int | None) -> list[CapacityFigure]:
    statement = select(Host).where(Host.removed.is_(None), Host.type == HostType.ROUTING.value,
                                   Host.resource_state == ResourceState.ENABLED.value)
    statement = _narrowed(statement, Host, zone_id, pod_id, cluster_id)
    hosts = list(session.scalars(statement))
    usage = host_usage(session, [host.id for host in hosts])
    by_cluster: dict[int, list[Host]] = defaultdict(list)
    for host in hosts:
        by_cluster[host.cluster_id].append(host)
    out: list[CapacityFigure] = []
    for members in by_cluster.values():
        cluster = members[0].cluster
        cpu_factor = float(settings.value(session, "cpu.overprovisioning.factor", cluster_id=cluster.id))
        memory_factor = float(settings.value(session, "mem.overprovisioning.factor", cluster_id=cluster.id))
        cpu_total = sum(host.cpu_cores * host.cpu_speed_mhz for host in members)
        memory_total = sum(host.memory_bytes for host in members)
        cpu_used = sum(usage.get(host.id, HostUsage()).cpu_mhz for host in members)
        memory_used = sum(usage.get(host.id, HostUsage()).memory_bytes for host in members)
        out.append(CapacityFigure(CapacityType.CPU, cluster.zone, cluster.pod, cluster, int(cpu_total * cpu_factor),
                                  cpu_used))
        out.append(CapacityFigure(CapacityType.MEMORY, cluster.zone, cluster.pod, cluster,
                                  int(memory_total * memory_factor), memory_used))
    return out


def _pool_figures(session: Session, zone_id: int | None, pod_id: int | None,
                  cluster_id: int | None) -> list[CapacityFigure]:
    statement = select(StoragePool).where(StoragePool.removed.is_(None), StoragePool.state == PoolState.UP.value)
    statement = _narrowed(statement, StoragePool, zone_id, pod_id, cluster_id)
    pools = list(session.scalars(statement))
    allocated = pool_allocated_bytes(session, [pool.id for pool in pools])
    out: list[CapacityFigure] = []
    for pool in pools:
        factor = float(settings.value(session, "storage.overprovisioning.factor", storage_id=pool.id))
        pool_allocated = allocated.get(pool.id, 0)
        pod, cluster = (None, None) if pool.scope == StoreScope.ZONE.value else (pool.pod, pool.cluster)
        out.append(CapacityFigure(CapacityType.STORAGE, pool.zone, pod, cluster, pool.capacity_bytes,
                                  pool_used_bytes(pool, pool_allocated)))
        out.append(CapacityFigure(CapacityType.STORAGE_ALLOCATED, pool.zone, pod, cluster,
                                  int(pool.capacity_bytes * factor), pool_allocated))
    return out


def _secondary_figures(session: Session, zone_id: int | None) -> list[CapacityFigure]:
    statement = select(ImageStore).where(ImageStore.removed.is_(None), ImageStore.zone_id.is_not(None),
                                         ImageStore.role == StoreRole.IMAGE.value,
                                         ImageStore.capacity_bytes.is_not(None))
    if zone_id is not None:
        statement = statement.where(ImageStore.zone_id == zone_id)
    stores = list(session.scalars(statement))
    counted = image_store_used_bytes(session, [store.id for store in stores])
    return [CapacityFigure(CapacityType.SECONDARY_STORAGE, store.zone, None, None, store.capacity_bytes or 0,
                           store.used_bytes if store.used_bytes is not None else counted.get(store.id, 0))
            for store in stores if store.zone is not None]


def _narrowed(statement, model, zone_id: int | None, pod_id: int | None, cluster_id: int | None):
    if zone_id is not None:
        statement = statement.where(model.zone_id == zone_id)
    if pod_id is not None:
        statement = statement.where(model.pod_id == pod_id)
    if cluster_id is not None:
        statement = statement.where(model.cluster_id == cluster_id)
    return statement


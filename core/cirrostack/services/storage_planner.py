"""Primary storage allocation: which pool a volume goes to, without ever overcommitting a pool.

A pool is a candidate for a volume of a zone (and, for a VM's volume, of the VM's cluster) when it
is live, Up, either zone-wide or in that cluster, and carries every storage tag asked for. Candidates
are tried first-fit in id order (CloudStack's FirstFitAllocator); one fits when the bytes already
allocated on it plus the new volume stay within `capacity x storage.overprovisioning.factor`.

Concurrency: before counting what a pool holds, the caller's transaction takes the pool's row lock
with a no-op UPDATE. On MariaDB that is an InnoDB row lock and, under READ COMMITTED, the count that
follows sees every volume committed before the lock was granted; on SQLite the UPDATE takes the
database's write lock, so writers are serialised. Two concurrent allocations on one pool therefore
count each other's volumes, and the second is refused when the first filled the pool. Pools are
locked in id order, so two allocations never wait on each other in a cycle.

What a pool holds is the sum of `size_bytes` of the live volumes placed on it; that is also what
capacity reports as allocated storage (the source is registered below).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, lazyload

from cirrostack.db.models.compute import Volume
from cirrostack.db.models.infrastructure import Cluster, Zone
from cirrostack.db.models.storage import PoolState, StoragePool, StoreScope
from cirrostack.errors import InsufficientCapacity
from cirrostack.services import capacity, settings


def allocated_bytes(session: Session, pool_ids: list[int]) -> dict[int, int]:
    """Bytes of live volumes per pool (the capacity source for primary storage)."""
    if not pool_ids:
        return {}
    rows = session.execute(select(Volume.pool_id, func.coalesce(func.sum(Volume.size_bytes), 0))
                           .where(Volume.pool_id.in_(pool_ids), Volume.removed.is_(None))
                           .group_by(Volume.pool_id))
    return {pool_id: int(total) for pool_id, total in rows}


def candidate_pools(session: Session, zone_id: int, cluster_id: int | None, tags: Iterable[str] = (),
                    hypervisor_type: str | None = None) -> list[StoragePool]:
    """Up pools of the zone a volume may go to, in id order: zone-wide ones (for `hypervisor_type`
    when given) and those of `cluster_id` (any cluster's when None), each carrying every tag."""
    statement = select(StoragePool).where(StoragePool.removed.is_(None), StoragePool.zone_id == zone_id,
                                          StoragePool.state == PoolState.UP.value)
    zone_wide = StoragePool.scope == StoreScope.ZONE.value
    if hypervisor_type is not None:
        zone_wide = zone_wide & or_(StoragePool.hypervisor_type.is_(None),
                                    StoragePool.hypervisor_type == hypervisor_type)
    if cluster_id is not None:
        statement = statement.where(or_(zone_wide, StoragePool.cluster_id == cluster_id))
    wanted = {tag.strip() for tag in tags if tag.strip()}
    pools = session.scalars(statement.order_by(StoragePool.id).options(lazyload("*"))).all()
    return [pool for pool in pools if not wanted or wanted <= set(pool.tag_names)]


def allocatable_bytes(session: Session, pool: StoragePool) -> int:
    """What may be provisioned from `pool` in all: its capacity times the overprovisioning factor."""
    factor = float(settings.value(session, "storage.overprovisioning.factor", storage_id=pool.id))
    return int(pool.capacity_bytes * factor)


def lock_pool(session: Session, pool: StoragePool) -> None:
    """Hold `pool`'s row lock until the transaction ends (see the module docstring)."""
    session.execute(update(StoragePool).where(StoragePool.id == pool.id).values(state=StoragePool.state)
                    .execution_options(synchronize_session=False))


def fits(session: Session, pool: StoragePool, extra_bytes: int) -> bool:
    """Lock `pool`, then tell whether `extra_bytes` more still fit on it."""
    lock_pool(session, pool)
    held = allocated_bytes(session, [pool.id]).get(pool.id, 0)
    return held + extra_bytes <= allocatable_bytes(session, pool)


def pick_pool(session: Session, zone_id: int, cluster_id: int | None, size_bytes: int, tags: Iterable[str] = (),
              hypervisor_type: str | None = None) -> StoragePool:
    """The first candidate pool with room for `size_bytes`, locked for the rest of the transaction.

    The caller must place its volume on the pool (set `pool_id` and flush) in the same transaction.
    Raises InsufficientCapacity naming the zone, the size and the tags when no pool has room."""
    tags = [tag for tag in tags if tag.strip()]
    for pool in candidate_pools(session, zone_id, cluster_id, tags, hypervisor_type):
        if fits(session, pool, size_bytes):
            return pool
    wanted = f" with tags {','.join(tags)}" if tags else ""
    zone = session.get(Zone, zone_id)
    cluster = session.get(Cluster, cluster_id) if cluster_id is not None else None
    where = f"cluster {cluster.name} or zone-wide in " if cluster is not None else ""
    raise InsufficientCapacity(f"insufficient capacity: no Up primary storage pool{wanted} in {where}zone "
                               f"{zone.name if zone else zone_id} has room for {size_bytes} bytes")


def split_tags(text: str | None) -> list[str]:
    """Storage tags as offerings hold them (comma-separated) as a list."""
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


capacity.register_pool_usage(allocated_bytes)

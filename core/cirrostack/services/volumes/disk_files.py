"""Removing a volume's file from its pool through the hypervisor (`driver.delete_disk`).

A ROOT volume's file goes when its VM is expunged, a data volume's when the volume is deleted. The
hypervisor is asked on an Up host that reaches the volume's pool: the VM's last host when it does,
else any Up host of the pool's cluster (of the zone for a zone-wide pool), the pool's hypervisor first.

The call is made before the volume's row changes, in the same transaction: when it fails, the error
reaches the caller and the transaction is rolled back, so the row stays as it was and the same request
can simply be repeated (deleteVolume again; for a ROOT volume expungeVirtualMachine again, or the
expunger's next round). A volume that never got a pool (Allocated) has no file and needs no call.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import Volume, VolumeType
from cirrostack.db.models.infrastructure import Host, HostState, HostType
from cirrostack.db.models.storage import StoragePool, StoreScope
from cirrostack.errors import ResourceUnavailable
from cirrostack.services.volumes.vm_volumes import disk_spec


def delete_disk_file(session: Session, drivers: Any, volume: Volume, last_host: Host | None = None) -> Host | None:
    """Ask the hypervisor to remove `volume`'s file on its pool; returns the host asked (None: no file).

    `drivers` is a `services.vms.lifecycle.Drivers`. Raises ResourceUnavailable naming the pool when
    no Up host reaches it, and whatever the driver raises (HostUnreachable, ...)."""
    if volume.pool_id is None:
        return None
    if drivers is None:
        raise TypeError(f"deleting the file of volume {volume.uuid} needs the hypervisor drivers")
    pool = session.get(StoragePool, volume.pool_id)
    host = host_reaching(session, pool, last_host)
    if host is None:
        raise ResourceUnavailable(f"Unable to delete the file of volume {volume.name} ({volume.uuid}): no host that "
                                  f"reaches primary storage pool {pool.name} is Up; the volume is kept as it was, "
                                  f"retry once a host of the pool's {_where(pool)} is Up")
    driver, ref = drivers.for_host(host)
    driver.delete_disk(ref, disk_spec(session, volume, drivers.secrets))
    return host


def host_reaching(session: Session, pool: StoragePool, preferred: Host | None = None) -> Host | None:
    """An Up routing host that reaches `pool`: `preferred` when it does, else the first of the pool's
    cluster (zone for a zone-wide pool), hosts of the pool's hypervisor type first."""
    if preferred is not None and _reaches(preferred, pool):
        return preferred
    statement = select(Host).where(Host.removed.is_(None), Host.state == HostState.UP.value,
                                   Host.type == HostType.ROUTING.value, Host.zone_id == pool.zone_id)
    if pool.scope != StoreScope.ZONE.value and pool.cluster_id is not None:
        statement = statement.where(Host.cluster_id == pool.cluster_id)
    if pool.hypervisor_type:
        statement = statement.order_by(case((Host.hypervisor_type == pool.hypervisor_type, 0), else_=1), Host.id)
    else:
        statement = statement.order_by(Host.id)
    return session.scalars(statement.limit(1)).first()


def _reaches(host: Host, pool: StoragePool) -> bool:
    if host.removed is not None or host.state != HostState.UP.value or host.zone_id != pool.zone_id:
        return False
    return pool.scope == StoreScope.ZONE.value or pool.cluster_id is None or host.cluster_id == pool.cluster_id


def _where(pool: StoragePool) -> str:
    return "zone" if pool.scope == StoreScope.ZONE.value or pool.cluster_id is None else "cluster"


def delete_root_disk_files(session: Session, drivers: Any, vm: Any, last_host: Host | None) -> None:
    """Expunging `vm`: remove its ROOT volume's file, on `last_host` (the VM's last host) when it reaches the pool."""
    for volume in session.scalars(select(Volume).where(Volume.vm_id == vm.id, Volume.removed.is_(None),
                                                       Volume.volume_type == VolumeType.ROOT.value)):
        delete_disk_file(session, drivers, volume, last_host)

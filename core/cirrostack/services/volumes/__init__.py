"""Volumes: a VM's ROOT volume, data volumes, attach/detach, resize, delete and listing.

Every volume is owned by an account (tenants see only their own, as for VMs). Pool space is taken
through the storage planner (`cirrostack.services.storage_planner`), which never overcommits a pool;
limits (`volume`, `primary_storage`) and usage events (VOLUME.CREATE, VOLUME.RESIZE, VOLUME.DELETE)
follow every change. A pool holding live volumes cannot be deleted (registered below).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import Volume, VolumeState
from cirrostack.db.models.storage import StoragePool
from cirrostack.services import scope, storage_pools
from cirrostack.services.volumes.attachment import attach_volume, detach_volume, max_data_volumes
from cirrostack.services.volumes.data_volumes import create_volume, delete_volume, resize_volume
from cirrostack.services.volumes.listing import list_volumes
from cirrostack.services.volumes.vm_volumes import (
    create_root_volume,
    disk_specs,
    recover_vm_volumes,
    release_vm_volumes,
    root_size_bytes,
    vm_volumes,
)


def _volumes_on_pool(session: Session, pool: StoragePool, forced: bool) -> str | None:
    statement = select(func.count()).select_from(Volume).where(Volume.pool_id == pool.id, Volume.removed.is_(None))
    if forced:
        statement = statement.where(Volume.state != VolumeState.DESTROY.value)
    held = session.scalar(statement) or 0
    return f"it holds {held} volume(s)" if held else None


storage_pools.register_pool_user(_volumes_on_pool)
scope.register_entity("Volume", Volume, scope.account_owned(Volume.account_id))

__all__ = ["attach_volume", "create_root_volume", "create_volume", "delete_volume", "detach_volume", "disk_specs",
           "list_volumes", "max_data_volumes", "recover_vm_volumes", "release_vm_volumes", "resize_volume",
           "root_size_bytes", "vm_volumes"]

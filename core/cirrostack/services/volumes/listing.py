"""listVolumes: the volumes a caller may see, narrowed by its filters, one page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, Volume
from cirrostack.db.models.storage import StoragePool
from cirrostack.db.paging import fetch_page
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.scope import ListScope


def list_volumes(session: Session, caller: Caller, owners: ListScope, *, uuid: str | None = None,
                 name: str | None = None, vm: VirtualMachine | None = None, volume_type: str | None = None,
                 zone_id: int | None = None, pod_id: int | None = None, host_id: int | None = None,
                 pool_id: int | None = None, keyword: str | None = None, page: int = 1,
                 pagesize: int | None = None) -> tuple[list[Volume], int]:
    """Live volumes visible to `caller` within `owners`, newest first, and their total count.
    `host_id` means the volumes of the VMs placed on that host; `pod_id` those on its pools."""
    statement: Select[Any] = owners.apply(scope.visible(caller, "Volume"), Volume.account_id)
    if uuid is not None:
        statement = statement.where(Volume.uuid == uuid)
    if name is not None:
        statement = statement.where(Volume.name == name)
    if vm is not None:
        statement = statement.where(Volume.vm_id == vm.id)
    if volume_type is not None:
        statement = statement.where(Volume.volume_type == volume_type.upper())
    if zone_id is not None:
        statement = statement.where(Volume.zone_id == zone_id)
    if pool_id is not None:
        statement = statement.where(Volume.pool_id == pool_id)
    if host_id is not None:
        statement = statement.where(Volume.vm_id.in_(select(VirtualMachine.id).where(
            or_(VirtualMachine.host_id == host_id, VirtualMachine.last_host_id == host_id))))
    if pod_id is not None:
        statement = statement.where(Volume.pool_id.in_(select(StoragePool.id).where(StoragePool.pod_id == pod_id)))
    if keyword:
        statement = statement.where(Volume.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Volume.id.desc()), page, pagesize)

"""enableStorageMaintenance and cancelStorageMaintenance (async, with 4.3's irregular response names)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.storage._views import STORAGE_POOL_RESPONSE, pool_view
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models.storage import StoragePool
from cirrostack.services import storage_pools
from cirrostack.services.context import ROOT_ADMIN

_PACKAGE = "org.apache.cloudstack.api.command.admin.storage."

ENABLE_STORAGE_MAINTENANCE = Command(
    "enableStorageMaintenance", "Puts storage pool into maintenance state", response=STORAGE_POOL_RESPONSE,
    is_async=True, roles=ROOT_ADMIN, java_class=_PACKAGE + "PreparePrimaryStorageForMaintenanceCmd",
    response_name="prepareprimarystorageformaintenanceresponse", related=("listStoragePools",),
    params=(Param("id", Uuid("StoragePool"), "Primary storage ID", required=True),))

CANCEL_STORAGE_MAINTENANCE = Command(
    "cancelStorageMaintenance", "Cancels maintenance for primary storage", response=STORAGE_POOL_RESPONSE,
    is_async=True, roles=ROOT_ADMIN, java_class=_PACKAGE + "CancelPrimaryStorageMaintenanceCmd",
    response_name="cancelprimarystoragemaintenanceresponse", related=("listStoragePools",),
    params=(Param("id", Uuid("StoragePool"), "the primary storage ID", required=True),))


@ENABLE_STORAGE_MAINTENANCE.handler
def enable_storage_maintenance(call: Call, id: StoragePool) -> dict[str, Any]:
    return pool_view(call.session, storage_pools.enable_maintenance(call.session, call.caller, id))


@CANCEL_STORAGE_MAINTENANCE.handler
def cancel_storage_maintenance(call: Call, id: StoragePool) -> dict[str, Any]:
    return pool_view(call.session, storage_pools.cancel_maintenance(call.session, call.caller, id))

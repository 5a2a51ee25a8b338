"""createStoragePool, listStoragePools, updateStoragePool, deleteStoragePool."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.storage._views import STORAGE_POOL_RESPONSE, pool_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, ListOf, Long, Map, String, Uuid
from cirrostack.db.models.infrastructure import Cluster, Pod, Zone
from cirrostack.db.models.storage import StoragePool
from cirrostack.errors import InvalidParameter
from cirrostack.services import storage_pools
from cirrostack.services.context import ROOT_ADMIN

_PACKAGE = "org.apache.cloudstack.api.command.admin.storage."
_RELATED = ("createStoragePool", "listStoragePools", "updateStoragePool", "enableStorageMaintenance",
            "cancelStorageMaintenance")

CREATE_STORAGE_POOL = Command(
    "createStoragePool", "Creates a storage pool.", response=STORAGE_POOL_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "CreateStoragePoolCmd", related=_RELATED,
    params=(Param("name", String(), "the name for the storage pool", required=True),
            Param("url", String(length=2048), "the URL of the storage pool: nfs://host/path, iscsi://host/iqn/lun, "
                                              "SharedMountPoint:///path, rbd://user:secret@monitor/pool, "
                                              "cifs://host/share (SMB, with details user, password, domain), ...",
                  required=True),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the storage pool", required=True),
            Param("podid", Uuid("Pod"), "the Pod ID for the storage pool"),
            Param("clusterid", Uuid("Cluster"), "the cluster ID for the storage pool"),
            Param("scope", String(), "the scope of the storage: cluster (default) or zone"),
            Param("hypervisor", String(), "hypervisor type of the hosts in zone that will be attached to this storage "
                                          "pool; required for scope=zone"),
            Param("tags", ListOf(String()), "the tags for the storage pool"),
            Param("details", Map(), "the details for the storage pool (details[0].user=..&details[0].password=..)"),
            Param("provider", String(), "the storage provider name (default DefaultPrimary)"),
            Param("capacitybytes", Long(minimum=0), "bytes CloudStack can provision from this storage pool"),
            Param("capacityiops", Long(minimum=0), "IOPS CloudStack can provision from this storage pool"),
            Param("managed", Boolean(), "whether the storage should be managed by CloudStack")))

LIST_STORAGE_POOLS = Command(
    "listStoragePools", "Lists storage pools.", kind=CommandKind.LIST, response=STORAGE_POOL_RESPONSE,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "ListStoragePoolsCmd", related=_RELATED,
    params=(Param("id", Uuid("StoragePool", load=False), "the ID of the storage pool"),
            Param("name", String(), "the name of the storage pool"),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the storage pool"),
            Param("podid", Uuid("Pod"), "the Pod ID for the storage pool"),
            Param("clusterid", Uuid("Cluster"), "list storage pools belongig to the specific cluster"),
            Param("ipaddress", String(), "the IP address for the storage pool"),
            Param("path", String(), "the storage pool path"),
            Param("scope", String(), "the scope of the storage pool: cluster or zone"),
            *LIST_PARAMS))

UPDATE_STORAGE_POOL = Command(
    "updateStoragePool", "Updates a storage pool.", response=STORAGE_POOL_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateStoragePoolCmd", related=_RELATED,
    params=(Param("id", Uuid("StoragePool"), "the Id of the storage pool", required=True),
            Param("tags", ListOf(String()), "comma-separated list of tags for the storage pool; replaces the tags"),
            Param("capacitybytes", Long(minimum=0), "bytes CloudStack can provision from this storage pool"),
            Param("capacityiops", Long(minimum=0), "IOPS CloudStack can provision from this storage pool")))

DELETE_STORAGE_POOL = Command(
    "deleteStoragePool", "Deletes a storage pool.", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeleteStoragePoolCmd",
    params=(Param("id", Uuid("StoragePool"), "Storage pool id", required=True),
            Param("forced", Boolean(), "Force destroy storage pool (ignore volumes that are destroyed but not yet "
                                       "expunged)")))


def flattened_details(entries: list[dict[str, str]] | None) -> dict[str, str]:
    """createStoragePool's flattened map (`details[0].user=u&details[1].password=p`) as one dict;
    the key/value form (`details[0].key=user&details[0].value=u`) is understood as well."""
    out: dict[str, str] = {}
    for index, entry in enumerate(entries or []):
        if set(entry) == {"key", "value"}:
            out[entry["key"]] = entry["value"]
            continue
        for key, value in entry.items():
            if key in out and out[key] != value:
                raise InvalidParameter(f"details[{index}].{key}", "given twice with different values")
            out[key] = value
    return out


@CREATE_STORAGE_POOL.handler
def create_storage_pool(call: Call, name: str, url: str, zoneid: Zone, podid: Pod | None = None,
                        clusterid: Cluster | None = None, tags: list[str] | None = None,
                        details: list[dict[str, str]] | None = None, capacitybytes: int | None = None,
                        capacityiops: int | None = None, managed: bool = False, **options: Any) -> dict[str, Any]:
    pool = storage_pools.create_pool(
        call.session, call.caller, call.registry, call.secrets, name=name, url=url, zone=zoneid, pod=podid,
        cluster=clusterid, scope=options.get("scope"), hypervisor=options.get("hypervisor"), tags=tags or (),
        details=flattened_details(details), provider=options.get("provider"), capacity_bytes=capacitybytes,
        capacity_iops=capacityiops, managed=managed)
    return pool_view(call.session, pool)


@LIST_STORAGE_POOLS.handler
def list_storage_pools(call: Call, id: str | None = None, name: str | None = None, zoneid: Zone | None = None,
                       podid: Pod | None = None, clusterid: Cluster | None = None, ipaddress: str | None = None,
                       path: str | None = None, scope: str | None = None, keyword: str | None = None,
                       **_paging: Any) -> ListResult:
    rows, count = storage_pools.list_pools(call.session, uuid=id, name=name, zone=zoneid, pod=podid,
                                           cluster=clusterid, ip_address=ipaddress, path=path, scope=scope,
                                           keyword=keyword, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([pool_view(call.session, row) for row in rows], count)


@UPDATE_STORAGE_POOL.handler
def update_storage_pool(call: Call, id: StoragePool, tags: list[str] | None = None, capacitybytes: int | None = None,
                        capacityiops: int | None = None) -> dict[str, Any]:
    pool = storage_pools.update_pool(call.session, call.caller, id, tags=tags, capacity_bytes=capacitybytes,
                                     capacity_iops=capacityiops)
    return pool_view(call.session, pool)


@DELETE_STORAGE_POOL.handler
def delete_storage_pool(call: Call, id: StoragePool, forced: bool = False) -> None:
    storage_pools.delete_pool(call.session, call.caller, call.registry, call.secrets, id, forced=forced)

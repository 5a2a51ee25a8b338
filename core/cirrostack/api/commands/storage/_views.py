"""How storage pools, image stores and storage providers look on the API (CloudStack 4.3 fields).

Secret details (passwords, secret keys) are never shown: their value reads as a mask.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models.storage import ImageStore, StoragePool
from cirrostack.db.timestamps import to_api
from cirrostack.services import settings
from cirrostack.services.capacity import pool_allocated_bytes, pool_used_bytes

MASK = "********"

STORAGE_POOL_RESPONSE = Response("storagepool", (
    Field("id", "string", "the ID of the storage pool"),
    Field("name", "string", "the name of the storage pool"),
    Field("zoneid", "string", "the Zone ID of the storage pool"),
    Field("zonename", "string", "the Zone name of the storage pool"),
    Field("podid", "string", "the Pod ID of the storage pool"),
    Field("podname", "string", "the Pod name of the storage pool"),
    Field("clusterid", "string", "the ID of the cluster for the storage pool"),
    Field("clustername", "string", "the name of the cluster for the storage pool"),
    Field("ipaddress", "string", "the IP address of the storage pool"),
    Field("path", "string", "the storage pool path"),
    Field("created", "date", "the date and time the storage pool was created"),
    Field("type", "string", "the storage pool type"),
    Field("state", "storagepoolstatus", "the state of the storage pool"),
    Field("scope", "string", "the scope of the storage pool"),
    Field("hypervisor", "hypervisortype", "the hypervisor type of the storage pool"),
    Field("provider", "string", "the storage provider of the pool"),
    Field("tags", "string", "the tags for the storage pool"),
    Field("disksizetotal", "long", "the total disk size of the storage pool"),
    Field("disksizeallocated", "long", "the host's currently allocated disk size"),
    Field("disksizeused", "long", "the host's currently used disk size"),
    Field("capacityiops", "long", "IOPS CloudStack can provision from this storage pool"),
    Field("overprovisionfactor", "string", "the overprovisionfactor for the storage pool"),
    Field("details", "map", "the details of the storage pool; secret values are masked"),
), instance_type="StoragePool")

IMAGE_STORE_RESPONSE = Response("imagestore", (
    Field("id", "string", "the ID of the image store"),
    Field("name", "string", "the name of the image store"),
    Field("zoneid", "string", "the Zone ID of the image store"),
    Field("zonename", "string", "the Zone name of the image store"),
    Field("url", "string", "the url of the image store"),
    Field("protocol", "string", "the protocol of the image store"),
    Field("providername", "string", "the provider name of the image store"),
    Field("scope", "scopetype", "the scope of the image store"),
    Field("details", "set", "the details of the image store", children=(
        Field("name", "string", "detail property name of the image store"),
        Field("value", "string", "detail property value of the image store; secret values are masked"),
    )),
), instance_type="ImageStore")

STORAGE_PROVIDER_RESPONSE = Response("dataStoreProvider", (
    Field("name", "string", "the name of the storage provider"),
    Field("type", "string", "the type of the storage provider"),
))


def pool_view(session: Session, pool: StoragePool) -> dict[str, Any]:
    allocated = pool_allocated_bytes(session, [pool.id]).get(pool.id, 0)
    factor = settings.value(session, "storage.overprovisioning.factor", storage_id=pool.id)
    view: dict[str, Any] = {
        "id": pool.uuid, "name": pool.name, "zoneid": pool.zone.uuid, "zonename": pool.zone.name,
        "ipaddress": pool.host_address, "path": pool.path, "created": to_api(pool.created), "type": pool.pool_type,
        "state": pool.state, "scope": pool.scope, "provider": pool.provider,
        "disksizetotal": pool.capacity_bytes, "disksizeallocated": allocated,
        "disksizeused": pool_used_bytes(pool, allocated), "overprovisionfactor": str(factor),
    }
    if pool.pod is not None:
        view.update(podid=pool.pod.uuid, podname=pool.pod.name)
    if pool.cluster is not None:
        view.update(clusterid=pool.cluster.uuid, clustername=pool.cluster.name)
    if pool.hypervisor_type:
        view["hypervisor"] = pool.hypervisor_type
    if pool.tags:
        view["tags"] = ",".join(pool.tag_names)
    if pool.capacity_iops is not None:
        view["capacityiops"] = pool.capacity_iops
    if pool.details:
        view["details"] = {d.name: MASK if d.encrypted else d.value for d in pool.details}
    return view


def image_store_view(store: ImageStore) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": store.uuid, "name": store.name, "url": store.url, "protocol": store.protocol,
        "providername": store.provider, "scope": store.scope,
        "details": [{"name": d.name, "value": MASK if d.encrypted else d.value} for d in store.details],
    }
    if store.zone is not None:
        view.update(zoneid=store.zone.uuid, zonename=store.zone.name)
    return view

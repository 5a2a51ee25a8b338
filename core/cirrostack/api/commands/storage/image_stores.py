"""addImageStore, listImageStores, deleteImageStore and listStorageProviders."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.storage._views import IMAGE_STORE_RESPONSE, STORAGE_PROVIDER_RESPONSE, image_store_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Map, String, Uuid
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.storage import ImageStore
from cirrostack.services import image_stores
from cirrostack.services.context import RESOURCE_ADMIN, ROOT_ADMIN

_PACKAGE = "org.apache.cloudstack.api.command.admin.storage."
_RELATED = ("addImageStore", "listImageStores")

ADD_IMAGE_STORE = Command(
    "addImageStore", "Adds backup image store.", response=IMAGE_STORE_RESPONSE, roles=ROOT_ADMIN, since="4.2.0",
    java_class=_PACKAGE + "AddImageStoreCmd", related=_RELATED,
    params=(Param("provider", String(), "the image store provider name: NFS, or one an installed storage plugin "
                                        "provides (S3, Swift)", required=True),
            Param("name", String(), "the name for the image store (default: the url)"),
            Param("url", String(length=2048), "the URL for the image store (nfs://host/path for NFS)"),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the image store; leave out for a region-wide store"),
            Param("details", Map(key_value=True), "the details for the image store "
                                                  "(details[0].key=accesskey&details[0].value=...)")))

LIST_IMAGE_STORES = Command(
    "listImageStores", "Lists image stores.", kind=CommandKind.LIST, response=IMAGE_STORE_RESPONSE, roles=ROOT_ADMIN,
    since="4.2.0", java_class=_PACKAGE + "ListImageStoresCmd", related=_RELATED,
    params=(Param("id", Uuid("ImageStore", load=False), "the ID of the storage pool"),
            Param("name", String(), "the name of the image store"),
            Param("protocol", String(), "the image store protocol"),
            Param("provider", String(), "the image store provider"),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the image store"),
            *LIST_PARAMS))

DELETE_IMAGE_STORE = Command(
    "deleteImageStore", "Deletes an image store .", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN, since="4.2.0",
    java_class=_PACKAGE + "DeleteImageStoreCmd",
    params=(Param("id", Uuid("ImageStore"), "the image store ID", required=True),))

LIST_STORAGE_PROVIDERS = Command(
    "listStorageProviders", "Lists storage providers.", kind=CommandKind.LIST, response=STORAGE_PROVIDER_RESPONSE,
    roles=ROOT_ADMIN | RESOURCE_ADMIN, since="4.2.0", java_class=_PACKAGE + "ListStorageProvidersCmd",
    params=(Param("type", String(), "the type of storage provider: primary, image or imagecache", required=True),
            *LIST_PARAMS))


@ADD_IMAGE_STORE.handler
def add_image_store(call: Call, provider: str, name: str | None = None, url: str | None = None,
                    zoneid: Zone | None = None, details: dict[str, str] | None = None) -> dict[str, Any]:
    store = image_stores.add_image_store(call.session, call.caller, call.registry, call.secrets, provider=provider,
                                         url=url, name=name, zone=zoneid, details=details)
    return image_store_view(store)


@LIST_IMAGE_STORES.handler
def list_image_stores(call: Call, id: str | None = None, name: str | None = None, protocol: str | None = None,
                      provider: str | None = None, zoneid: Zone | None = None, keyword: str | None = None,
                      **_paging: Any) -> ListResult:
    rows, count = image_stores.list_image_stores(call.session, uuid=id, name=name, protocol=protocol,
                                                 provider=provider, zone=zoneid, keyword=keyword,
                                                 page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([image_store_view(row) for row in rows], count)


@DELETE_IMAGE_STORE.handler
def delete_image_store(call: Call, id: ImageStore) -> None:
    image_stores.delete_image_store(call.session, call.caller, call.registry, call.secrets, id)


@LIST_STORAGE_PROVIDERS.handler
def list_storage_providers(call: Call, type: str, keyword: str | None = None, **_paging: Any) -> ListResult:
    rows = [{"name": name, "type": kind} for name, kind in image_stores.storage_providers(call.registry, type)
            if not keyword or keyword.lower() in name.lower()]
    return ListResult(call.paging.slice(rows), len(rows))

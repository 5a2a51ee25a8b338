"""Image stores (secondary storage): add, list and delete (root admin), and listStorageProviders.

The core's own image store provider is NFS (`nfs://host/path`, zone-wide or, without a zone,
region-wide). Any other provider (S3, Swift, ...) is served by the installed storage plugin that
registered it: its declared detail fields are checked, secret ones encrypted, and the plugin
initialises the store. Without such a plugin the request is refused naming `provider`; the
core never pretends to hold an object store.

Only one image-store provider may be in use at a time, as in CloudStack. Deleting a store is
refused while something is on it; the areas that put things on stores register checks:

    register_image_store_user(lambda session, store: "it holds 2 templates" if ... else None)

Events: IMAGE.STORE.CREATE, IMAGE.STORE.DELETE.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session

from cirrostack.db.base import new_uuid
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.storage import ImageStore, ImageStoreDetail, StoreRole, StoreScope
from cirrostack.db.paging import fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.hookspecs.storage import StorageRole, StorageScope, StoreRef, validate_details
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, hypervisor_support
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure._in_use import register_in_use_check
from cirrostack.services.scope import register_entity
from cirrostack.services.storage_pools import providers as primary_providers
from cirrostack.services.storage_urls import parse_nfs_store_url

BUILTIN_PROVIDER = "NFS"
#: Image store providers that are object stores (CloudStack's); hypervisors declare `object_store` for them.
OBJECT_STORE_PROVIDERS = ("s3", "swift")
#: listStorageProviders `type` -> the role a provider must take.
PROVIDER_TYPES = {"primary": StorageRole.PRIMARY, "image": StorageRole.IMAGE, "imagecache": StorageRole.IMAGE_CACHE}
_SECRET_MARKERS = ("password", "secret")

StoreUserCheck = Callable[[Session, ImageStore], str | None]
_store_users: list[StoreUserCheck] = []


def register_image_store_user(check: StoreUserCheck) -> None:
    """Add a check saying why a store cannot be deleted yet (None: nothing of the caller's area on it)."""
    if check not in _store_users:
        _store_users.append(check)


def unregister_image_store_user(check: StoreUserCheck) -> None:
    if check in _store_users:
        _store_users.remove(check)


def storage_providers(registry: PluginRegistry, provider_type: str) -> list[tuple[str, str]]:
    """(name, type) pairs of listStorageProviders for `provider_type` primary, image or imagecache."""
    role = PROVIDER_TYPES.get(provider_type.strip().lower())
    if role is None:
        raise InvalidParameter("type", f"{provider_type!r} is not a storage provider type; use primary, image or "
                                       f"imagecache")
    if role is StorageRole.PRIMARY:
        names = primary_providers(registry)
    else:
        names = sorted({BUILTIN_PROVIDER, *registry.storage_providers(role)})
    return [(name, role.value.upper()) for name in names]


def image_providers(registry: PluginRegistry) -> list[str]:
    return sorted({BUILTIN_PROVIDER, *registry.storage_providers(StorageRole.IMAGE)})


# -- add -----------------------------------------------------------------------------------------


def add_image_store(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, *, provider: str,
                    url: str | None = None, name: str | None = None, zone: Zone | None = None,
                    details: Mapping[str, str] | None = None) -> ImageStore:
    """Add an image store of `provider` in `zone` (None: region-wide). An object store (S3, Swift) is
    refused with 432 where a hypervisor of the zone (of any zone, region-wide) lacks `object_store`."""
    _check_object_store_support(session, registry, provider, zone)
    provider_name = _known_provider(registry, provider)
    _check_single_provider(session, provider_name)
    store_name = (name or url or "").strip()
    if not store_name:
        raise InvalidParameter("name", "give a name or a url for the image store")
    _check_name_free(session, store_name)
    scope = StoreScope.ZONE if zone is not None else StoreScope.REGION
    store = ImageStore(uuid=new_uuid(), name=store_name, zone_id=zone.id if zone else None, scope=scope.value,
                       role=StoreRole.IMAGE.value, url=(url or "").strip(), provider=provider_name, protocol="nfs")
    if provider_name == BUILTIN_PROVIDER:
        if not url:
            raise InvalidParameter("url", "an NFS image store needs url=nfs://host/path")
        parse_nfs_store_url(url)
        stored = [_detail(secrets, key, value, any(m in key.lower() for m in _SECRET_MARKERS))
                  for key, value in (details or {}).items()]
    else:
        stored = _plugin_store_setup(registry, secrets, store, zone, details or {})
    store.details = stored
    session.add(store)
    session.flush()
    where = f"zone {zone.name}" if zone else "the region"
    events.record(session, caller, "IMAGE.STORE.CREATE", f"Added {provider_name} image store {store_name} to {where}",
                  resource_type="ImageStore", resource_uuid=store.uuid)
    return store


def _check_object_store_support(session: Session, registry: PluginRegistry, provider: str, zone: Zone | None) -> None:
    if provider.strip().lower() not in OBJECT_STORE_PROVIDERS:
        return
    zones = [zone] if zone is not None else list(session.scalars(select(Zone).where(Zone.removed.is_(None))))
    for each in zones:
        hypervisor_support.require_in_zone(session, registry, each.id, "object_store",
                                           f"An object store ({provider.strip()} image store)", each.name)


def _known_provider(registry: PluginRegistry, provider: str) -> str:
    wanted = provider.strip()
    for known in image_providers(registry):
        if known.lower() == wanted.lower():
            return known
    raise InvalidParameter("provider", f"no installed storage plugin provides image store provider {wanted!r} "
                                       f"(available: {', '.join(image_providers(registry))})")


def _check_single_provider(session: Session, provider: str) -> None:
    existing = session.scalar(select(ImageStore.provider).where(ImageStore.removed.is_(None),
                                                                ImageStore.role == StoreRole.IMAGE.value,
                                                                ImageStore.provider != provider).limit(1))
    if existing is not None:
        raise InvalidParameter("provider", f"You can only add new image stores from the same provider {existing} "
                                           f"already added (not {provider})")


def _check_name_free(session: Session, name: str) -> None:
    taken = session.scalar(select(ImageStore.id).where(ImageStore.removed.is_(None),
                                                       func.lower(ImageStore.name) == name.lower()))
    if taken is not None:
        raise InvalidParameter("name", f"an image store named {name} already exists")


def _plugin_store_setup(registry: PluginRegistry, secrets: Any, store: ImageStore, zone: Zone | None,
                        details: Mapping[str, str]) -> list[ImageStoreDetail]:
    """Validate the details against the plugin's declaration and let it initialise the store."""
    provider_class = registry.storage_provider_class(store.provider)
    scope = StorageScope(store.scope)
    if scope not in provider_class.capabilities.scopes:
        allowed = ", ".join(sorted(s.value for s in provider_class.capabilities.scopes))
        raise InvalidParameter("zoneid", f"image store provider {store.provider} takes scopes {allowed}, not "
                                         f"{scope.value} (region-wide means: no zoneid)")
    checked = validate_details(provider_class, details)
    protocols = sorted(provider_class.capabilities.protocols)
    store.protocol = protocols[0] if protocols else store.provider.lower()
    ref = StoreRef(uuid=store.uuid, name=store.name, url=store.url, role=StorageRole.IMAGE, scope=scope,
                   zone_uuid=zone.uuid if zone else "", details=checked)
    measured = registry.storage_provider(store.provider).initialise_store(ref)
    store.capacity_bytes, store.used_bytes = measured.total_bytes, measured.used_bytes
    secret_fields = {field.name for field in provider_class.detail_fields if field.secret}
    return [_detail(secrets, key, value, key in secret_fields) for key, value in checked.items()]


def _detail(secrets: Any, key: str, value: Any, secret: bool) -> ImageStoreDetail:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return ImageStoreDetail(name=key, value=secrets.encrypt(text) if secret else text, encrypted=secret)


# -- read ----------------------------------------------------------------------------------------


def list_image_stores(session: Session, *, uuid: str | None = None, name: str | None = None,
                      protocol: str | None = None, provider: str | None = None, zone: Zone | None = None,
                      keyword: str | None = None, role: StoreRole = StoreRole.IMAGE, page: int = 1,
                      pagesize: int | None = None) -> tuple[list[ImageStore], int]:
    """Live stores of `role` matching every filter given; a zone filter also shows region-wide stores."""
    statement = select(ImageStore).where(ImageStore.removed.is_(None), ImageStore.role == role.value)
    if uuid is not None:
        statement = statement.where(ImageStore.uuid == uuid)
    for column, wanted in ((ImageStore.name, name), (ImageStore.protocol, protocol), (ImageStore.provider, provider)):
        if wanted is not None:
            statement = statement.where(func.lower(column) == wanted.lower())
    if zone is not None:
        statement = statement.where(or_(ImageStore.zone_id == zone.id, ImageStore.zone_id.is_(None)))
    if keyword:
        pattern = f"%{keyword.lower()}%"
        statement = statement.where(or_(func.lower(ImageStore.name).like(pattern),
                                        func.lower(ImageStore.url).like(pattern)))
    return fetch_page(session, statement.order_by(ImageStore.name, ImageStore.id), page, pagesize)


def decrypted_details(store: ImageStore, secrets: Any) -> dict[str, str]:
    """The store's details in clear, for its provider."""
    return {d.name: secrets.decrypt(d.value) if d.encrypted else d.value for d in store.details}


# -- delete --------------------------------------------------------------------------------------


def delete_image_store(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any,
                       store: ImageStore) -> None:
    """Remove a store nothing is on; a plugin provider releases it first."""
    reasons = [reason for check in _store_users if (reason := check(session, store))]
    if reasons:
        raise ResourceInUse(f"image store {store.name} ({store.uuid}) cannot be deleted: {'; '.join(reasons)}")
    if store.provider != BUILTIN_PROVIDER:
        ref = StoreRef(uuid=store.uuid, name=store.name, url=store.url, role=StorageRole.IMAGE,
                       scope=StorageScope(store.scope), zone_uuid=store.zone.uuid if store.zone else "",
                       details=decrypted_details(store, secrets))
        registry.storage_provider(store.provider).remove_store(ref)
    store.mark_removed()
    events.record(session, caller, "IMAGE.STORE.DELETE", f"Deleted image store {store.name}",
                  resource_type="ImageStore", resource_uuid=store.uuid)
    session.flush()


def _stores_in_zone(session: Session, zone: Any) -> str | None:
    count = session.scalar(select(func.count()).select_from(ImageStore)
                           .where(ImageStore.zone_id == zone.id, ImageStore.removed.is_(None))) or 0
    return f"the zone still has {count} image store(s)" if count else None


register_in_use_check("Zone", _stores_in_zone)


def _root_admin_only(statement: Select[Any], caller: Caller) -> Select[Any]:
    return statement if caller.is_root_admin else statement.where(false())


register_entity("ImageStore", ImageStore, _root_admin_only)

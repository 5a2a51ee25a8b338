"""A reference storage provider: stores kept in a `Fabric`, keyed by URL, with object storage."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from typing import Any, BinaryIO

from cirrostack.errors import InsufficientCapacity, InvalidParameter, ResourceUnavailable
from cirrostack.hookspecs.details import DetailField
from cirrostack.hookspecs.storage import (
    DataObjectInfo,
    StorageCapabilities,
    StorageProvider,
    StorageRole,
    StorageScope,
    StoreCapacity,
    StoreRef,
    TemplateRef,
    VolumeInfo,
    VolumeSpec,
)
from tests.contract_drivers.fabric import Fabric

CAPACITY_BYTES = 1 << 30


class InMemoryStore(StorageProvider):
    provider_name = "InMemory"
    capabilities = StorageCapabilities(
        roles=frozenset({StorageRole.PRIMARY, StorageRole.IMAGE}),
        scopes=frozenset({StorageScope.ZONE, StorageScope.REGION}),
        protocols=frozenset({"memory"}),
        object_store=True,
    )
    detail_fields = (
        DetailField("accesskey", "Access key", "the account's access key", required=True),
        DetailField("secretkey", "Secret key", "the account's secret key", required=True, secret=True),
        DetailField("bucket", "Bucket", "the bucket holding this store's data", required=True),
        DetailField("usehttps", "Use HTTPS", "reach the store over TLS", type=bool, default=False),
    )

    def __init__(self, settings: Mapping[str, Any] | None = None, fabric: Fabric | None = None) -> None:
        super().__init__(settings)
        self.fabric = fabric if fabric is not None else Fabric()

    def _bucket(self, store: StoreRef, create: bool = False) -> dict[str, bytes]:
        endpoint = self.fabric.state(store.url)
        if endpoint.get("secretkey") != store.details.get("secretkey"):
            raise ResourceUnavailable(f"store {store.name} refused access key {store.details.get('accesskey')}")
        buckets = endpoint.setdefault("buckets", {})
        name = store.details.get("bucket", "")
        if name not in buckets:
            if not create:
                raise ResourceUnavailable(f"store {store.name} has no bucket {name}; initialise it first")
            buckets[name] = {}
        return buckets[name]

    def _info(self, path: str, data: bytes) -> DataObjectInfo:
        return DataObjectInfo(path=path, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest())

    def _store(self, store: StoreRef, path: str, data: bytes) -> DataObjectInfo:
        bucket = self._bucket(store)
        used = sum(len(value) for key, value in bucket.items() if key != path)
        if used + len(data) > CAPACITY_BYTES:
            raise InsufficientCapacity(f"store {store.name}: {len(data)} bytes do not fit")
        bucket[path] = data
        return self._info(path, data)

    def initialise_store(self, store: StoreRef) -> StoreCapacity:
        self._bucket(store, create=True)
        return self.capacity(store)

    def capacity(self, store: StoreRef) -> StoreCapacity:
        return StoreCapacity(CAPACITY_BYTES, sum(len(value) for value in self._bucket(store).values()))

    def create_volume(self, store: StoreRef, volume: VolumeSpec) -> VolumeInfo:
        bucket = self._bucket(store)
        path = f"volumes/{volume.uuid}"
        if path not in bucket:
            base = b""
            if volume.template_path:
                if volume.template_path not in bucket:
                    raise InvalidParameter("template_path", f"{volume.template_path} is not on store {store.name}")
                base = bucket[volume.template_path]
            self._store(store, path, base.ljust(volume.size_bytes, b"\0"))
        return VolumeInfo(volume.uuid, path, len(bucket[path]))

    def delete_volume(self, store: StoreRef, path: str) -> None:
        self._bucket(store).pop(path, None)

    def copy_template_in(self, store: StoreRef, template: TemplateRef, source: BinaryIO) -> DataObjectInfo:
        return self._store(store, f"templates/{template.uuid}.{template.format.lower()}", source.read())

    def copy_template_out(self, store: StoreRef, path: str, target: BinaryIO) -> int:
        data = self._bucket(store).get(path)
        if data is None:
            raise ResourceUnavailable(f"store {store.name} holds no template at {path}")
        return target.write(data)

    def template_size(self, store: StoreRef, path: str) -> int:
        return len(self._template(store, path))

    def open_template(self, store: StoreRef, path: str) -> BinaryIO:
        return io.BytesIO(self._template(store, path))

    def _template(self, store: StoreRef, path: str) -> bytes:
        data = self._bucket(store).get(path)
        if data is None:
            raise ResourceUnavailable(f"store {store.name} holds no template at {path}")
        return data

    def delete_template(self, store: StoreRef, path: str) -> None:
        self._bucket(store).pop(path, None)

    def put_object(self, store: StoreRef, key: str, data: bytes) -> DataObjectInfo:
        return self._store(store, f"objects/{key}", data)

    def get_object(self, store: StoreRef, key: str) -> bytes:
        data = self._bucket(store).get(f"objects/{key}")
        if data is None:
            raise ResourceUnavailable(f"store {store.name} holds no object {key}")
        return data

    def delete_object(self, store: StoreRef, key: str) -> None:
        self._bucket(store).pop(f"objects/{key}", None)

    def remove_store(self, store: StoreRef) -> None:
        """An in-memory store holds no connection or mount to release; its data stays in the fabric."""

"""Primary storage pools and image stores (secondary storage), with their tags and details.

A pool is cluster-wide (`cluster_id` set) or zone-wide (`scope` ZONE, `cluster_id` NULL); an image
store belongs to a zone or, with `zone_id` NULL, to the whole region. Details whose `encrypted` flag
is set hold a SecretBox token (an SMB password, an S3 secret key), never the clear value.
"""

from __future__ import annotations

import enum

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin
from cirrostack.db.models.infrastructure import Cluster, Pod, Zone


class PoolState(enum.StrEnum):
    """CloudStack's primary storage states (`state` of listStoragePools)."""

    UP = "Up"
    PREPARE_FOR_MAINTENANCE = "PrepareForMaintenance"
    MAINTENANCE = "Maintenance"
    ERROR_IN_MAINTENANCE = "ErrorInMaintenance"


class StoreScope(enum.StrEnum):
    CLUSTER = "CLUSTER"
    ZONE = "ZONE"
    REGION = "REGION"


class StoreRole(enum.StrEnum):
    """An image store's role; ImageCache is an NFS staging store in front of an object store."""

    IMAGE = "Image"
    IMAGE_CACHE = "ImageCache"


class StoragePool(ResourceMixin, SoftDeleteMixin, Base):
    """Primary storage: where volumes live.

    `pool_type` is CloudStack's type (NetworkFilesystem, IscsiLUN, SharedMountPoint, RBD, SMB, ...),
    `protocol` the name hypervisors declare in `storage_protocols` ("NFS", "iSCSI", ...).
    `capacity_bytes` is what may be provisioned from it (0: not known yet); `used_bytes` is the
    physical use last reported by a storage provider, NULL until one reports.
    """

    __tablename__ = "storage_pools"
    __table_args__ = (UniqueConstraint("zone_id", "name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    pod_id: Mapped[int | None] = mapped_column(ForeignKey("pods.id"), index=True, default=None)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id"), index=True, default=None)
    scope: Mapped[str] = mapped_column(String(16), default=StoreScope.CLUSTER.value)
    hypervisor_type: Mapped[str | None] = mapped_column(String(32), default=None)
    url: Mapped[str] = mapped_column(String(2048))
    pool_type: Mapped[str] = mapped_column(String(32))
    protocol: Mapped[str] = mapped_column(String(32))
    host_address: Mapped[str] = mapped_column(String(255), default="")
    path: Mapped[str] = mapped_column(String(1024), default="")
    port: Mapped[int] = mapped_column(default=0)
    provider: Mapped[str] = mapped_column(String(64), default="DefaultPrimary")
    state: Mapped[str] = mapped_column(String(32), default=PoolState.UP.value)
    capacity_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    capacity_iops: Mapped[int | None] = mapped_column(BigInteger, default=None)
    used_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    managed: Mapped[bool] = mapped_column(Boolean, default=False)

    zone: Mapped[Zone] = relationship(lazy="joined")
    pod: Mapped[Pod | None] = relationship(lazy="joined")
    cluster: Mapped[Cluster | None] = relationship(lazy="joined")
    tags: Mapped[list[StoragePoolTag]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                      order_by="StoragePoolTag.id")
    details: Mapped[list[StoragePoolDetail]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                            order_by="StoragePoolDetail.id")

    @property
    def tag_names(self) -> list[str]:
        return [tag.tag for tag in self.tags]


class StoragePoolTag(Base):
    """One tag of a pool; disk offerings' tags match against these."""

    __tablename__ = "storage_pool_tags"
    __table_args__ = (UniqueConstraint("pool_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("storage_pools.id"), index=True)
    tag: Mapped[str] = mapped_column(String(255))


class StoragePoolDetail(Base):
    """A detail of a pool (createStoragePool `details`); `encrypted` values are SecretBox tokens."""

    __tablename__ = "storage_pool_details"
    __table_args__ = (UniqueConstraint("pool_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("storage_pools.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(Text)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)


class ImageStore(ResourceMixin, SoftDeleteMixin, Base):
    """Secondary storage for templates, ISOs and snapshots.

    `zone_id` NULL means region-wide (scope REGION). `capacity_bytes`/`used_bytes` are what the
    store's provider last reported, NULL while unknown (an NFS export is measured once mounted).
    """

    __tablename__ = "image_stores"
    __table_args__ = (UniqueConstraint("name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"), index=True, default=None)
    scope: Mapped[str] = mapped_column(String(16), default=StoreScope.ZONE.value)
    role: Mapped[str] = mapped_column(String(16), default=StoreRole.IMAGE.value)
    url: Mapped[str] = mapped_column(String(2048))
    protocol: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(64))
    capacity_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    used_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)

    zone: Mapped[Zone | None] = relationship(lazy="joined")
    details: Mapped[list[ImageStoreDetail]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                           order_by="ImageStoreDetail.id")


class ImageStoreDetail(Base):
    """A key/value detail of an image store (addImageStore `details`); secrets are encrypted."""

    __tablename__ = "image_store_details"
    __table_args__ = (UniqueConstraint("store_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("image_stores.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(Text)
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)

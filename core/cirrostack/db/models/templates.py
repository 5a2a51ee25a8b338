"""Templates and ISOs, their state per zone, and the guest OS catalogue.

A template (or an ISO: `format` "ISO") belongs to an account and is registered from a URL. Whether
its image is present in a zone is a `TemplateZoneRef`: registering records the URL and one ref per
zone; copying adds a ref. The guest OS catalogue (`GuestOSCategory`, `GuestOS`) is seeded by
migration 0004 with CloudStack's categories and descriptions and stable uuids.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin
from cirrostack.db.models.accounts import Account
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.timestamps import utcnow


class TemplateType(enum.StrEnum):
    """CloudStack's template types: USER registered by accounts, BUILTIN shipped with the cloud,
    SYSTEM for system VMs (routers), PERHOST images present on every host."""

    USER = "USER"
    BUILTIN = "BUILTIN"
    SYSTEM = "SYSTEM"
    PERHOST = "PERHOST"


class GuestOSCategory(Base):
    """A family of guest operating systems (CentOS, Windows, ...), listOsCategories."""

    __tablename__ = "guest_os_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)


class GuestOS(Base):
    """One guest OS of the catalogue, e.g. "CentOS 5.6 (64-bit)" (listOsTypes' `description`)."""

    __tablename__ = "guest_os"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(40), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("guest_os_categories.id"), index=True)
    display_name: Mapped[str] = mapped_column(String(255), unique=True)
    is_user_defined: Mapped[bool] = mapped_column(Boolean, default=False)

    category: Mapped[GuestOSCategory] = relationship(lazy="joined")


class Template(ResourceMixin, SoftDeleteMixin, Base):
    """A disk image (or, with format ISO, an installation medium) an account registered.

    `hypervisor_type` is None for ISOs. `cross_zones` is true when it was registered for every
    zone (zoneid=-1). Launch permissions beyond public/owner are `TemplatePermission` rows."""

    __tablename__ = "templates"

    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(4096))
    format: Mapped[str] = mapped_column(String(16))
    template_type: Mapped[str] = mapped_column(String(16), default=TemplateType.USER.value)
    hypervisor_type: Mapped[str | None] = mapped_column(String(32), default=None)
    guest_os_id: Mapped[int | None] = mapped_column(ForeignKey("guest_os.id"), default=None)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    url: Mapped[str | None] = mapped_column(String(2048), default=None)
    checksum: Mapped[str | None] = mapped_column(String(255), default=None)
    bits: Mapped[int] = mapped_column(Integer, default=64)
    requires_hvm: Mapped[bool] = mapped_column(Boolean, default=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)
    is_extractable: Mapped[bool] = mapped_column(Boolean, default=False)
    password_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    sshkey_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_dynamically_scalable: Mapped[bool] = mapped_column(Boolean, default=False)
    bootable: Mapped[bool] = mapped_column(Boolean, default=True)
    cross_zones: Mapped[bool] = mapped_column(Boolean, default=False)
    template_tag: Mapped[str | None] = mapped_column(String(255), default=None)
    sort_key: Mapped[int] = mapped_column(Integer, default=0)
    source_template_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id"), default=None)

    account: Mapped[Account] = relationship(lazy="joined")
    guest_os: Mapped[GuestOS | None] = relationship(lazy="joined")
    zone_refs: Mapped[list[TemplateZoneRef]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                            order_by="TemplateZoneRef.id",
                                                            back_populates="template")

    @property
    def is_iso(self) -> bool:
        return self.format == "ISO"


class TemplateZoneRef(Base):
    """The state of a template's image in one zone: `status` in words, `is_ready` once usable."""

    __tablename__ = "template_zone_refs"
    __table_args__ = (UniqueConstraint("template_id", "zone_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    status: Mapped[str] = mapped_column(Text, default="")
    is_ready: Mapped[bool] = mapped_column(Boolean, default=False)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    physical_size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # the copy on an image store that holds data (services/templates/stores.py); NULL: direct download
    store_id: Mapped[int | None] = mapped_column(ForeignKey("image_stores.id"), default=None)
    install_path: Mapped[str | None] = mapped_column(String(1024), default=None)

    template: Mapped[Template] = relationship(back_populates="zone_refs")
    zone: Mapped[Zone] = relationship(lazy="joined")


class TemplatePermission(Base):
    """An account other than the owner may launch a private template (`sharedexecutable`)."""

    __tablename__ = "template_permissions"
    __table_args__ = (UniqueConstraint("template_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)


__all__ = ["GuestOS", "GuestOSCategory", "Template", "TemplatePermission", "TemplateType", "TemplateZoneRef"]

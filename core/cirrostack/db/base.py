"""The declarative base every model derives from, and the column shapes models share."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cirrostack.db.timestamps import utcnow

#: Constraint names Alembic can refer to on every database (MariaDB and SQLite name them differently otherwise).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uuid() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    """SQLAlchemy 2 declarative base of cirrostack's tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ResourceMixin:
    """An object the API shows: integer key inside, `uuid` (shown as `id`) outside, creation time."""

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(40), unique=True, default=new_uuid)
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SoftDeleteMixin:
    """CloudStack keeps deleted rows with `removed` set.

    `live` is True while the row exists and NULL once removed; unique constraints include it, so
    a removed object's name can be taken again (NULLs never collide in a unique index).
    """

    removed: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    live: Mapped[bool | None] = mapped_column(default=True)

    def mark_removed(self) -> None:
        self.removed = utcnow()
        self.live = None

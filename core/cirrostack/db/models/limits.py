"""Resource limits and the counts they are checked against, per account and per domain."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base


class ResourceLimit(Base):
    """An explicit limit of one owner (`owner_type` "account" or "domain", `owner_id` its id) for one
    CloudStack resource type number; -1 is unlimited. Without a row the max.account.* / max.domain.*
    setting applies."""

    __tablename__ = "resource_limits"
    __table_args__ = (UniqueConstraint("owner_type", "owner_id", "resource_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[int] = mapped_column(Integer)
    resource_type: Mapped[int] = mapped_column(Integer)
    max: Mapped[int] = mapped_column(BigInteger)


class ResourceCount(Base):
    """How much of one resource type an owner holds now; changed only by conditional UPDATEs
    (services.limits) so concurrent consumers never pass a limit together."""

    __tablename__ = "resource_counts"
    __table_args__ = (UniqueConstraint("owner_type", "owner_id", "resource_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_type: Mapped[str] = mapped_column(String(8))
    owner_id: Mapped[int] = mapped_column(Integer)
    resource_type: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


__all__ = ["ResourceCount", "ResourceLimit"]

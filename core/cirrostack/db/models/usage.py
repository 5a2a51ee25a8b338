"""Usage metering: the events services record as resources change, and the records the usage job makes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base
from cirrostack.db.timestamps import utcnow


class UsageEvent(Base):
    """One metering fact (`type` such as "VM.START") about one resource at `created`.
    `details` is JSON text: the cpuNumber/cpuSpeed/memory of a custom offering."""

    __tablename__ = "usage_events"
    __table_args__ = (Index("ix_usage_events_resource", "resource_id", "created"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    created: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    domain_id: Mapped[int] = mapped_column(Integer)
    zone_id: Mapped[int | None] = mapped_column(Integer, default=None)
    resource_id: Mapped[int] = mapped_column(BigInteger)
    resource_uuid: Mapped[str] = mapped_column(String(40))
    resource_name: Mapped[str] = mapped_column(String(255), default="")
    offering_id: Mapped[int | None] = mapped_column(Integer, default=None)
    template_id: Mapped[int | None] = mapped_column(Integer, default=None)
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    details: Mapped[str] = mapped_column(Text, default="{}")


class UsageRecord(Base):
    """The use of one resource over one period of one day (`start_date` .. `end_date`), in hours
    (`raw_usage`); the usage job replaces a day's records whenever it runs for that day."""

    __tablename__ = "usage_records"
    __table_args__ = (Index("ix_usage_records_period", "start_date", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    usage_type: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(Integer)
    zone_id: Mapped[int | None] = mapped_column(Integer, default=None)
    resource_id: Mapped[int] = mapped_column(BigInteger)
    resource_uuid: Mapped[str] = mapped_column(String(40))
    resource_name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(String(255), default="")
    raw_usage: Mapped[float] = mapped_column(Float)
    offering_id: Mapped[int | None] = mapped_column(Integer, default=None)
    template_id: Mapped[int | None] = mapped_column(Integer, default=None)
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    cpu_number: Mapped[int | None] = mapped_column(Integer, default=None)
    cpu_speed: Mapped[int | None] = mapped_column(Integer, default=None)
    memory: Mapped[int | None] = mapped_column(Integer, default=None)
    start_date: Mapped[datetime] = mapped_column(DateTime)
    end_date: Mapped[datetime] = mapped_column(DateTime)


__all__ = ["UsageEvent", "UsageRecord"]

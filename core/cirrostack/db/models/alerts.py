"""Alerts: what operators must hear about (host down, capacity thresholds, generateAlert)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin


class Alert(ResourceMixin, Base):
    """One alert. `type` is CloudStack's alert type number (services.alerts.AlertType for the
    built-in ones), `name` its name ("ALERT.COMPUTE.HOST" or what generateAlert gave).
    `sent` is when it was mailed to the operators (None: not mailed); archived alerts are
    kept but listAlerts no longer shows them."""

    __tablename__ = "alerts"

    type: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(999))
    description: Mapped[str] = mapped_column(Text, default="")
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"), default=None)
    pod_id: Mapped[int | None] = mapped_column(ForeignKey("pods.id", ondelete="SET NULL"), default=None)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("clusters.id", ondelete="SET NULL"), default=None)
    sent: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    archived: Mapped[bool] = mapped_column(default=False)


__all__ = ["Alert"]

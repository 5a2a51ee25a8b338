"""Reading usage records (listUsageRecords) for the accounts a caller may see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.usage import UsageRecord
from cirrostack.db.paging import fetch_page
from cirrostack.services import scope
from cirrostack.services.context import Caller


def list_records(session: Session, caller: Caller, owners: scope.ListScope, *, start: datetime, end: datetime,
                 usage_type: int | None = None, keyword: str | None = None, page: int = 1,
                 page_size: int | None = None) -> tuple[list[UsageRecord], int]:
    """The records whose period starts within `start` .. `end`, oldest first."""
    statement = select(UsageRecord).where(UsageRecord.start_date >= start, UsageRecord.start_date <= end)
    statement = scope.account_owned(UsageRecord.account_id)(statement, caller)
    statement = owners.apply(statement, UsageRecord.account_id)
    if usage_type is not None:
        statement = statement.where(UsageRecord.usage_type == usage_type)
    if keyword is not None:
        statement = statement.where(UsageRecord.description.contains(keyword, autoescape=True))
    statement = statement.order_by(UsageRecord.start_date, UsageRecord.usage_type, UsageRecord.id)
    return fetch_page(session, statement, page, page_size)

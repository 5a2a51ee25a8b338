"""Counting and slicing a list query the way CloudStack's list commands do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

#: CloudStack's `default.page.size`: the rows a list returns when no page is asked for.
DEFAULT_PAGE_SIZE = 500


def fetch_page(session: Session, statement: Select[Any], page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Any], int]:
    """The rows of `page` (1-based, `pagesize` rows each; None = every row) and the total
    number of matching rows (CloudStack's `count`). The dispatcher validates both values."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    if pagesize is not None:
        statement = statement.limit(pagesize).offset((max(page, 1) - 1) * pagesize)
    return list(session.scalars(statement).unique()), total

"""Counting and slicing a list query the way CloudStack's list commands do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.orm import Session

#: CloudStack's `default.page.size`: the rows a list returns when no page is asked for.
DEFAULT_PAGE_SIZE = 500


def count_rows(session: Session | Connection, statement: Select[Any]) -> int:
    """The number of rows `statement` matches (CloudStack's `count`), its ORDER BY left out."""
    return session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def page_slice(statement: Select[Any], page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> Select[Any]:
    """`statement` limited to `page` (1-based, `pagesize` rows each; None = every row)."""
    if pagesize is None:
        return statement
    return statement.limit(pagesize).offset((max(page, 1) - 1) * pagesize)


def fetch_page(session: Session, statement: Select[Any], page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Any], int]:
    """The rows of `page` (1-based, `pagesize` rows each; None = every row) and the total
    number of matching rows (CloudStack's `count`). The dispatcher validates both values."""
    total = count_rows(session, statement)
    return list(session.scalars(page_slice(statement, page, pagesize)).unique()), total

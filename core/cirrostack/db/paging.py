"""Counting and slicing a list query the way CloudStack's list commands do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

#: CloudStack's `default.page.size`: the rows a list returns without `pagesize`, and the largest `pagesize`.
DEFAULT_PAGE_SIZE = 500


def fetch_page(session: Session, statement: Select[Any], page: int | None = None,
               pagesize: int | None = None) -> tuple[list[Any], int]:
    """The rows of `page` (1-based) and the total number of matching rows.

    `pagesize` -1 means every row; without `pagesize`, the first DEFAULT_PAGE_SIZE rows.
    The dispatcher has already checked that `page` and `pagesize` come together.
    """
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    if pagesize != -1:
        size = pagesize or DEFAULT_PAGE_SIZE
        statement = statement.limit(size).offset(((page or 1) - 1) * size)
    return list(session.scalars(statement).unique()), total

"""The guest OS catalogue: listOsTypes and listOsCategories (every caller sees all of it)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models import GuestOS, GuestOSCategory
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page


def list_os_types(session: Session, *, os_type: GuestOS | None = None, category: GuestOSCategory | None = None,
                  description: str | None = None, keyword: str | None = None, page: int = 1,
                  pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[GuestOS], int]:
    """OS types by id, category, exact description (any case) or a keyword in the description."""
    statement = select(GuestOS)
    if os_type is not None:
        statement = statement.where(GuestOS.id == os_type.id)
    if category is not None:
        statement = statement.where(GuestOS.category_id == category.id)
    if description is not None:
        statement = statement.where(func.lower(GuestOS.display_name) == description.lower())
    if keyword:
        statement = statement.where(GuestOS.display_name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(GuestOS.id), page, pagesize)


def list_os_categories(session: Session, *, category: GuestOSCategory | None = None, name: str | None = None,
                       keyword: str | None = None, page: int = 1,
                       pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[GuestOSCategory], int]:
    """OS categories by id, name (any case) or a keyword in the name."""
    statement = select(GuestOSCategory)
    if category is not None:
        statement = statement.where(GuestOSCategory.id == category.id)
    if name is not None:
        statement = statement.where(func.lower(GuestOSCategory.name) == name.lower())
    if keyword:
        statement = statement.where(GuestOSCategory.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(GuestOSCategory.id), page, pagesize)

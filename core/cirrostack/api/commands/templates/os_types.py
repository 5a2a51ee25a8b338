"""listOsTypes and listOsCategories: the guest OS catalogue."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.templates._views import (
    OS_CATEGORY_RESPONSE,
    OS_TYPE_RESPONSE,
    os_category_view,
    os_type_view,
)
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import String, Uuid
from cirrostack.db.models import GuestOS, GuestOSCategory
from cirrostack.services import templates
from cirrostack.services.context import ANY_ROLE

_PACKAGE = "org.apache.cloudstack.api.command.user.guest."

LIST_OS_TYPES = Command(
    "listOsTypes", "Lists all supported OS types for this cloud.", kind=CommandKind.LIST, response=OS_TYPE_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListGuestOsCmd",
    params=(Param("id", Uuid("GuestOS"), "list by Os type Id"),
            Param("oscategoryid", Uuid("GuestOSCategory"), "list by Os Category id"),
            Param("description", String(), "list os by description", since="3.0.1"),
            *LIST_PARAMS))

LIST_OS_CATEGORIES = Command(
    "listOsCategories", "Lists all supported OS categories for this cloud.", kind=CommandKind.LIST,
    response=OS_CATEGORY_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "ListGuestOsCategoriesCmd",
    params=(Param("id", Uuid("GuestOSCategory"), "list Os category by id"),
            Param("name", String(), "list os category by name", since="3.0.1"),
            *LIST_PARAMS))


@LIST_OS_TYPES.handler
def list_os_types(call: Call, id: GuestOS | None = None, oscategoryid: GuestOSCategory | None = None,
                  description: str | None = None, keyword: str | None = None, **_paging: Any) -> ListResult:
    rows, count = templates.list_os_types(call.session, os_type=id, category=oscategoryid, description=description,
                                          keyword=keyword, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([os_type_view(row) for row in rows], count)


@LIST_OS_CATEGORIES.handler
def list_os_categories(call: Call, id: GuestOSCategory | None = None, name: str | None = None,
                       keyword: str | None = None, **_paging: Any) -> ListResult:
    rows, count = templates.list_os_categories(call.session, category=id, name=name, keyword=keyword,
                                               page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([os_category_view(row) for row in rows], count)

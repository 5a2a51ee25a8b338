"""listTemplates and listIsos: which templates a filter selects, one row per template and zone.

Filters, as in CloudStack 4.3 (`templatefilter`, and `isofilter` likewise):
    featured          public templates an administrator marked featured
    self              templates owned by the caller's account (admins: the accounts their list scope names)
    selfexecutable    self, ready to deploy from
    sharedexecutable  private templates of others shared with the caller's account, ready
    executable        everything the caller may deploy from: featured, public, own and shared, ready
    community         public templates that are not featured
    all               every template within the caller's scope (administrators only)
A template appears once per zone it is in (with that zone's status); `zoneid` narrows to one zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import or_
from sqlalchemy.orm import Session

from cirrostack.db.models import Domain, GuestOS, Template, TemplateZoneRef, Zone
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import AccountType, Caller
from cirrostack.services.templates._access import shared_with


class TemplateFilter(enum.StrEnum):
    FEATURED = "featured"
    SELF = "self"
    SELF_EXECUTABLE = "selfexecutable"
    SHARED_EXECUTABLE = "sharedexecutable"
    EXECUTABLE = "executable"
    COMMUNITY = "community"
    ALL = "all"


_READY_ONLY = {TemplateFilter.SELF_EXECUTABLE, TemplateFilter.SHARED_EXECUTABLE, TemplateFilter.EXECUTABLE}


@dataclass(frozen=True)
class TemplateRow:
    """One line of a template list: the template in one zone (`ref` None when it is in none)."""

    template: Template
    ref: TemplateZoneRef | None


def parse_filter(value: str, caller: Caller, param: str = "templatefilter") -> TemplateFilter:
    """The filter named by `value`; 431 naming `param` for unknown values and for `all` by a user."""
    try:
        chosen = TemplateFilter(value.strip().lower())
    except ValueError:
        accepted = ", ".join(item.value for item in TemplateFilter)
        raise InvalidParameter(param, f"{value!r} is not a filter; use one of {accepted}") from None
    if chosen is TemplateFilter.ALL and caller.account_type is AccountType.USER:
        raise InvalidParameter(param, "the filter all can be specified by administrators only")
    return chosen


def list_templates(session: Session, caller: Caller, chosen: TemplateFilter, *, isos: bool = False,
                   template: Template | None = None, name: str | None = None, hypervisor: str | None = None,
                   zone: Zone | None = None, keyword: str | None = None, bootable: bool | None = None,
                   ispublic: bool | None = None, isready: bool | None = None, account: str | None = None,
                   domain: Domain | None = None, isrecursive: bool = False,
                   listall: bool = False) -> list[TemplateRow]:
    """Every row `chosen` selects for `caller`, oldest template first (the caller pages them)."""
    statement = scope.visible(caller, "Iso" if isos else "Template")
    owner_scope = scope.list_scope(session, caller, account=account, domain=domain, isrecursive=isrecursive,
                                   listall=listall or chosen is TemplateFilter.ALL)
    if chosen is TemplateFilter.FEATURED:
        statement = statement.where(Template.is_featured.is_(True), Template.is_public.is_(True))
    elif chosen in (TemplateFilter.SELF, TemplateFilter.SELF_EXECUTABLE):
        statement = owner_scope.apply(statement, Template.account_id)
    elif chosen is TemplateFilter.SHARED_EXECUTABLE:
        statement = statement.where(shared_with(caller))
    elif chosen is TemplateFilter.COMMUNITY:
        statement = statement.where(Template.is_public.is_(True), Template.is_featured.is_(False))
    elif chosen is TemplateFilter.EXECUTABLE:
        statement = statement.where(or_(Template.is_public.is_(True), Template.account_id == caller.account_id,
                                        shared_with(caller)))
    elif chosen is TemplateFilter.ALL and (account is not None or domain is not None):
        statement = owner_scope.apply(statement, Template.account_id)
    if template is not None:
        statement = statement.where(Template.id == template.id)
    if name is not None:
        statement = statement.where(Template.name == name)
    if hypervisor is not None:
        statement = statement.where(Template.hypervisor_type == hypervisor)
    if keyword:
        statement = statement.where(Template.name.contains(keyword, autoescape=True))
    if bootable is not None:
        statement = statement.where(Template.bootable.is_(bootable))
    if ispublic is not None:
        statement = statement.where(Template.is_public.is_(ispublic))
    templates = session.scalars(statement.order_by(Template.id)).unique().all()
    ready_only = chosen in _READY_ONLY or isready is True
    rows: list[TemplateRow] = []
    for found in templates:
        refs = [ref for ref in found.zone_refs if zone is None or ref.zone_id == zone.id]
        refs = [ref for ref in refs if ref.is_ready] if ready_only else refs
        if isready is False:
            refs = [ref for ref in refs if not ref.is_ready]
        if not found.zone_refs and zone is None and not ready_only:
            rows.append(TemplateRow(found, None))
        rows.extend(TemplateRow(found, ref) for ref in refs)
    return rows


def os_type_name(session: Session, template: Template) -> str | None:
    os_type = session.get(GuestOS, template.guest_os_id) if template.guest_os_id is not None else None
    return os_type.display_name if os_type is not None else None

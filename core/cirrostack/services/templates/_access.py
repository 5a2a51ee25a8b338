"""Who may see and who may change a template or ISO.

Seeing: the root admin sees every template; others see public ones, those their scope owns (own
account; a domain admin's or resource admin's domain subtree) and those shared with their account.
SYSTEM templates are the root admin's alone. Changing: the owner, an admin over the owner's
domain, or the root admin; BUILTIN and SYSTEM templates only the root admin.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from cirrostack.db.models import Domain, GuestOS, GuestOSCategory, Template, TemplatePermission
from cirrostack.db.models.templates import TemplateType
from cirrostack.errors import PermissionDenied
from cirrostack.services import scope
from cirrostack.services.context import Caller

ISO_FORMAT = "ISO"


def owned_by_scope(caller: Caller) -> Any:
    """SQL condition: the template belongs to an account within the caller's own scope."""
    if scope.sees_domain_subtree(caller):
        return Template.account_id.in_(scope.accounts_in_subtree(caller.domain_path))
    return Template.account_id == caller.account_id


def shared_with(caller: Caller) -> Any:
    """SQL condition: the template's owner gave the caller's account launch permission."""
    return Template.id.in_(select(TemplatePermission.template_id)
                           .where(TemplatePermission.account_id == caller.account_id))


def _visible(statement: Select[Any], caller: Caller) -> Select[Any]:
    if caller.is_root_admin:
        return statement
    return statement.where(Template.template_type != TemplateType.SYSTEM.value,
                           or_(Template.is_public.is_(True), owned_by_scope(caller), shared_with(caller)))


def _template_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    return _visible(statement, caller).where(Template.format != ISO_FORMAT)


def _iso_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    return _visible(statement, caller).where(Template.format == ISO_FORMAT)


def _everyone(statement: Select[Any], _caller: Caller) -> Select[Any]:
    return statement


def check_may_change(session: Session, caller: Caller, template: Template, action: str) -> None:
    """PermissionDenied (531) naming the template unless the caller may `action` it."""
    kind = "ISO" if template.is_iso else "template"
    if caller.is_root_admin:
        return
    if template.template_type in (TemplateType.BUILTIN.value, TemplateType.SYSTEM.value):
        raise PermissionDenied(f"{kind} {template.name} ({template.uuid}) is a {template.template_type} {kind}; "
                               f"only the root admin can {action} it")
    if template.account_id == caller.account_id:
        return
    if scope.sees_domain_subtree(caller):
        owner_domain = session.get(Domain, template.account.domain_id)
        if owner_domain is not None and owner_domain.path.startswith(caller.domain_path):
            return
    raise PermissionDenied(f"{kind} {template.name} ({template.uuid}) belongs to account {template.account.name}; "
                           f"you cannot {action} it")


scope.register_entity("Template", Template, _template_rule)
scope.register_entity("Iso", Template, _iso_rule)
scope.register_entity("GuestOS", GuestOS, _everyone)
scope.register_entity("GuestOSCategory", GuestOSCategory, _everyone)

"""Listing compute and disk offerings (listServiceOfferings, listDiskOfferings).

An offering without a domain is public; one with a domain is offered to callers of that domain
and of the domains below it. The root admin sees every offering; a domain admin also those of
the domains below their own. System offerings (`issystem`) are listed to administrators only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, literal, or_, select
from sqlalchemy.orm import Session

from cirrostack.db.models import DiskOffering, Domain, ServiceOffering, VirtualMachine
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import AccountType, Caller


def _offered_to(domain_column: Any, caller: Caller) -> Any:
    """SQL condition: public, or offered to the caller's domain or a domain above it (or, for
    domain admins, below it)."""
    domains_above = select(Domain.id).where(literal(caller.domain_path).startswith(Domain.path))
    allowed = [domain_column.is_(None), domain_column.in_(domains_above)]
    if scope.sees_domain_subtree(caller):
        allowed.append(domain_column.in_(select(Domain.id).where(scope.in_subtree(Domain.path, caller.domain_path))))
    return or_(*allowed)


def _service_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    if caller.is_root_admin:
        return statement
    statement = statement.where(_offered_to(ServiceOffering.domain_id, caller))
    return statement.where(ServiceOffering.is_system.is_(False)) if caller.account_type is AccountType.USER \
        else statement


def _disk_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    if caller.is_root_admin:
        return statement
    return statement.where(_offered_to(DiskOffering.domain_id, caller))


scope.register_entity("ServiceOffering", ServiceOffering, _service_rule)
scope.register_entity("DiskOffering", DiskOffering, _disk_rule)


def list_service_offerings(session: Session, caller: Caller, *, offering: ServiceOffering | None = None,
                           name: str | None = None, domain: Domain | None = None, issystem: bool = False,
                           systemvmtype: str | None = None, keyword: str | None = None, page: int = 1,
                           pagesize: int | None = DEFAULT_PAGE_SIZE,
                           vm: VirtualMachine | None = None) -> tuple[list[ServiceOffering], int]:
    """Offerings the caller may use; with `issystem` the system offerings instead (admins only),
    narrowed by `systemvmtype`. `domain` lists the offerings of that domain only. `vm` lists the
    offerings that VM can change to: not its current one (unless custom), same storage type."""
    if issystem and caller.account_type is AccountType.USER:
        raise InvalidParameter("issystem", "only administrators can list system offerings")
    if systemvmtype is not None and not issystem:
        raise InvalidParameter("systemvmtype", "is only valid together with issystem=true")
    statement = scope.visible(caller, "ServiceOffering").where(ServiceOffering.is_system.is_(issystem))
    if systemvmtype is not None:
        statement = statement.where(ServiceOffering.system_vm_type == systemvmtype.lower())
    if offering is not None:
        statement = statement.where(ServiceOffering.id == offering.id)
    if name is not None:
        statement = statement.where(ServiceOffering.name == name)
    if domain is not None:
        statement = statement.where(ServiceOffering.domain_id == domain.id)
    if keyword:
        statement = statement.where(ServiceOffering.name.contains(keyword, autoescape=True))
    if vm is not None:
        statement = _changeable_for(session, statement, vm)
    return fetch_page(session, statement.order_by(ServiceOffering.sort_key, ServiceOffering.id), page, pagesize)


def _changeable_for(session: Session, statement: Select[Any], vm: VirtualMachine) -> Select[Any]:
    current = session.get(ServiceOffering, vm.service_offering_id)
    if current is None:
        return statement
    if not current.is_customized:
        statement = statement.where(ServiceOffering.id != current.id)
    return statement.where(ServiceOffering.storage_type == current.storage_type)


def list_disk_offerings(session: Session, caller: Caller, *, offering: DiskOffering | None = None,
                        name: str | None = None, domain: Domain | None = None, keyword: str | None = None,
                        page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[DiskOffering], int]:
    """Disk offerings the caller may use (hidden ones, `display_offering` false, to admins only)."""
    statement = scope.visible(caller, "DiskOffering")
    if caller.account_type is AccountType.USER:
        statement = statement.where(DiskOffering.display_offering.is_(True))
    if offering is not None:
        statement = statement.where(DiskOffering.id == offering.id)
    if name is not None:
        statement = statement.where(DiskOffering.name == name)
    if domain is not None:
        statement = statement.where(DiskOffering.domain_id == domain.id)
    if keyword:
        statement = statement.where(DiskOffering.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(DiskOffering.sort_key, DiskOffering.id), page, pagesize)

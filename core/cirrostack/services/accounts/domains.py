"""The domain tree: create, rename, list and delete domains within the caller's scope."""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.audit import record_event
from cirrostack.db.models import Account, AsyncJob, Domain, DomainState
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, InvalidState, ResourceInUse
from cirrostack.jobs.cleanup import register_cleanup
from cirrostack.services import scope
from cirrostack.services.accounts._names import check_network_domain, check_object_name
from cirrostack.services.accounts.tenants import remove_account
from cirrostack.services.context import Caller

log = logging.getLogger(__name__)


def display_path(domain: Domain) -> str:
    """The path as the API shows it: "ROOT" for "/", "ROOT/sales/emea" for "/sales/emea/"."""
    return "ROOT" + domain.path.rstrip("/") if domain.path != "/" else "ROOT"


def has_children(session: Session, domain: Domain) -> bool:
    return session.scalar(select(func.count(Domain.id)).where(Domain.parent_id == domain.id,
                                                              Domain.removed.is_(None))) > 0


def _check_sibling_name(session: Session, parent: Domain, name: str, param: str, exclude: Domain | None = None) -> None:
    statement = select(Domain).where(Domain.parent_id == parent.id, Domain.removed.is_(None),
                                     func.lower(Domain.name) == name.lower())
    clash = session.scalars(statement).first()
    if clash is not None and clash is not exclude:
        raise InvalidParameter(param, f"a domain named {name} already exists in {display_path(parent)}")


def create_domain(session: Session, caller: Caller, name: str, parent: Domain | None = None,
                  network_domain: str | None = None, domain_uuid: str | None = None) -> Domain:
    """A new domain under `parent` (default: the caller's domain), named uniquely among its siblings."""
    name = check_object_name("name", name, "domain")
    if parent is None:
        parent = session.get(Domain, caller.domain_id)
    if parent.state != DomainState.ACTIVE:
        raise InvalidState(f"parentdomainid: domain {display_path(parent)} is being deleted")
    _check_sibling_name(session, parent, name, "name")
    if network_domain:
        check_network_domain("networkdomain", network_domain)
    if domain_uuid and session.scalars(select(Domain).where(Domain.uuid == domain_uuid)).first():
        raise InvalidParameter("domainid", f"a domain with id {domain_uuid} already exists")
    domain = Domain(name=name, parent_id=parent.id, path=f"{parent.path}{name}/", level=parent.level + 1,
                    network_domain=network_domain or None)
    if domain_uuid:
        domain.uuid = domain_uuid
    session.add(domain)
    session.flush()
    record_event(session, caller, "DOMAIN.CREATE", f"created domain {display_path(domain)}",
                 resource_type="Domain", resource_uuid=domain.uuid)
    return domain


def update_domain(session: Session, caller: Caller, domain: Domain, name: str | None = None,
                  network_domain: str | None = None) -> Domain:
    """Rename a domain (its subtree's paths follow) and/or change its network domain."""
    if name is not None and name.strip() != domain.name:
        if domain.parent_id is None:
            raise InvalidParameter("name", "the ROOT domain cannot be renamed")
        name = check_object_name("name", name, "domain")
        parent = session.get(Domain, domain.parent_id)
        _check_sibling_name(session, parent, name, "name", exclude=domain)
        old_path, new_path = domain.path, f"{parent.path}{name}/"
        for below in session.scalars(select(Domain).where(scope.in_subtree(Domain.path, old_path))):
            below.path = new_path + below.path[len(old_path):]
        domain.name = name
    if network_domain is not None:
        domain.network_domain = check_network_domain("networkdomain", network_domain) if network_domain else None
    session.flush()
    record_event(session, caller, "DOMAIN.UPDATE", f"updated domain {display_path(domain)}",
                 resource_type="Domain", resource_uuid=domain.uuid)
    return domain


def list_domains(session: Session, caller: Caller, *, id: Domain | None = None, name: str | None = None,
                 level: int | None = None, listall: bool = False, keyword: str | None = None,
                 page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Domain], int]:
    """CloudStack's listDomains: the domain given by `id` (default: the caller's), with its whole
    subtree when `listall=true`; then filtered by name, level and keyword."""
    start = id if id is not None else session.get(Domain, caller.domain_id)
    statement = scope.visible(caller, "Domain")
    if listall:
        statement = statement.where(scope.in_subtree(Domain.path, start.path))
    else:
        statement = statement.where(Domain.id == start.id)
    if name is not None:
        statement = statement.where(func.lower(Domain.name) == name.lower())
    if level is not None:
        statement = statement.where(Domain.level == level)
    if keyword:
        statement = statement.where(Domain.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Domain.id), page, pagesize)


def delete_domain(session: Session, caller: Caller, domain: Domain, cleanup: bool = False) -> None:
    """Remove a domain. With child domains or accounts it refuses unless `cleanup`, which removes
    the whole subtree and its accounts (and their users) too.

    The domain is first marked Inactive and committed, so no account can be created in it
    meanwhile; if the removal fails it is marked Active again. A server dying in between leaves
    it Inactive until `restore_after_interrupted_delete` runs on the next start.
    """
    if domain.parent_id is None:
        raise InvalidParameter("id", "the ROOT domain cannot be deleted")
    if domain.id == caller.domain_id:
        raise InvalidParameter("id", f"domain {display_path(domain)} is the caller's own domain")
    subtree = list(session.scalars(select(Domain).where(scope.in_subtree(Domain.path, domain.path),
                                                        Domain.removed.is_(None))))
    subtree_ids = [d.id for d in subtree]
    accounts = list(session.scalars(select(Account).where(Account.domain_id.in_(subtree_ids),
                                                          Account.removed.is_(None))))
    children = len(subtree) - 1
    if not cleanup and (accounts or children):
        raise ResourceInUse(f"domain {display_path(domain)} still has {len(accounts)} account(s) and {children} "
                            f"child domain(s); delete them first or pass cleanup=true")
    domain_id = domain.id
    domain.state = DomainState.INACTIVE.value
    session.commit()
    try:
        for account in accounts:
            remove_account(session, caller, account)
        for below in sorted(subtree, key=lambda d: d.level, reverse=True):
            below.state = DomainState.INACTIVE.value
            below.mark_removed()
        record_event(session, caller, "DOMAIN.DELETE", f"deleted domain {display_path(domain)}"
                     + (" with its subdomains and accounts" if cleanup else ""),
                     resource_type="Domain", resource_uuid=domain.uuid)
        session.flush()
    except BaseException:
        session.rollback()
        _reactivate(session, domain_id)
        session.commit()
        raise


def _reactivate(session: Session, domain_id: int) -> None:
    domain = session.get(Domain, domain_id)
    if domain is not None and domain.removed is None:
        domain.state = DomainState.ACTIVE.value


def restore_after_interrupted_delete(session: Session, job: AsyncJob) -> None:
    """Job cleanup for deleteDomain: a domain left Inactive by a server that died is Active again."""
    params: dict[str, Any] = json.loads(job.cmd_info or "{}")
    domain = session.scalars(select(Domain).where(Domain.uuid == params.get("id"))).first()
    if domain is not None and domain.removed is None and domain.state == DomainState.INACTIVE:
        domain.state = DomainState.ACTIVE.value
        record_event(session, None, "DOMAIN.DELETE", f"deleting domain {display_path(domain)} was interrupted; "
                     "it is active again", level="WARN", account_id=job.account_id, domain_id=domain.id,
                     resource_type="Domain", resource_uuid=domain.uuid)
        log.warning("domain %s was left inactive by interrupted job %s; marked active again", domain.path, job.uuid)


register_cleanup("deleteDomain", restore_after_interrupted_delete)

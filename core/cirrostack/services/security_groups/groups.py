"""createSecurityGroup, deleteSecurityGroup, listSecurityGroups, and each account's "default" group.

Every account has a group named "default"; it is created the first time anything asks for it (listing
the account's groups, a deploy, a rule naming it), allows no ingress and every egress, and can never
be deleted. A group's name is unique within its account, compared without case.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, func, select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, SecurityGroup, SecurityGroupRule, SecurityGroupVmMap, VirtualMachine
from cirrostack.db.models.security_groups import DEFAULT_GROUP_NAME
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.services import events, scope
from cirrostack.services.context import Caller

scope.register_entity("SecurityGroup", SecurityGroup, scope.account_owned(SecurityGroup.account_id))
scope.register_entity("SecurityGroupRule", SecurityGroupRule, scope.account_owned(SecurityGroupRule.account_id))

_NAME_LENGTH = 255


def find_by_name(session: Session, account: Account, name: str) -> SecurityGroup | None:
    """The account's group called `name` (any case); the "default" group is created when missing."""
    if name.strip().lower() == DEFAULT_GROUP_NAME:
        return default_group(session, account)
    return session.scalars(select(SecurityGroup).where(SecurityGroup.account_id == account.id,
                                                       func.lower(SecurityGroup.name) == name.strip().lower())).first()


def default_group(session: Session, account: Account) -> SecurityGroup:
    """The account's "default" group, created on first use. Two first uses at once create one group:
    the account's row is held first."""
    found = _named(session, account.id, DEFAULT_GROUP_NAME)
    if found is not None:
        return found
    session.execute(update(Account).where(Account.id == account.id).values(id=Account.id)
                    .execution_options(synchronize_session=False))
    found = _named(session, account.id, DEFAULT_GROUP_NAME)
    if found is not None:
        return found
    group = SecurityGroup(name=DEFAULT_GROUP_NAME, description="Default Security Group", account_id=account.id,
                          domain_id=account.domain_id)
    session.add(group)
    session.flush()
    events.record(session, None, "SG.CREATE", f"Created default security group of account {account.name}",
                  account_id=account.id, domain_id=account.domain_id, resource_type="SecurityGroup",
                  resource_uuid=group.uuid)
    return group


def create(session: Session, caller: Caller, owner: Account, name: str, description: str | None = None
           ) -> SecurityGroup:
    """A new empty group of `owner`. Records SG.CREATE. Raises InvalidParameter("name", ...) for an
    empty or too long name, or one the account already uses (including "default")."""
    clean = name.strip()
    if not clean or len(clean) > _NAME_LENGTH:
        raise InvalidParameter("name", f"{name!r} is not a security group name: use 1..{_NAME_LENGTH} characters")
    if find_by_name(session, owner, clean) is not None:
        raise InvalidParameter("name", f"account {owner.name} already has a security group named {clean!r}")
    group = SecurityGroup(name=clean, description=description, account_id=owner.id, domain_id=owner.domain_id)
    session.add(group)
    session.flush()
    events.record(session, caller, "SG.CREATE", f"Created security group {clean} ({group.uuid})",
                  account_id=owner.id, domain_id=owner.domain_id, resource_type="SecurityGroup",
                  resource_uuid=group.uuid)
    return group


def delete(session: Session, caller: Caller, group: SecurityGroup) -> None:
    """Remove a group with its rules. Records SG.DELETE. Refuses "default" (InvalidParameter), and a
    group with member VMs that are not expunged or one that other groups' rules name (ResourceInUse)."""
    if group.name.lower() == DEFAULT_GROUP_NAME:
        raise InvalidParameter("id", f"security group {group.name} ({group.uuid}) is the account's default group "
                                     "and cannot be deleted")
    members = member_vm_names(session, [group.id])
    if members:
        raise ResourceInUse(f"security group {group.name} ({group.uuid}) is in use by VM(s) "
                           f"{', '.join(sorted(members)[:5])}; expunge them first")
    naming = session.scalars(select(SecurityGroup.name).join(
        SecurityGroupRule, SecurityGroupRule.security_group_id == SecurityGroup.id).where(
        SecurityGroupRule.allowed_group_id == group.id, SecurityGroup.id != group.id).distinct()).all()
    if naming:
        raise ResourceInUse(f"security group {group.name} ({group.uuid}) is named by rules of group(s) "
                           f"{', '.join(sorted(naming))}; revoke those rules first")
    for rule in session.scalars(select(SecurityGroupRule).where(SecurityGroupRule.security_group_id == group.id)):
        session.delete(rule)
    # Only expunged VMs can still be mapped to it here; their rows go with the group.
    for member in session.scalars(select(SecurityGroupVmMap).where(SecurityGroupVmMap.security_group_id == group.id)):
        session.delete(member)
    session.flush()
    session.delete(group)
    events.record(session, caller, "SG.DELETE", f"Deleted security group {group.name} ({group.uuid})",
                  account_id=group.account_id, domain_id=group.domain_id, resource_type="SecurityGroup",
                  resource_uuid=group.uuid)
    session.flush()


def member_vm_names(session: Session, group_ids: list[int]) -> list[str]:
    """Names of the VMs (not expunged) that belong to any of `group_ids`."""
    return list(session.scalars(select(VirtualMachine.name).join(
        SecurityGroupVmMap, SecurityGroupVmMap.vm_id == VirtualMachine.id).where(
        SecurityGroupVmMap.security_group_id.in_(group_ids), VirtualMachine.removed.is_(None)).distinct()))


def list_groups(session: Session, caller: Caller, owners: scope.ListScope, *, group: SecurityGroup | None = None,
                name: str | None = None, vm: VirtualMachine | None = None, keyword: str | None = None,
                page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[SecurityGroup], int]:
    """Groups within the caller's scope, oldest first. The caller's own "default" group is made first,
    so an account always sees it."""
    own = session.get(Account, caller.account_id)
    if own is not None:
        default_group(session, own)
    statement: Select[Any] = scope.visible(caller, "SecurityGroup")
    if group is not None:
        statement = statement.where(SecurityGroup.id == group.id)
    elif vm is None:
        statement = owners.apply(statement, SecurityGroup.account_id)
    if name is not None:
        statement = statement.where(func.lower(SecurityGroup.name) == name.strip().lower())
    if vm is not None:
        statement = statement.where(SecurityGroup.id.in_(
            select(SecurityGroupVmMap.security_group_id).where(SecurityGroupVmMap.vm_id == vm.id)))
    if keyword:
        statement = statement.where(SecurityGroup.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(SecurityGroup.id), page, pagesize)


def _named(session: Session, account_id: int, name: str) -> SecurityGroup | None:
    return session.scalars(select(SecurityGroup).where(SecurityGroup.account_id == account_id,
                                                       SecurityGroup.name == name)).first()


def vm_security_group_rows(connection: Connection, vm_ids: Any) -> dict[int, list[Row[Any]]]:
    """The groups of each VM of `vm_ids` (a list, or a select of ids) as rows (vm_id, uuid, name,
    description), for listVirtualMachines' `securitygroup` field; read as plain rows like the VM page."""
    rows = connection.execute(select(SecurityGroupVmMap.vm_id, SecurityGroup.uuid, SecurityGroup.name,
                                     SecurityGroup.description).join(
        SecurityGroup, SecurityGroup.id == SecurityGroupVmMap.security_group_id).where(
        SecurityGroupVmMap.vm_id.in_(vm_ids)).order_by(SecurityGroupVmMap.id))
    found: dict[int, list[Row[Any]]] = {}
    for row in rows:
        found.setdefault(row.vm_id, []).append(row)
    return found

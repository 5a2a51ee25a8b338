"""Creating, finding, listing and deleting affinity groups (createAffinityGroup, deleteAffinityGroup,
listAffinityGroups).

A group belongs to one account; its name is unique among that account's live groups (any case). Deleting a
group takes its VMs out of it, as CloudStack 4.3 does; the VMs themselves are not touched.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, Domain, VirtualMachine
from cirrostack.db.models.affinity import AffinityGroup, AffinityGroupVMMap
from cirrostack.db.paging import fetch_page
from cirrostack.errors import InvalidParameter
from cirrostack.services import events, scope
from cirrostack.services.affinity.types import affinity_type
from cirrostack.services.context import Caller


def create_group(session: Session, caller: Caller, owner: Account, name: str, type_name: str,
                 description: str | None = None) -> AffinityGroup:
    """A new group of `owner` called `name`, of the registered type `type_name`.

    Raises InvalidParameter naming `type` (no such type) or `name` (empty, or taken in the account)."""
    kind = affinity_type(type_name)
    name = name.strip()
    if not name:
        raise InvalidParameter("name", "an affinity group needs a name")
    if find_by_name(session, owner, name) is not None:
        raise InvalidParameter("name", f"account {owner.name} already has an affinity group named {name}")
    group = AffinityGroup(name=name, description=description, type=kind.name, account_id=owner.id,
                          domain_id=owner.domain_id)
    try:
        with session.begin_nested():
            session.add(group)
    except IntegrityError:  # a concurrent create of the same name committed first
        raise InvalidParameter("name", f"account {owner.name} already has an affinity group named {name}") from None
    events.record(session, caller, "AG.CREATE", f"Created affinity group {name} ({kind.name})",
                  account_id=owner.id, domain_id=owner.domain_id, resource_type="AffinityGroup",
                  resource_uuid=group.uuid)
    return group


def find_by_name(session: Session, owner: Account, name: str) -> AffinityGroup | None:
    """`owner`'s live group called `name` (any case), if any."""
    return session.scalars(select(AffinityGroup).where(
        AffinityGroup.account_id == owner.id, AffinityGroup.removed.is_(None),
        func.lower(AffinityGroup.name) == name.strip().lower())).first()


def require_by_name(session: Session, owner: Account, name: str, param: str) -> AffinityGroup:
    """`owner`'s group called `name`; InvalidParameter naming `param` when the account has none."""
    found = find_by_name(session, owner, name)
    if found is None:
        raise InvalidParameter(param, f"account {owner.name} has no affinity group named {name}")
    return found


def delete_group(session: Session, caller: Caller, group: AffinityGroup) -> None:
    """Remove `group`, taking its VMs out of it."""
    members = session.execute(delete(AffinityGroupVMMap).where(AffinityGroupVMMap.group_id == group.id)).rowcount
    group.mark_removed()
    events.record(session, caller, "AG.DELETE", f"Deleted affinity group {group.name} ({group.type}), which had "
                  f"{members} VM(s)", account_id=group.account_id, domain_id=group.domain_id,
                  resource_type="AffinityGroup", resource_uuid=group.uuid)


@dataclass(frozen=True)
class GroupFilter:
    """listAffinityGroups' filters (None: not filtered)."""

    group_id: int | None = None
    name: str | None = None
    type_name: str | None = None
    vm_id: int | None = None
    keyword: str | None = None


def list_groups(session: Session, caller: Caller, owners: scope.ListScope, wanted: GroupFilter, *, page: int = 1,
                page_size: int | None = None) -> tuple[list[AffinityGroup], int]:
    """One page of the live groups `caller` sees within `owners` that match `wanted`, oldest first, and the
    total count."""
    statement = owners.apply(scope.visible(caller, "AffinityGroup"), AffinityGroup.account_id)
    if wanted.group_id is not None:
        statement = statement.where(AffinityGroup.id == wanted.group_id)
    if wanted.name is not None:
        statement = statement.where(func.lower(AffinityGroup.name) == wanted.name.lower())
    if wanted.type_name is not None:
        statement = statement.where(func.lower(AffinityGroup.type) == wanted.type_name.lower())
    if wanted.vm_id is not None:
        statement = statement.where(AffinityGroup.id.in_(
            select(AffinityGroupVMMap.group_id).where(AffinityGroupVMMap.vm_id == wanted.vm_id)))
    if wanted.keyword:
        statement = statement.where(AffinityGroup.name.contains(wanted.keyword, autoescape=True))
    return fetch_page(session, statement.order_by(AffinityGroup.id), page, page_size)


@dataclass(frozen=True)
class GroupOwnership:
    """The owner fields a group's view shows."""

    account_name: str
    domain_uuid: str
    domain_name: str


def owners_of(session: Session, groups: Iterable[AffinityGroup]) -> dict[int, GroupOwnership]:
    """The owner fields of each group, by group id, in one query."""
    ids = [group.id for group in groups]
    if not ids:
        return {}
    rows = session.execute(select(AffinityGroup.id, Account.name, Domain.uuid, Domain.name)
                           .join(Account, Account.id == AffinityGroup.account_id)
                           .join(Domain, Domain.id == AffinityGroup.domain_id).where(AffinityGroup.id.in_(ids)))
    return {group_id: GroupOwnership(account, domain_uuid, domain) for group_id, account, domain_uuid, domain in rows}


def member_uuids(session: Session, groups: Iterable[AffinityGroup]) -> dict[int, list[str]]:
    """The uuids of each group's live VMs, by group id, in one query."""
    ids = [group.id for group in groups]
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return found
    rows = session.execute(select(AffinityGroupVMMap.group_id, VirtualMachine.uuid)
                           .join(VirtualMachine, VirtualMachine.id == AffinityGroupVMMap.vm_id)
                           .where(AffinityGroupVMMap.group_id.in_(ids), VirtualMachine.removed.is_(None))
                           .order_by(VirtualMachine.id))
    for group_id, uuid in rows:
        found[group_id].append(uuid)
    return found


def vm_group_rows(connection: Connection, vm_ids: Select[Any] | list[int]) -> dict[int, list[Row[Any]]]:
    """The live groups of each of `vm_ids` (a list or an id subquery) as plain rows of vm_id, uuid, name,
    description and type, by VM id, oldest group first: the VM views' `affinitygroup` list."""
    found: dict[int, list[Row[Any]]] = defaultdict(list)
    rows = connection.execute(select(AffinityGroupVMMap.vm_id, AffinityGroup.uuid, AffinityGroup.name,
                                     AffinityGroup.description, AffinityGroup.type)
                              .join(AffinityGroup, AffinityGroup.id == AffinityGroupVMMap.group_id)
                              .where(AffinityGroupVMMap.vm_id.in_(vm_ids), AffinityGroup.removed.is_(None))
                              .order_by(AffinityGroup.id))
    for row in rows:
        found[row.vm_id].append(row)
    return found

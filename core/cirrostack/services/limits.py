"""Resource limits of accounts and domains, and the counts checked against them.

A consumer (deploy, volume create, scale) calls `consume(session, account_id, ResourceType.CPU, 2)`
inside its transaction; the count of the account and of each domain above it goes up by a
conditional UPDATE that only matches while the new count stays within the limit, so concurrent
consumers can never pass a limit together (the database serialises the UPDATEs on the row).
`release` gives the amount back. The limit of an owner is its `resource_limits` row, else the
setting max.account.<name> / max.domain.<name>; -1 is unlimited. The ROOT domain and root-admin
accounts are never limited (they are still counted).

Units: instances, volumes and the other countable objects count 1 each; cpu counts cores;
memory MB; primary and secondary storage count bytes while their limits are given in GiB.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, Domain, VirtualMachine, VMState, Volume, VolumeState
from cirrostack.db.models.limits import ResourceCount, ResourceLimit
from cirrostack.db.models.snapshots import Snapshot, SnapshotState
from cirrostack.errors import CirroError, InvalidParameter, ResourceLimitExceeded
from cirrostack.services import scope, settings
from cirrostack.services.context import AccountType

UNLIMITED = -1
GIB = 1024 ** 3


class ResourceType(enum.IntEnum):
    """CloudStack's resource type numbers, as updateResourceLimit and listResourceLimits use them."""

    INSTANCE = 0
    PUBLIC_IP = 1
    VOLUME = 2
    SNAPSHOT = 3
    TEMPLATE = 4
    PROJECT = 5
    NETWORK = 6
    VPC = 7
    CPU = 8
    MEMORY = 9
    PRIMARY_STORAGE = 10
    SECONDARY_STORAGE = 11

    @property
    def label(self) -> str:
        """CloudStack's name of the type ("user_vm", "cpu", "primary_storage", ...)."""
        return _LABELS[self]

    @property
    def in_bytes(self) -> bool:
        return self in (ResourceType.PRIMARY_STORAGE, ResourceType.SECONDARY_STORAGE)


_LABELS = {ResourceType.INSTANCE: "user_vm", ResourceType.PUBLIC_IP: "public_ip", ResourceType.VOLUME: "volume",
           ResourceType.SNAPSHOT: "snapshot", ResourceType.TEMPLATE: "template", ResourceType.PROJECT: "project",
           ResourceType.NETWORK: "network", ResourceType.VPC: "vpc", ResourceType.CPU: "cpu",
           ResourceType.MEMORY: "memory", ResourceType.PRIMARY_STORAGE: "primary_storage",
           ResourceType.SECONDARY_STORAGE: "secondary_storage"}

#: The suffix of the max.account.* / max.domain.* setting of each type (PROJECT has none: unlimited).
SETTING_SUFFIX = {ResourceType.INSTANCE: "user.vms", ResourceType.PUBLIC_IP: "public.ips",
                  ResourceType.VOLUME: "volumes", ResourceType.SNAPSHOT: "snapshots",
                  ResourceType.TEMPLATE: "templates", ResourceType.NETWORK: "networks", ResourceType.VPC: "vpcs",
                  ResourceType.CPU: "cpus", ResourceType.MEMORY: "memory",
                  ResourceType.PRIMARY_STORAGE: "primary.storage", ResourceType.SECONDARY_STORAGE: "secondary.storage"}

ACCOUNT, DOMAIN = "account", "domain"


@dataclass(frozen=True)
class Owner:
    """An account or a domain, as limits see it."""

    kind: str
    id: int
    name: str
    unlimited: bool

    def describe(self) -> str:
        return f"{self.kind} {self.name}"


def resource_type(value: int, param: str = "resourcetype") -> ResourceType:
    """The ResourceType numbered `value`; anything else is a 431 naming `param`."""
    try:
        return ResourceType(value)
    except ValueError:
        raise InvalidParameter(param, f"resource types are numbered 0 to 11, not {value}") from None


def account_owner(account: Account) -> Owner:
    return Owner(ACCOUNT, account.id, account.name, account.type == AccountType.ROOT_ADMIN)


def domain_owner(domain: Domain) -> Owner:
    return Owner(DOMAIN, domain.id, domain.path, domain.parent_id is None)


def owners_of(session: Session, account_id: int) -> list[Owner]:
    """The account and every domain from its own up to (excluding nothing) the ROOT domain."""
    account = session.get(Account, account_id)
    if account is None:
        raise InvalidParameter("account", f"account id {account_id} does not exist")
    owners = [account_owner(account)]
    domain: Domain | None = account.domain
    while domain is not None:
        owners.append(domain_owner(domain))
        domain = session.get(Domain, domain.parent_id) if domain.parent_id is not None else None
    return owners


def limit_of(session: Session, owner: Owner, resource: ResourceType) -> int:
    """The limit of `owner` for `resource` in the API's unit (GiB for storage); -1 is unlimited."""
    if owner.unlimited:
        return UNLIMITED
    explicit = session.scalar(select(ResourceLimit.max).where(
        ResourceLimit.owner_type == owner.kind, ResourceLimit.owner_id == owner.id,
        ResourceLimit.resource_type == int(resource)))
    if explicit is not None:
        return int(explicit)
    suffix = SETTING_SUFFIX.get(resource)
    if suffix is None:
        return UNLIMITED
    return int(settings.value(session, f"max.{owner.kind}.{suffix}"))


def limits_of(session: Session, owner: Owner, resources: Iterable[ResourceType]) -> dict[ResourceType, int]:
    """`limit_of` for several resources, with one query for the explicit limits."""
    wanted = list(resources)
    if owner.unlimited:
        return dict.fromkeys(wanted, UNLIMITED)
    explicit = dict(session.execute(select(ResourceLimit.resource_type, ResourceLimit.max).where(
        ResourceLimit.owner_type == owner.kind, ResourceLimit.owner_id == owner.id,
        ResourceLimit.resource_type.in_([int(resource) for resource in wanted]))).all())
    found = {}
    for resource in wanted:
        if explicit.get(int(resource)) is not None:
            found[resource] = int(explicit[int(resource)])
        elif (suffix := SETTING_SUFFIX.get(resource)) is not None:
            found[resource] = int(settings.value(session, f"max.{owner.kind}.{suffix}"))
        else:
            found[resource] = UNLIMITED
    return found


def count_of(session: Session, owner: Owner, resource: ResourceType) -> int:
    """What `owner` holds of `resource` now (bytes for storage)."""
    found = session.scalar(select(ResourceCount.count).where(*_row_is(owner, resource)))
    return int(found or 0)


def consume(session: Session, account_id: int, resource: ResourceType, amount: int) -> None:
    """Count `amount` more of `resource` for the account and its domains, within their limits.

    Raises ResourceLimitExceeded (532) naming the resource, the limit and the account or domain
    whose limit it would pass; nothing stays counted then.
    """
    consume_all(session, account_id, {resource: amount})


def consume_all(session: Session, account_id: int, amounts: Mapping[ResourceType, int]) -> None:
    """`consume` for several resources at once (a deploy counts an instance, its CPUs, memory, ROOT
    volume and its bytes): all of them are counted, or, raising ResourceLimitExceeded for the first
    that passes a limit, none. An owner without limits has its counts moved by one UPDATE."""
    wanted = {resource: amount for resource, amount in amounts.items() if amount > 0}
    if not wanted:
        return
    done: list[tuple[Owner, ResourceType, int]] = []
    try:
        for owner in owners_of(session, account_id):
            if owner.unlimited and _add_unlimited(session, owner, wanted):
                done.extend((owner, resource, amount) for resource, amount in wanted.items())
                continue
            owner_limits = limits_of(session, owner, wanted)
            for resource, amount in wanted.items():
                _consume_one(session, owner, resource, amount, owner_limits[resource])
                done.append((owner, resource, amount))
    except ResourceLimitExceeded:
        for owner, resource, amount in done:
            _decrease(session, owner, resource, amount)
        raise


def _consume_one(session: Session, owner: Owner, resource: ResourceType, amount: int, limit: int) -> None:
    ceiling = None if limit == UNLIMITED else (limit * GIB if resource.in_bytes else limit)
    if not _add(session, owner, resource, amount, ceiling):
        held = count_of(session, owner, resource)
        raise ResourceLimitExceeded(
            f"Maximum number of resources of type '{resource.label}' for {owner.describe()} has been exceeded: "
            f"the limit is {_amount(resource, limit, limit_unit=True)}, {_amount(resource, held)} are in use "
            f"and {_amount(resource, amount)} more were asked for")


#: Per database, the count rows known to exist (rows are never deleted), so that an owner without
#: limits can have several counts moved by one UPDATE and tell from its row count that all moved.
_ENSURED = "cirrostack.limits.ensured_rows"
_KNOWN_ROWS: WeakKeyDictionary[Any, set[tuple[str, int, int]]] = WeakKeyDictionary()


def _add_unlimited(session: Session, owner: Owner, amounts: dict[ResourceType, int]) -> bool:
    """Add every amount to `owner`'s counts in one UPDATE when all their rows are known to exist;
    False (nothing done) when some is not known yet, for the caller to count one by one."""
    known = _KNOWN_ROWS.setdefault(session.get_bind(), set())
    keys = [(owner.kind, owner.id, int(resource)) for resource in amounts]
    if not all(key in known for key in keys):
        return False
    if len(amounts) == 1:
        (resource, amount), = amounts.items()
        values = {"kind": owner.kind, "owner": owner.id, "resource": int(resource), "amount": amount}
        moved = session.execute(_ADD, values).rowcount
    else:
        by_type = case({int(resource): amount for resource, amount in amounts.items()},
                       value=ResourceCount.resource_type)
        moved = session.execute(update(ResourceCount).where(
            ResourceCount.owner_type == owner.kind, ResourceCount.owner_id == owner.id,
            ResourceCount.resource_type.in_([int(resource) for resource in amounts])
        ).values(count=ResourceCount.count + by_type).execution_options(synchronize_session=False)).rowcount
    if moved != len(amounts):
        known.difference_update(keys)
        raise CirroError(f"the resource counts of {owner.describe()} changed while they were being counted "
                         "(a count row is missing); nothing was counted, try again")
    return True


_COUNT_ROW = (ResourceCount.owner_type == bindparam("kind"), ResourceCount.owner_id == bindparam("owner"),
              ResourceCount.resource_type == bindparam("resource"))
#: Built once: a deploy runs these for five resources and two or more owners, and building the
#: statement costs more than running it.
_ADD = (update(ResourceCount).where(*_COUNT_ROW).values(count=ResourceCount.count + bindparam("amount"))
        .execution_options(synchronize_session=False))
_ADD_WITHIN = _ADD.where(ResourceCount.count + bindparam("amount") <= bindparam("ceiling"))


def _add(session: Session, owner: Owner, resource: ResourceType, amount: int, ceiling: int | None) -> bool:
    """Add `amount` to the count unless that passes `ceiling`; False when it would. The count's row is
    created when the UPDATE matches none, which spares a SELECT on every call that fits."""
    values = {"kind": owner.kind, "owner": owner.id, "resource": int(resource), "amount": amount, "ceiling": ceiling}
    statement = _ADD if ceiling is None else _ADD_WITHIN
    key = (owner.kind, owner.id, int(resource))
    if session.execute(statement, values).rowcount == 1:
        if key not in session.info.get(_ENSURED, ()):  # a row this transaction made may yet roll back
            _KNOWN_ROWS.setdefault(session.get_bind(), set()).add(key)
        return True
    session.info.setdefault(_ENSURED, set()).add(key)
    _ensure_row(session, owner, resource)  # a first count of its kind; another transaction may be creating it
    return session.execute(statement, values).rowcount == 1


def release(session: Session, account_id: int, resource: ResourceType, amount: int) -> None:
    """Give back `amount` of `resource` for the account and its domains (never below zero)."""
    if amount <= 0:
        return
    for owner in owners_of(session, account_id):
        _decrease(session, owner, resource, amount)


def set_count(session: Session, owner: Owner, resource: ResourceType, value: int) -> None:
    """Overwrite a count (updateResourceCount after recounting the real objects)."""
    _ensure_row(session, owner, resource)
    session.execute(update(ResourceCount).where(*_row_is(owner, resource)).values(count=value))


def set_limit(session: Session, owner: Owner, resource: ResourceType, maximum: int | None) -> int:
    """Store `owner`'s limit (None removes it, falling back to the setting); returns the effective limit."""
    if maximum is not None and maximum < UNLIMITED:
        raise InvalidParameter("max", f"a limit is -1 (unlimited) or a number from 0, not {maximum}")
    row = session.scalars(select(ResourceLimit).where(
        ResourceLimit.owner_type == owner.kind, ResourceLimit.owner_id == owner.id,
        ResourceLimit.resource_type == int(resource))).first()
    if maximum is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(ResourceLimit(owner_type=owner.kind, owner_id=owner.id, resource_type=int(resource),
                                  max=maximum))
    else:
        row.max = maximum
    session.flush()
    return limit_of(session, owner, resource)


def _row_is(owner: Owner, resource: ResourceType) -> tuple:
    return (ResourceCount.owner_type == owner.kind, ResourceCount.owner_id == owner.id,
            ResourceCount.resource_type == int(resource))


def _ensure_row(session: Session, owner: Owner, resource: ResourceType) -> None:
    if session.scalar(select(ResourceCount.id).where(*_row_is(owner, resource))) is not None:
        return
    if session.get_bind().dialect.name in ("mysql", "mariadb"):
        # An upsert takes the row's exclusive lock at once. A plain INSERT that meets another transaction's new
        # row keeps a shared lock on it, and two such transactions deadlock when both then UPDATE the row.
        session.execute(mysql_insert(ResourceCount).values(
            owner_type=owner.kind, owner_id=owner.id, resource_type=int(resource), count=0,
        ).on_duplicate_key_update(count=ResourceCount.count))
        return
    try:
        with session.begin_nested():
            session.add(ResourceCount(owner_type=owner.kind, owner_id=owner.id, resource_type=int(resource), count=0))
    except IntegrityError:
        pass  # another transaction created it first; its row serves us too


def _decrease(session: Session, owner: Owner, resource: ResourceType, amount: int) -> None:
    session.execute(update(ResourceCount).where(*_row_is(owner, resource)).values(
        count=case((ResourceCount.count > amount, ResourceCount.count - amount), else_=0)))


def _amount(resource: ResourceType, value: int, limit_unit: bool = False) -> str:
    if value == UNLIMITED:
        return "unlimited"
    if resource.in_bytes:
        return f"{value} GiB" if limit_unit else f"{value / GIB:g} GiB"
    unit = {ResourceType.CPU: "cores", ResourceType.MEMORY: "MB"}.get(resource, "")
    return f"{value} {unit}".rstrip()


# -- recounting (updateResourceCount) ------------------------------------------------------------------

#: The types whose objects the server holds and can recount; the others keep their counts.
RECOUNTED = (ResourceType.INSTANCE, ResourceType.VOLUME, ResourceType.SNAPSHOT, ResourceType.CPU,
             ResourceType.MEMORY, ResourceType.PRIMARY_STORAGE, ResourceType.SECONDARY_STORAGE)


def recount_account(session: Session, account: Account, resource: ResourceType) -> int:
    """Count what `account` really holds of `resource` and store it as its count."""
    value = _held(session, select(Account.id).where(Account.id == account.id).scalar_subquery(), resource)
    set_count(session, account_owner(account), resource, value)
    return value


def recount_domain(session: Session, domain: Domain, resource: ResourceType) -> int:
    """Recount every account of `domain` and its subdomains, then the domains themselves."""
    for account in session.scalars(select(Account).where(Account.removed.is_(None), Account.id.in_(
            scope.accounts_in_subtree(domain.path)))):
        recount_account(session, account, resource)
    value = _held(session, scope.accounts_in_subtree(domain.path), resource)
    set_count(session, domain_owner(domain), resource, value)
    return value


def _held(session: Session, account_ids: object, resource: ResourceType) -> int:
    if resource is ResourceType.SECONDARY_STORAGE:
        # The copies live on image stores, which that module asks (it counts through this one).
        from cirrostack.services.templates.secondary_storage import held_bytes_for

        return held_bytes_for(session, account_ids)
    gone_vm = (VMState.DESTROYED, VMState.EXPUNGING, VMState.EXPUNGED, VMState.ERROR)
    vms = (VirtualMachine.account_id.in_(account_ids), VirtualMachine.removed.is_(None),
           VirtualMachine.state.not_in([state.value for state in gone_vm]))
    volumes = (Volume.account_id.in_(account_ids), Volume.removed.is_(None),
               Volume.state.not_in([VolumeState.DESTROY.value, VolumeState.EXPUNGED.value]))
    snapshots = (Snapshot.account_id.in_(account_ids), Snapshot.removed.is_(None),
                 Snapshot.state.in_([SnapshotState.CREATING.value, SnapshotState.BACKED_UP.value]))
    measure = {ResourceType.INSTANCE: (func.count(VirtualMachine.id), vms),
               ResourceType.SNAPSHOT: (func.count(Snapshot.id), snapshots),
               ResourceType.CPU: (func.sum(VirtualMachine.cpus), vms),
               ResourceType.MEMORY: (func.sum(VirtualMachine.memory_mb), vms),
               ResourceType.VOLUME: (func.count(Volume.id), volumes),
               ResourceType.PRIMARY_STORAGE: (func.sum(Volume.size_bytes), volumes)}.get(resource)
    if measure is None:
        raise InvalidParameter("resourcetype", f"{resource.label} ({int(resource)}) is not recounted; the "
                                               f"recounted types are {', '.join(str(int(t)) for t in RECOUNTED)}")
    aggregate, conditions = measure
    return int(session.scalar(select(aggregate).where(*conditions)) or 0)

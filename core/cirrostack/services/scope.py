"""What a caller may see: per-entity visibility rules, loading objects by uuid, list scopes.

The root admin sees everything; a domain admin sees what belongs to their domain and the domains
below it; any other caller only what belongs to their own account. Objects outside the scope are
reported exactly like objects that do not exist, so no tenant learns of another's objects.

Each entity type registers itself once:

    register_entity("VirtualMachine", VirtualMachine, account_owned(VirtualMachine.account_id))

and the dispatcher then loads `Uuid("VirtualMachine")` parameters through `load_visible`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, lazyload

from cirrostack.db.models import Account, AsyncJob, Domain, User
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services.context import AccountType, Caller

#: Narrows a `select(model)` to the rows `caller` may see.
VisibilityRule = Callable[[Select[Any], Caller], Select[Any]]


@dataclass(frozen=True)
class Entity:
    name: str
    model: type
    rule: VisibilityRule


_ENTITIES: dict[str, Entity] = {}


def register_entity(name: str, model: type, visibility_rule: VisibilityRule) -> None:
    """Make `Uuid(name)` parameters loadable. `model` needs a `uuid` column; rows with `removed`
    set are never visible. Registering a different model under a taken name raises ValueError."""
    existing = _ENTITIES.get(name)
    if existing is not None and existing.model is not model:
        raise ValueError(f"entity {name} is already registered for {existing.model.__name__}")
    _ENTITIES[name] = Entity(name, model, visibility_rule)


def registered_entity(name: str) -> Entity:
    try:
        return _ENTITIES[name]
    except KeyError:
        raise LookupError(f"no entity type {name!r} is registered (known: {', '.join(sorted(_ENTITIES))})") from None


def visible(caller: Caller, entity_name: str) -> Select[Any]:
    """`select(model)` of the live rows of `entity_name` that `caller` may see."""
    registered = registered_entity(entity_name)
    statement = select(registered.model)
    removed = getattr(registered.model, "removed", None)
    if removed is not None:
        statement = statement.where(removed.is_(None))
    return registered.rule(statement, caller)


def load_visible(session: Session, caller: Caller, entity: str, uuid: str, param: str) -> Any:
    """The `entity` row with this uuid if `caller` may see it.

    Raises InvalidParameter (431) naming `param` when it does not exist, was removed, or
    belongs to someone outside the caller's scope; the three cases read the same.
    """
    model = registered_entity(entity).model
    # The row alone: its relations load when something reads them (most handlers read none, and the
    # eager joins of a zone, offering or template cost more than the row).
    found = session.scalars(visible(caller, entity).where(model.uuid == uuid).options(lazyload("*"))).first()
    if found is None:
        raise InvalidParameter(param, f"{entity} {uuid} does not exist")
    return found


# -- rules -----------------------------------------------------------------------------------------


def sees_domain_subtree(caller: Caller) -> bool:
    """Domain admins and resource admins see their domain and everything below it."""
    return caller.account_type in (AccountType.DOMAIN_ADMIN, AccountType.RESOURCE_ADMIN)


def in_subtree(path_column: Any, domain_path: str) -> Any:
    """SQL condition: the domain path in `path_column` is `domain_path` or below it."""
    return path_column.startswith(domain_path, autoescape=True)


def accounts_in_subtree(domain_path: str) -> Select[Any]:
    """Ids of the accounts whose domain is `domain_path` or below it (for `IN` conditions)."""
    return select(Account.id).join(Domain, Domain.id == Account.domain_id).where(in_subtree(Domain.path, domain_path))


def account_owned(account_id_column: Any) -> VisibilityRule:
    """The rule for objects owned by an account through `account_id_column`."""

    def rule(statement: Select[Any], caller: Caller) -> Select[Any]:
        if caller.is_root_admin:
            return statement
        if sees_domain_subtree(caller):
            return statement.where(account_id_column.in_(accounts_in_subtree(caller.domain_path)))
        return statement.where(account_id_column == caller.account_id)

    return rule


def _domain_rule(statement: Select[Any], caller: Caller) -> Select[Any]:
    if caller.is_root_admin:
        return statement
    if sees_domain_subtree(caller):
        return statement.where(in_subtree(Domain.path, caller.domain_path))
    return statement.where(Domain.id == caller.domain_id)


register_entity("Domain", Domain, _domain_rule)
register_entity("Account", Account, account_owned(Account.id))
register_entity("User", User, account_owned(User.account_id))
register_entity("AsyncJob", AsyncJob, account_owned(AsyncJob.account_id))


# -- list scopes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListScope:
    """Which owners a list command covers, after `account`/`domainid`/`isrecursive`/`listall`.

    `account_ids` None means any account (still within the caller's visibility); `domain`
    None means any domain, else that domain alone or with its subtree when `recursive`.
    """

    account_ids: tuple[int, ...] | None = None
    domain: Domain | None = None
    recursive: bool = False

    def apply(self, statement: Select[Any], account_id_column: Any) -> Select[Any]:
        """Narrow a statement over account-owned rows to this scope."""
        if self.account_ids is not None:
            statement = statement.where(account_id_column.in_(self.account_ids))
        if self.domain is not None:
            if self.recursive:
                statement = statement.where(account_id_column.in_(accounts_in_subtree(self.domain.path)))
            else:
                statement = statement.where(
                    account_id_column.in_(select(Account.id).where(Account.domain_id == self.domain.id)))
        return statement


def list_scope(session: Session, caller: Caller, *, account: str | None = None, domain: Domain | None = None,
               isrecursive: bool = False, listall: bool = False, by_id: bool = False) -> ListScope:
    """CloudStack's rules for the owner parameters of list commands.

    - a user always lists their own account's objects;
    - `account` (a name) picks one account in `domain` (default: the caller's domain);
    - `domainid` lists that domain (and its subtree with `isrecursive=true`);
    - `listall=true` lists everything the caller may see; without it, and without `id`,
      `account` or `domainid`, admins too get only their own account's objects.
    `domain` must already be one the caller may see (load it with `load_visible`).
    """
    if not caller.is_root_admin and not sees_domain_subtree(caller):
        if account is not None and account.lower() != caller.account_name.lower():
            raise InvalidParameter("account", f"no account named {account} in your domain")
        return ListScope(account_ids=(caller.account_id,))
    if account is not None:
        return ListScope(account_ids=(find_account(session, caller, account, domain).id,))
    if domain is not None:
        return ListScope(domain=domain, recursive=isrecursive)
    if listall or by_id:
        return ListScope()
    return ListScope(account_ids=(caller.account_id,))


def acting_account(session: Session, caller: Caller, account: str | None, domain: Domain | None,
                   what: str) -> Account:
    """The account a command acts for: `account` in `domain` for an administrator, else the caller's own.

    Raises InvalidParameter when `domain` comes without `account`, PermissionDenied when a user names
    another account (`what` says what they tried, e.g. "create networks")."""
    if account is None:
        if domain is not None:
            raise InvalidParameter("domainid", "give account together with domainid")
        return session.get(Account, caller.account_id)
    if caller.account_type is AccountType.USER and account.lower() != caller.account_name.lower():
        raise PermissionDenied(f"account: only administrators can {what} for another account")
    return find_account(session, caller, account, domain)


def find_account(session: Session, caller: Caller, name: str, domain: Domain | None,
                 param: str = "account") -> Account:
    """The live account called `name` (any case) in `domain`, default the caller's domain."""
    domain_id = domain.id if domain is not None else caller.domain_id
    statement = visible(caller, "Account").where(Account.domain_id == domain_id,
                                                 func.lower(Account.name) == name.lower())
    found = session.scalars(statement).first()
    if found is None:
        where = domain.path if domain is not None else caller.domain_path
        raise InvalidParameter(param, f"no account named {name} in domain {where}")
    return found

"""Accounts: create (with a first user), rename, enable, disable or lock, delete, list."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.audit import record_event
from cirrostack.db.models import Account, AccountState, Domain, DomainState, User
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, InvalidState, MissingParameter, PermissionDenied
from cirrostack.services import scope
from cirrostack.services.accounts._names import check_network_domain, check_object_name
from cirrostack.services.accounts.users import add_user
from cirrostack.services.context import AccountType, Caller

CREATABLE_TYPES = {AccountType.USER, AccountType.ROOT_ADMIN, AccountType.DOMAIN_ADMIN, AccountType.RESOURCE_ADMIN}


def _check_account_name_free(session: Session, domain: Domain, name: str, param: str) -> None:
    clash = session.scalars(select(Account.id).where(Account.domain_id == domain.id, Account.removed.is_(None),
                                                     func.lower(Account.name) == name.lower())).first()
    if clash is not None:
        raise InvalidParameter(param, f"an account named {name} already exists in domain {domain.path}")


def create_account(session: Session, caller: Caller, *, accounttype: int, username: str, password: str,
                   email: str, firstname: str, lastname: str, domain: Domain | None = None,
                   account: str | None = None, networkdomain: str | None = None, timezone: str | None = None,
                   accountid: str | None = None, userid: str | None = None) -> Account:
    """A new account in `domain` (default: the caller's) with its first user `username`.

    The account is named `account`, or after the user. Only the root admin creates root-admin
    accounts. Names clash per domain (431 naming `account` or `username`).
    """
    try:
        account_type = AccountType(accounttype)
    except ValueError:
        raise InvalidParameter("accounttype", f"{accounttype} is not an account type; use 0 (user), 1 (root admin), "
                                              "2 (domain admin) or 3 (resource admin)") from None
    if account_type is AccountType.ROOT_ADMIN and not caller.is_root_admin:
        raise PermissionDenied("accounttype: only the root admin can create root admin accounts")
    if domain is None:
        domain = session.get(Domain, caller.domain_id)
    if domain.state != DomainState.ACTIVE:
        raise InvalidState(f"domainid: domain {domain.path} is being deleted")
    name = check_object_name("account", account if account is not None else username, "account")
    _check_account_name_free(session, domain, name, "account" if account is not None else "username")
    if networkdomain:
        check_network_domain("networkdomain", networkdomain)
    if accountid and session.scalars(select(Account.id).where(Account.uuid == accountid)).first():
        raise InvalidParameter("accountid", f"an account with id {accountid} already exists")
    created = Account(name=name, type=account_type.value, domain_id=domain.id, network_domain=networkdomain or None)
    if accountid:
        created.uuid = accountid
    session.add(created)
    session.flush()
    add_user(session, caller, created, username=username, password=password, email=email, firstname=firstname,
             lastname=lastname, timezone=timezone, userid=userid)
    record_event(session, caller, "ACCOUNT.CREATE", f"created account {name} in domain {domain.path}",
                 account_id=created.id, domain_id=domain.id, resource_type="Account", resource_uuid=created.uuid)
    session.refresh(created)
    return created


def resolve_account(session: Session, caller: Caller, id: Account | None, account: str | None,
                    domain: Domain | None, command: str) -> Account:
    """The account a command names by `id`, or by `account` + `domainid` (CloudStack accepts both)."""
    if id is not None:
        return id
    if account is None:
        raise MissingParameter(command, "id")
    if domain is None:
        raise InvalidParameter("domainid", "required together with account (or pass id instead)")
    return scope.find_account(session, caller, account, domain)


def update_account(session: Session, caller: Caller, account: Account, newname: str,
                   networkdomain: str | None = None) -> Account:
    """Rename an account and/or change its network domain."""
    newname = check_object_name("newname", newname, "account")
    if newname.lower() != account.name.lower():
        _check_account_name_free(session, account.domain, newname, "newname")
    account.name = newname
    if networkdomain is not None:
        account.network_domain = check_network_domain("networkdomain", networkdomain) if networkdomain else None
    record_event(session, caller, "ACCOUNT.UPDATE", f"updated account {account.name}", account_id=account.id,
                 domain_id=account.domain_id, resource_type="Account", resource_uuid=account.uuid)
    session.flush()
    return account


def _check_not_own(caller: Caller, account: Account, action: str) -> None:
    if account.id == caller.account_id:
        raise PermissionDenied(f"account {account.name}: you cannot {action} the account you are calling from")


def disable_account(session: Session, caller: Caller, account: Account, lock: bool) -> Account:
    """Disable (or, with `lock`, lock) an account: none of its users can log in or use API keys."""
    _check_not_own(caller, account, "lock" if lock else "disable")
    account.state = (AccountState.LOCKED if lock else AccountState.DISABLED).value
    record_event(session, caller, "ACCOUNT.DISABLE", f"{'locked' if lock else 'disabled'} account {account.name}",
                 account_id=account.id, domain_id=account.domain_id, resource_type="Account",
                 resource_uuid=account.uuid)
    session.flush()
    return account


def enable_account(session: Session, caller: Caller, account: Account) -> Account:
    account.state = AccountState.ENABLED.value
    record_event(session, caller, "ACCOUNT.ENABLE", f"enabled account {account.name}", account_id=account.id,
                 domain_id=account.domain_id, resource_type="Account", resource_uuid=account.uuid)
    session.flush()
    return account


def delete_account(session: Session, caller: Caller, account: Account) -> None:
    """Remove an account and all its users."""
    _check_not_own(caller, account, "delete")
    remove_account(session, caller, account)


def remove_account(session: Session, caller: Caller, account: Account) -> None:
    """Mark an account and its users removed (also used when a domain is deleted with cleanup)."""
    for user in session.scalars(select(User).where(User.account_id == account.id, User.removed.is_(None))):
        user.mark_removed()
    account.mark_removed()
    record_event(session, caller, "ACCOUNT.DELETE", f"deleted account {account.name}", account_id=account.id,
                 domain_id=account.domain_id, resource_type="Account", resource_uuid=account.uuid)
    session.flush()


def list_accounts(session: Session, caller: Caller, *, id: Account | None = None, name: str | None = None,
                  accounttype: int | None = None, state: str | None = None, domainid: Domain | None = None,
                  isrecursive: bool = False, listall: bool = False, keyword: str | None = None,
                  page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Account], int]:
    """CloudStack's listAccounts within the caller's scope (see `scope.list_scope`)."""
    statement = scope.visible(caller, "Account")
    list_scope = scope.list_scope(session, caller, domain=domainid, isrecursive=isrecursive, listall=listall,
                                  by_id=id is not None or name is not None)
    statement = list_scope.apply(statement, Account.id)
    if id is not None:
        statement = statement.where(Account.id == id.id)
    if name is not None:
        statement = statement.where(func.lower(Account.name) == name.lower())
    if accounttype is not None:
        statement = statement.where(Account.type == accounttype)
    if state is not None:
        statement = statement.where(func.lower(Account.state) == state.lower())
    if keyword:
        statement = statement.where(Account.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Account.id), page, pagesize)

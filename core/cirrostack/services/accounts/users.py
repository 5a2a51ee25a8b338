"""Users of accounts: create, update, delete, list, and their API keys."""

from __future__ import annotations

import secrets as token_source
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.audit import record_event
from cirrostack.db.models import Account, Domain, User, UserState
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services import scope
from cirrostack.services.accounts.passwords import hash_password
from cirrostack.services.context import Caller

#: Bytes of randomness in generated API and secret keys (86 url-safe characters, as CloudStack's).
KEY_BYTES = 64


def check_timezone(timezone: str | None) -> str | None:
    """An IANA time zone name such as Europe/Paris (empty means none)."""
    if not timezone:
        return None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidParameter("timezone", f"{timezone!r} is not a known time zone; use an IANA name such as "
                                           "Europe/Paris or UTC") from None
    return timezone


def _check_username_free(session: Session, domain_id: int, username: str, domain_path: str,
                         exclude: User | None = None) -> None:
    clash = session.scalars(select(User).where(User.domain_id == domain_id, User.removed.is_(None),
                                               func.lower(User.username) == username.lower())).first()
    if clash is not None and clash is not exclude:
        raise InvalidParameter("username", f"a user named {username} already exists in domain {domain_path}")


def add_user(session: Session, caller: Caller, account: Account, *, username: str, password: str, email: str,
             firstname: str, lastname: str, timezone: str | None = None, userid: str | None = None) -> User:
    """A new enabled user in `account`; usernames are unique per domain (any case)."""
    username = username.strip()
    if not username:
        raise InvalidParameter("username", "must not be empty")
    if not password:
        raise InvalidParameter("password", "must not be empty")
    domain = account.domain or session.get(Domain, account.domain_id)
    _check_username_free(session, account.domain_id, username, domain.path)
    if userid and session.scalars(select(User.id).where(User.uuid == userid)).first():
        raise InvalidParameter("userid", f"a user with id {userid} already exists")
    user = User(username=username, account_id=account.id, domain_id=account.domain_id,
                password_hash=hash_password(password), email=email, firstname=firstname, lastname=lastname,
                timezone=check_timezone(timezone))
    if userid:
        user.uuid = userid
    session.add(user)
    session.flush()
    record_event(session, caller, "USER.CREATE", f"created user {username} in account {account.name}",
                 account_id=account.id, domain_id=account.domain_id, resource_type="User", resource_uuid=user.uuid)
    return user


def create_user(session: Session, caller: Caller, *, account: str, username: str, password: str, email: str,
                firstname: str, lastname: str, domain: Domain | None = None, timezone: str | None = None,
                userid: str | None = None) -> User:
    """createUser: a user in the account named `account` of `domain` (default: the caller's)."""
    owner = scope.find_account(session, caller, account, domain)
    user = add_user(session, caller, owner, username=username, password=password, email=email,
                    firstname=firstname, lastname=lastname, timezone=timezone, userid=userid)
    session.refresh(user)
    return user


def update_user(session: Session, caller: Caller, secrets: Any, user: User, *, username: str | None = None,
                password: str | None = None, email: str | None = None, firstname: str | None = None,
                lastname: str | None = None, timezone: str | None = None, userapikey: str | None = None,
                usersecretkey: str | None = None) -> User:
    """Change a user's details; `userapikey` and `usersecretkey` set the API keys (both or neither)."""
    if username is not None and username.strip() != user.username:
        username = username.strip()
        if not username:
            raise InvalidParameter("username", "must not be empty")
        _check_username_free(session, user.domain_id, username, user.account.domain.path, exclude=user)
        user.username = username
    if password is not None:
        if not password:
            raise InvalidParameter("password", "must not be empty")
        user.password_hash = hash_password(password)
    for field, value in (("email", email), ("firstname", firstname), ("lastname", lastname)):
        if value is not None:
            setattr(user, field, value)
    if timezone is not None:
        user.timezone = check_timezone(timezone)
    if (userapikey is None) != (usersecretkey is None):
        missing = "usersecretkey" if usersecretkey is None else "userapikey"
        raise InvalidParameter(missing, "userapikey and usersecretkey must be given together")
    if userapikey is not None:
        _check_api_key_free(session, userapikey, user)
        user.api_key, user.secret_key = userapikey, secrets.encrypt(usersecretkey)
    record_event(session, caller, "USER.UPDATE", f"updated user {user.username}", account_id=user.account_id,
                 domain_id=user.domain_id, resource_type="User", resource_uuid=user.uuid)
    session.flush()
    return user


def _check_api_key_free(session: Session, api_key: str, owner: User) -> None:
    clash = session.scalars(select(User).where(User.api_key == api_key)).first()
    if clash is not None and clash is not owner:
        raise InvalidParameter("userapikey", "this API key is already in use by another user")


def delete_user(session: Session, caller: Caller, user: User) -> None:
    """Remove a user; callers cannot remove themselves."""
    if user.id == caller.user_id:
        raise PermissionDenied(f"user {user.username}: you cannot delete the user you are calling as")
    user.mark_removed()
    user.api_key = None
    record_event(session, caller, "USER.DELETE", f"deleted user {user.username}", account_id=user.account_id,
                 domain_id=user.domain_id, resource_type="User", resource_uuid=user.uuid)
    session.flush()


def register_user_keys(session: Session, caller: Caller, secrets: Any, user: User) -> tuple[str, str]:
    """New API key and secret key for `user` (replacing old ones); the secret is stored encrypted."""
    api_key, secret_key = token_source.token_urlsafe(KEY_BYTES), token_source.token_urlsafe(KEY_BYTES)
    user.api_key, user.secret_key = api_key, secrets.encrypt(secret_key)
    record_event(session, caller, "REGISTER.USER.KEY", f"registered API keys of user {user.username}",
                 account_id=user.account_id, domain_id=user.domain_id, resource_type="User", resource_uuid=user.uuid)
    session.flush()
    return api_key, secret_key


def user_keys(secrets: Any, user: User) -> tuple[str | None, str | None]:
    """The user's API key and decrypted secret key (None, None before registerUserKeys)."""
    if not user.api_key or not user.secret_key:
        return None, None
    return user.api_key, secrets.decrypt(user.secret_key)


def list_users(session: Session, caller: Caller, *, id: User | None = None, username: str | None = None,
               account: str | None = None, accounttype: int | None = None, state: str | None = None,
               domainid: Domain | None = None, isrecursive: bool = False, listall: bool = False,
               keyword: str | None = None, page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[User], int]:
    """CloudStack's listUsers within the caller's scope (see `scope.list_scope`)."""
    statement = scope.visible(caller, "User").join(Account, Account.id == User.account_id)
    list_scope = scope.list_scope(session, caller, account=account, domain=domainid, isrecursive=isrecursive,
                                  listall=listall, by_id=id is not None or username is not None)
    statement = list_scope.apply(statement, User.account_id)
    if id is not None:
        statement = statement.where(User.id == id.id)
    if username is not None:
        statement = statement.where(func.lower(User.username) == username.lower())
    if accounttype is not None:
        statement = statement.where(Account.type == accounttype)
    if state is not None:
        statement = statement.where(func.lower(User.state) == state.lower())
    if keyword:
        pattern = {"autoescape": True}
        statement = statement.where(User.username.contains(keyword, **pattern)
                                    | User.firstname.contains(keyword, **pattern)
                                    | User.lastname.contains(keyword, **pattern)
                                    | User.email.contains(keyword, **pattern)
                                    | Account.name.contains(keyword, **pattern))
    return fetch_page(session, statement.order_by(User.id), page, pagesize)


__all__ = ["UserState", "add_user", "create_user", "delete_user", "list_users", "register_user_keys",
           "update_user", "user_keys"]

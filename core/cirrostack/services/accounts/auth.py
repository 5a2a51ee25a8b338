"""Who is calling: bootstrap of the first admin, password login, API keys, session re-checks."""

from __future__ import annotations

import secrets as token_source
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.audit import record_event
from cirrostack.db.models import Account, AccountState, Domain, DomainState, User, UserState
from cirrostack.errors import AuthenticationFailed, LoginFailed
from cirrostack.services.accounts.passwords import hash_password, needs_rehash, verify_password
from cirrostack.services.context import AccountType, Caller

ROOT_DOMAIN_NAME = "ROOT"
ROOT_PATH = "/"
ADMIN_NAME = "admin"
#: CloudStack's `incorrect.login.attempts.allowed`: a user is locked after this many wrong passwords in a row.
LOGIN_ATTEMPTS_ALLOWED = 5
KEY_FAILURE_TEXT = "unable to verify user credentials and/or request signature"
SESSION_FAILURE_TEXT = "unable to verify user credentials"


def caller_of(user: User) -> Caller:
    """The Caller for a loaded user (its account and domain are joined)."""
    account = user.account
    return Caller(user_id=user.id, user_uuid=user.uuid, username=user.username, account_id=account.id,
                  account_uuid=account.uuid, account_name=account.name, account_type=AccountType(account.type),
                  domain_id=account.domain.id, domain_uuid=account.domain.uuid, domain_path=account.domain.path)


def bootstrap(session: Session, admin_password: str | None) -> str | None:
    """On an empty database create domain ROOT, root-admin account `admin` and user `admin`.

    Returns the generated password when `admin_password` is empty (the server prints it once),
    else None. Does nothing, and returns None, when ROOT already exists.
    """
    if session.scalars(select(Domain).where(Domain.parent_id.is_(None), Domain.removed.is_(None))).first():
        return None
    generated = None if admin_password else token_source.token_urlsafe(18)
    root = Domain(name=ROOT_DOMAIN_NAME, path=ROOT_PATH, level=0)
    account = Account(name=ADMIN_NAME, type=AccountType.ROOT_ADMIN.value, domain=root)
    session.add_all([root, account])
    session.flush()
    session.add(User(username=ADMIN_NAME, account=account, domain_id=root.id, firstname="Admin", lastname="User",
                     password_hash=hash_password(admin_password or generated)))
    record_event(session, None, "ACCOUNT.CREATE", "created the root admin account admin in domain ROOT",
                 account_id=account.id, domain_id=root.id, resource_type="Account", resource_uuid=account.uuid)
    return generated


def normalise_domain_path(path: str) -> str:
    """The login `domain` parameter as a stored path: slashes at both ends; a leading ROOT
    component is accepted too ("ROOT/sales" and "/sales/" both mean "/sales/")."""
    parts = [part for part in path.strip().split("/") if part]
    if parts and parts[0].upper() == ROOT_DOMAIN_NAME:
        parts = parts[1:]
    return "/" + "".join(part + "/" for part in parts)


def authenticate(session: Session, username: str, password: str, domain_path: str | None = None,
                 domain_uuid: str | None = None) -> Caller:
    """The caller for a password login in a domain (by uuid, else by path, else ROOT).

    Raises LoginFailed (531) with CloudStack's text for an unknown domain, user or wrong password,
    and for a disabled or locked user or account. Wrong passwords are counted (and committed
    before raising); after LOGIN_ATTEMPTS_ALLOWED in a row the user is locked.
    """
    domain = _login_domain(session, domain_path, domain_uuid)
    user = session.scalars(select(User).where(User.domain_id == domain.id, User.removed.is_(None),
                                              func.lower(User.username) == username.lower())).first()
    generic = f"Failed to authenticate user {username} in domain {domain.path}; please provide valid credentials"
    if user is None:
        raise LoginFailed(generic)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= LOGIN_ATTEMPTS_ALLOWED and user.state == UserState.ENABLED:
            user.state = UserState.LOCKED.value
        record_event(session, None, "USER.LOGIN", f"failed login of user {user.username}", level="ERROR",
                     account_id=user.account_id, domain_id=domain.id, resource_type="User", resource_uuid=user.uuid)
        session.commit()
        raise LoginFailed(generic)
    if user.state != UserState.ENABLED or user.account.state != AccountState.ENABLED:
        raise LoginFailed(f"User {user.username} in domain {domain.path} is disabled or locked, or its account "
                          f"is; an administrator can enable it")
    user.failed_logins = 0
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    caller = caller_of(user)
    record_event(session, caller, "USER.LOGIN", f"user {user.username} has logged in",
                 resource_type="User", resource_uuid=user.uuid)
    return caller


def _login_domain(session: Session, domain_path: str | None, domain_uuid: str | None) -> Domain:
    live = select(Domain).where(Domain.removed.is_(None), Domain.state == DomainState.ACTIVE.value)
    if domain_uuid:
        domain = session.scalars(live.where(Domain.uuid == domain_uuid)).first()
        if domain is None:
            raise LoginFailed(f"Unable to find the domain with id {domain_uuid}")
        return domain
    path = normalise_domain_path(domain_path) if domain_path else ROOT_PATH
    domain = session.scalars(live.where(Domain.path == path)).first()
    if domain is None:
        raise LoginFailed(f"Unable to find the domain from the path {path}")
    return domain


def _usable(user: User | None) -> bool:
    return (user is not None and user.removed is None and user.state == UserState.ENABLED
            and user.account.removed is None and user.account.state == AccountState.ENABLED)


def caller_for_api_key(session: Session, secrets: Any, api_key: str) -> tuple[Caller, str]:
    """The caller owning `api_key` and their decrypted secret key (to check the signature with).

    Raises AuthenticationFailed (401) for an unknown key or a disabled, locked or removed
    user or account.
    """
    user = session.scalars(select(User).where(User.api_key == api_key)).first() if api_key else None
    if not _usable(user) or not user.secret_key:
        raise AuthenticationFailed(KEY_FAILURE_TEXT)
    return caller_of(user), secrets.decrypt(user.secret_key)


def caller_for_user(session: Session, user_uuid: str) -> Caller:
    """The caller of a login session, re-read on every request so that renames, disabling and
    removal take effect at once. Raises AuthenticationFailed (401) when the user is no longer usable."""
    user = session.scalars(select(User).where(User.uuid == user_uuid)).first()
    if not _usable(user):
        raise AuthenticationFailed(SESSION_FAILURE_TEXT)
    return caller_of(user)


def root_admin_caller(session: Session) -> Caller:
    """The caller requests on the integration port act as: user `admin` of ROOT, else the first
    enabled root-admin user."""
    statement = (select(User).join(Account, Account.id == User.account_id)
                 .where(Account.type == AccountType.ROOT_ADMIN.value, User.removed.is_(None),
                        Account.removed.is_(None), User.state == UserState.ENABLED.value,
                        Account.state == AccountState.ENABLED.value)
                 .order_by((User.username != ADMIN_NAME), User.id))
    user = session.scalars(statement).first()
    if user is None:
        raise AuthenticationFailed("no enabled root admin user exists to act for the integration port")
    return caller_of(user)


def login_response(session: Session, caller: Caller) -> dict[str, str]:
    """The fields of CloudStack's `loginresponse` except `sessionkey` and `timeout`; all strings."""
    user = session.get(User, caller.user_id)
    response = {
        "userid": caller.user_uuid, "username": caller.username,
        "firstname": user.firstname if user else "", "lastname": user.lastname if user else "",
        "account": caller.account_name, "domainid": caller.domain_uuid,
        "type": str(int(caller.account_type)), "registered": "false",
    }
    if user is not None and user.timezone:
        response["timezone"] = user.timezone
        offset = _timezone_offset_hours(user.timezone)
        if offset is not None:
            response["timezoneoffset"] = offset
    return response


def _timezone_offset_hours(name: str) -> str | None:
    try:
        offset = datetime.now(ZoneInfo(name)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return str(offset.total_seconds() / 3600) if offset is not None else None

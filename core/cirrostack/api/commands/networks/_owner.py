"""The account a networking command acts for: the caller's, or one an administrator names."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cirrostack.db.models import Account, Domain
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services import scope
from cirrostack.services.context import AccountType, Caller


def owner_account(session: Session, caller: Caller, account: str | None, domainid: Domain | None,
                  what: str) -> Account:
    """`account` in `domainid` for an administrator, else the caller's own account.

    Raises InvalidParameter when only one of the pair is given, PermissionDenied when a user names
    another account."""
    if account is None:
        if domainid is not None:
            raise InvalidParameter("domainid", "give account together with domainid")
        return session.get(Account, caller.account_id)
    if caller.account_type is AccountType.USER and account.lower() != caller.account_name.lower():
        raise PermissionDenied(f"account: only administrators can {what} for another account")
    return scope.find_account(session, caller, account, domainid)

"""Who is calling: the account type (role) and scope every service function receives."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class AccountType(enum.IntEnum):
    """CloudStack's account types, as `login` and listAccounts report them in `type`/`accounttype`."""

    USER = 0
    ROOT_ADMIN = 1
    DOMAIN_ADMIN = 2
    RESOURCE_ADMIN = 3


# Role bits of a command's `roles` mask (CloudStack's commands.properties numbering).
ROOT_ADMIN = 1
RESOURCE_ADMIN = 2
DOMAIN_ADMIN = 4
USER = 8
ADMINS = ROOT_ADMIN | RESOURCE_ADMIN | DOMAIN_ADMIN
ANY_ROLE = ROOT_ADMIN | RESOURCE_ADMIN | DOMAIN_ADMIN | USER

ROLE_BIT = {
    AccountType.ROOT_ADMIN: ROOT_ADMIN,
    AccountType.RESOURCE_ADMIN: RESOURCE_ADMIN,
    AccountType.DOMAIN_ADMIN: DOMAIN_ADMIN,
    AccountType.USER: USER,
}


@dataclass(frozen=True)
class Caller:
    """The authenticated user behind a request or a job.

    `domain_path` is the caller's domain path ("/", "/sales/", "/sales/emea/"); a domain
    admin's scope is every domain whose path starts with it.
    """

    user_id: int
    user_uuid: str
    username: str
    account_id: int
    account_uuid: str
    account_name: str
    account_type: AccountType
    domain_id: int
    domain_uuid: str
    domain_path: str

    @property
    def role_bit(self) -> int:
        return ROLE_BIT[self.account_type]

    @property
    def is_root_admin(self) -> bool:
        return self.account_type is AccountType.ROOT_ADMIN

    @property
    def is_domain_admin(self) -> bool:
        return self.account_type is AccountType.DOMAIN_ADMIN

    def may_call(self, roles_mask: int) -> bool:
        return bool(self.role_bit & roles_mask)

"""createAccount, updateAccount, disableAccount (async), enableAccount, deleteAccount (async), listAccounts."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.accounts._views import ACCOUNT_RESPONSE, account_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Short, String, Uuid
from cirrostack.db.models import Account, Domain
from cirrostack.services import accounts
from cirrostack.services.context import ADMINS, ANY_ROLE

_ADMIN_PACKAGE = "org.apache.cloudstack.api.command.admin.account."
_RELATED = ("createAccount", "disableAccount", "enableAccount", "listAccounts", "updateAccount")


def _by_id_or_name(action: str) -> tuple[Param, ...]:
    return (Param("id", Uuid("Account"), f"Account id to {action}"),
            Param("account", String(), f"name of the account to {action}; needs domainid"),
            Param("domainid", Uuid("Domain"), f"domain of the account to {action}; needs account"))


CREATE_ACCOUNT = Command(
    "createAccount", "Creates an account", response=ACCOUNT_RESPONSE, roles=ADMINS,
    java_class=_ADMIN_PACKAGE + "CreateAccountCmd", related=_RELATED,
    params=(Param("accounttype", Short(), "Type of the account. Specify 0 for user, 1 for root admin, and 2 for "
                                          "domain admin", required=True),
            Param("email", String(), "email", required=True),
            Param("firstname", String(), "firstname", required=True),
            Param("lastname", String(), "lastname", required=True),
            Param("password", String(), "Clear text password; stored only as an argon2 hash", required=True),
            Param("username", String(), "Unique username.", required=True),
            Param("account", String(), "Creates the user under the specified account. If no account is specified, "
                                       "the username will be used as the account name."),
            Param("domainid", Uuid("Domain"), "Creates the user under the specified domain."),
            Param("networkdomain", String(), "Network domain for the account's networks"),
            Param("timezone", String(), "Specifies a timezone for this command. For more information on the "
                                        "timezone parameter, see Time Zone Format."),
            Param("accountid", Uuid("Account", load=False), "Account UUID, required for adding account from external "
                                                            "provisioning system", since="4.2.0"),
            Param("userid", Uuid("User", load=False), "User UUID, required for adding account from external "
                                                      "provisioning system", since="4.2.0")))

UPDATE_ACCOUNT = Command(
    "updateAccount", "Updates account information for the authenticated user", response=ACCOUNT_RESPONSE,
    roles=ADMINS, java_class=_ADMIN_PACKAGE + "UpdateAccountCmd", related=_RELATED,
    params=(*_by_id_or_name("update"),
            Param("newname", String(), "new name for the account", required=True),
            Param("networkdomain", String(), "Network domain for the account's networks; empty string will update "
                                             "domainName with NULL value")))

DISABLE_ACCOUNT = Command(
    "disableAccount", "Disables an account", response=ACCOUNT_RESPONSE, roles=ADMINS, is_async=True,
    java_class=_ADMIN_PACKAGE + "DisableAccountCmd", related=_RELATED,
    params=(*_by_id_or_name("disable"),
            Param("lock", Boolean(), "If true, only lock the account; else disable the account", required=True)))

ENABLE_ACCOUNT = Command(
    "enableAccount", "Enables an account", response=ACCOUNT_RESPONSE, roles=ADMINS,
    java_class=_ADMIN_PACKAGE + "EnableAccountCmd", related=_RELATED, params=_by_id_or_name("enable"))

DELETE_ACCOUNT = Command(
    "deleteAccount", "Deletes a account, and all users associated with this account", kind=CommandKind.SUCCESS,
    roles=ADMINS, is_async=True, java_class=_ADMIN_PACKAGE + "DeleteAccountCmd",
    params=(Param("id", Uuid("Account"), "Account id", required=True),))

LIST_ACCOUNTS = Command(
    "listAccounts", "Lists accounts and provides detailed account information for listed accounts",
    kind=CommandKind.LIST, response=ACCOUNT_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.account.ListAccountsCmd", related=_RELATED,
    params=(Param("id", Uuid("Account"), "list account by account ID"),
            Param("name", String(), "list account by account name"),
            Param("accounttype", Short(), "list accounts by account type. Valid account types are 1 (admin), "
                                          "2 (domain-admin), and 0 (user)."),
            Param("state", String(), "list accounts by state. Valid states are enabled, disabled, and locked."),
            Param("domainid", Uuid("Domain"), "list only resources belonging to the domain specified"),
            Param("isrecursive", Boolean(), "defaults to false, but if true, lists all resources from the parent "
                                            "specified by the domainId till leaves."),
            Param("listall", Boolean(), "If set to false, list only resources belonging to the command's caller; "
                                        "if set to true - list resources that the caller is authorized to see. "
                                        "Default value is false"),
            *LIST_PARAMS))


@CREATE_ACCOUNT.handler
def create_account(call: Call, domainid: Domain | None = None, **fields: Any) -> dict[str, Any]:
    account = accounts.create_account(call.session, call.caller, domain=domainid, **fields)
    return account_view(call.session, account)


@UPDATE_ACCOUNT.handler
def update_account(call: Call, newname: str, id: Account | None = None, account: str | None = None,
                   domainid: Domain | None = None, networkdomain: str | None = None) -> dict[str, Any]:
    target = accounts.resolve_account(call.session, call.caller, id, account, domainid, call.command.name)
    updated = accounts.update_account(call.session, call.caller, target, newname, networkdomain)
    return account_view(call.session, updated)


@DISABLE_ACCOUNT.handler
def disable_account(call: Call, lock: bool, id: Account | None = None, account: str | None = None,
                    domainid: Domain | None = None) -> dict[str, Any]:
    target = accounts.resolve_account(call.session, call.caller, id, account, domainid, call.command.name)
    return account_view(call.session, accounts.disable_account(call.session, call.caller, target, lock))


@ENABLE_ACCOUNT.handler
def enable_account(call: Call, id: Account | None = None, account: str | None = None,
                   domainid: Domain | None = None) -> dict[str, Any]:
    target = accounts.resolve_account(call.session, call.caller, id, account, domainid, call.command.name)
    return account_view(call.session, accounts.enable_account(call.session, call.caller, target))


@DELETE_ACCOUNT.handler
def delete_account(call: Call, id: Account) -> None:
    accounts.delete_account(call.session, call.caller, id)


@LIST_ACCOUNTS.handler
def list_accounts(call: Call, id: Account | None = None, name: str | None = None, accounttype: int | None = None,
                  state: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                  listall: bool = False, keyword: str | None = None, **_paging: Any) -> ListResult:
    rows, count = accounts.list_accounts(call.session, call.caller, id=id, name=name, accounttype=accounttype,
                                         state=state, domainid=domainid, isrecursive=isrecursive, listall=listall,
                                         keyword=keyword, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([account_view(call.session, row) for row in rows], count)

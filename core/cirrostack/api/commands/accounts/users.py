"""createUser, updateUser, deleteUser, listUsers."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.accounts._views import USER_RESPONSE, user_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Short, String, Uuid
from cirrostack.db.models import Domain, User
from cirrostack.services import accounts
from cirrostack.services.context import ADMINS, ANY_ROLE

_PACKAGE = "org.apache.cloudstack.api.command.admin.user."
_RELATED = ("createUser", "listUsers", "updateUser")

CREATE_USER = Command(
    "createUser", "Creates a user for an account that already exists", response=USER_RESPONSE, roles=ADMINS,
    java_class=_PACKAGE + "CreateUserCmd", related=_RELATED,
    params=(Param("account", String(), "Creates the user under the specified account. If no account is specified, "
                                       "the username will be used as the account name.", required=True),
            Param("email", String(), "email", required=True),
            Param("firstname", String(), "firstname", required=True),
            Param("lastname", String(), "lastname", required=True),
            Param("password", String(), "Clear text password; stored only as an argon2 hash", required=True),
            Param("username", String(), "Unique username.", required=True),
            Param("domainid", Uuid("Domain"), "Creates the user under the specified domain. Has to be accompanied "
                                              "with the account parameter"),
            Param("timezone", String(), "Specifies a timezone for this command. For more information on the "
                                        "timezone parameter, see Time Zone Format."),
            Param("userid", Uuid("User", load=False), "User UUID, required for adding account from external "
                                                      "provisioning system", since="4.2.0")))

UPDATE_USER = Command(
    "updateUser", "Updates a user account", response=USER_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "UpdateUserCmd", related=_RELATED,
    params=(Param("id", Uuid("User"), "User uuid", required=True),
            Param("email", String(), "email"),
            Param("firstname", String(), "first name"),
            Param("lastname", String(), "last name"),
            Param("password", String(), "Clear text password; stored only as an argon2 hash"),
            Param("timezone", String(), "Specifies a timezone for this command. For more information on the "
                                        "timezone parameter, see Time Zone Format."),
            Param("userapikey", String(), "The API key for the user. Must be specified with usersecretkey"),
            Param("username", String(), "Unique username"),
            Param("usersecretkey", String(), "The secret key for the user. Must be specified with userapikey")))

DELETE_USER = Command(
    "deleteUser", "Deletes a user for an account", kind=CommandKind.SUCCESS, roles=ADMINS,
    java_class=_PACKAGE + "DeleteUserCmd",
    params=(Param("id", Uuid("User"), "id of the user to be deleted", required=True),))

LIST_USERS = Command(
    "listUsers", "Lists user accounts", kind=CommandKind.LIST, response=USER_RESPONSE, roles=ADMINS,
    java_class=_PACKAGE + "ListUsersCmd", related=_RELATED,
    params=(Param("id", Uuid("User"), "List user by ID."),
            Param("username", String(), "List user by the username"),
            Param("accounttype", Short(), "List users by account type. Valid types include admin, domain-admin, "
                                          "read-only-admin, or user."),
            Param("state", String(), "List users by state of the user account."),
            Param("account", String(), "list resources by account. Must be used with the domainId parameter."),
            Param("domainid", Uuid("Domain"), "list only resources belonging to the domain specified"),
            Param("isrecursive", Boolean(), "defaults to false, but if true, lists all resources from the parent "
                                            "specified by the domainId till leaves."),
            Param("listall", Boolean(), "If set to false, list only resources belonging to the command's caller; "
                                        "if set to true - list resources that the caller is authorized to see. "
                                        "Default value is false"),
            *LIST_PARAMS))


@CREATE_USER.handler
def create_user(call: Call, domainid: Domain | None = None, **fields: Any) -> dict[str, Any]:
    return user_view(accounts.create_user(call.session, call.caller, domain=domainid, **fields))


@UPDATE_USER.handler
def update_user(call: Call, id: User, **changes: Any) -> dict[str, Any]:
    return user_view(accounts.update_user(call.session, call.caller, call.secrets, id, **changes))


@DELETE_USER.handler
def delete_user(call: Call, id: User) -> None:
    accounts.delete_user(call.session, call.caller, id)


@LIST_USERS.handler
def list_users(call: Call, id: User | None = None, domainid: Domain | None = None, keyword: str | None = None,
               page: int | None = None, pagesize: int | None = None, **filters: Any) -> ListResult:
    rows, count = accounts.list_users(call.session, call.caller, id=id, domainid=domainid, keyword=keyword,
                                      page=call.paging.page, pagesize=call.paging.pagesize, **filters)
    return ListResult([user_view(row) for row in rows], count)

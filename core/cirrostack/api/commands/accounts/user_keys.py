"""registerUserKeys and getUserKeys: a user's API key and secret key."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.accounts._views import USER_KEYS_RESPONSE, keys_view
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models import User
from cirrostack.services import accounts
from cirrostack.services.context import ANY_ROLE

REGISTER_USER_KEYS = Command(
    "registerUserKeys", "This command allows a user to register for the developer API, returning a secret key and "
                        "an API key. This request is made through the integration API port, so it is a privileged "
                        "command and must be made on behalf of a user. It is up to the implementer just how the "
                        "username and password are entered, and then how that translates to an integration API "
                        "request. Both secret key and API key should be returned to the user",
    response=USER_KEYS_RESPONSE, roles=ANY_ROLE, java_class="org.apache.cloudstack.api.command.admin.user.RegisterCmd",
    params=(Param("id", Uuid("User"), "User id", required=True),))

GET_USER_KEYS = Command(
    "getUserKeys", "This command allows the user to query the seceret and API keys for the account",
    response=USER_KEYS_RESPONSE, roles=ANY_ROLE, since="4.10.0",
    java_class="org.apache.cloudstack.api.command.admin.user.GetUserKeysCmd",
    params=(Param("id", Uuid("User"), "ID of the user whose keys are required", required=True),))


@REGISTER_USER_KEYS.handler
def register_user_keys(call: Call, id: User) -> dict[str, Any]:
    return keys_view(*accounts.register_user_keys(call.session, call.caller, call.secrets, id))


@GET_USER_KEYS.handler
def get_user_keys(call: Call, id: User) -> dict[str, Any]:
    return keys_view(*accounts.user_keys(call.secrets, id))

"""login and logout, declared for the API reference only.

The HTTP layer answers them before authentication (`cirrostack.api.auth`); like CloudStack 4.3
they are not listed by listApis and are never signed.
"""

from __future__ import annotations

from cirrostack.api.declaration import Command, Field, Param, Response
from cirrostack.api.params import String, Uuid
from cirrostack.services.context import ANY_ROLE

LOGIN_RESPONSE = Response("login", (
    Field("username", "string", "Username"),
    Field("userid", "string", "User ID"),
    Field("password", "string", "Password (never returned)"),
    Field("domainid", "string", "domain ID that the user belongs to"),
    Field("timeout", "integer", "the time period before the session has expired, in seconds"),
    Field("account", "string", "the account name the user belongs to"),
    Field("firstname", "string", "first name of the user"),
    Field("lastname", "string", "last name of the user"),
    Field("type", "string", "the account type (0 user, 1 root admin, 2 domain admin, 3 resource admin)"),
    Field("timezone", "string", "user time zone"),
    Field("timezoneoffset", "string", "user time zone offset from UTC 00:00"),
    Field("registered", "string", "Is user registered"),
    Field("sessionkey", "string", "Session key that can be passed in subsequent Query command calls"),
))

LOGIN = Command(
    "login", "Logs a user into the CloudStack. A successful login attempt will generate a JSESSIONID cookie "
             "value that can be passed in subsequent Query command calls until the \"logout\" command has "
             "been issued or the session has expired.",
    params=(Param("username", String(), "Username", required=True),
            Param("password", String(), "Password; sent in clear text, so use HTTPS", required=True),
            Param("domain", String(), "path of the domain that the user belongs to, e.g. ROOT/sales or /sales; "
                                      "default the ROOT domain"),
            Param("domainid", Uuid("Domain", load=False), "id of the domain that the user belongs to; "
                                                          "wins over domain", since="4.0.0")),
    response=LOGIN_RESPONSE, roles=ANY_ROLE, listed=False, response_name="loginresponse",
)

LOGOUT_RESPONSE = Response("logout", (Field("description", "string", "success if the session ended"),))

LOGOUT = Command(
    "logout", "Logs out the user; the session cookie JSESSIONID identifies the session.",
    response=LOGOUT_RESPONSE, roles=ANY_ROLE, listed=False, response_name="logoutresponse",
)

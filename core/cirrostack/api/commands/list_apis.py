"""listApis: the API discovery command CloudMonkey and cmk `sync` read.

Every field those clients index unguarded is always present: `description`, `isasync`,
`params` (array), `response` (array), and per parameter `required` (boolean) and `length` (int).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cirrostack.api.declaration import Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import ListOf, String, Uuid
from cirrostack.errors import InvalidParameter
from cirrostack.services.context import ANY_ROLE

_FIELD_FIELDS = (
    Field("name", "string", "the name of the api response field"),
    Field("description", "string", "description of the api response field"),
    Field("type", "string", "response field type"),
    Field("response", "set", "api response fields of a nested object"),
)

API_RESPONSE = Response("api", (
    Field("name", "string", "the name of the api command"),
    Field("description", "string", "description of the api"),
    Field("since", "string", "version of CloudStack the api was introduced in"),
    Field("isasync", "boolean", "true if api is asynchronous"),
    Field("related", "string", "comma separated related apis"),
    Field("params", "set", "the list params the api accepts", (
        Field("name", "string", "the name of the api parameter"),
        Field("description", "string", "description of the api parameter"),
        Field("type", "string", "parameter type"),
        Field("length", "integer", "length of the parameter"),
        Field("required", "boolean", "true if this parameter is required for the api request"),
        Field("since", "string", "version of CloudStack the api was introduced in"),
        Field("related", "string", "comma separated related apis to get the parameter"),
    )),
    Field("response", "set", "api response fields", _FIELD_FIELDS),
))

LIST_APIS = Command(
    "listApis", "lists all available apis on the server, provided by the Api Discovery plugin",
    params=(Param("name", String(), "API name"),),
    response=API_RESPONSE, kind=CommandKind.LIST, roles=ANY_ROLE, since="4.1.0",
    java_class="org.apache.cloudstack.api.command.user.discovery.ListApisCmd",
)


@LIST_APIS.handler
def list_apis(call: Call, name: str | None = None) -> ListResult:
    visible = [command for command in call.commands.values()
               if command.listed and call.caller.may_call(command.roles)]
    if name is not None:
        visible = [command for command in visible if command.name == name]
        if not visible:
            raise InvalidParameter("name", f"no API named {name!r} is available to account type "
                                           f"{call.caller.account_type.name.lower()}")
    described = [describe(command, call.commands) for command in sorted(visible, key=lambda c: c.name)]
    return ListResult(described, len(described))


def describe(command: Command, table: Mapping[str, Command]) -> dict[str, Any]:
    """One `api` entry of listApis for `command`."""
    entry: dict[str, Any] = {"name": command.name, "description": command.description}
    if command.since:
        entry["since"] = command.since
    entry["isasync"] = command.is_async
    related = related_commands(command, table)
    if related:
        entry["related"] = ",".join(related)
    entry["params"] = [describe_param(param, table) for param in command.params]
    entry["response"] = [describe_field(field) for field in command.response.fields]
    return entry


def describe_param(param: Param, table: Mapping[str, Command]) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": param.name, "description": param.doc, "type": param.type.wire_name,
                             "length": param.length, "required": param.required}
    if param.since:
        entry["since"] = param.since
    related = commands_returning(param_entity(param), table)
    if related:
        entry["related"] = ",".join(related)
    return entry


def describe_field(field: Field) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": field.name, "description": field.doc, "type": field.type}
    if field.children:
        entry["response"] = [describe_field(child) for child in field.children]
    return entry


def param_entity(param: Param) -> str:
    """The entity a uuid parameter names ("Account"), or "" for other parameters."""
    kind = param.type.item if isinstance(param.type, ListOf) else param.type
    return kind.entity if isinstance(kind, Uuid) else ""


def commands_returning(entity: str, table: Mapping[str, Command]) -> list[str]:
    """Commands whose response is an object of `entity` (CloudStack's param `related`)."""
    if not entity:
        return []
    return sorted(name for name, command in table.items()
                  if command.listed and command.response.instance_type == entity)


def related_commands(command: Command, table: Mapping[str, Command]) -> list[str]:
    """Declared `related`, else the other commands answering with the same object."""
    if command.related:
        return list(command.related)
    if command.kind is CommandKind.SUCCESS:
        return []
    return sorted(name for name, other in table.items()
                  if other is not command and other.listed and other.kind is not CommandKind.SUCCESS
                  and other.response.object_name == command.response.object_name)

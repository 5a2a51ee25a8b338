"""An API command, declared once.

A `Command` holds everything the API knows about a command: name, description, typed
parameters, response fields, async or not, which roles may call it, since which version.
Dispatch, validation, the role check, `listApis` and the generated reference in `docs/` all
read this one declaration; core commands and plugin commands are declared the same way.

    LIST_DOMAINS = Command(
        "listDomains", "Lists domains and provides detailed information for listed domains.",
        roles=ADMINS, response=DOMAIN_RESPONSE, kind=CommandKind.LIST,
        params=(Param("id", Uuid("Domain"), doc="the domain to list"), *LIST_PARAMS))

    @LIST_DOMAINS.handler
    def list_domains(call: Call, id: Domain | None = None, **filters) -> ListResult:
        return accounts.list_domains(call.session, call.caller, id=id, **filters)

A handler receives the parsed parameters as keyword arguments (absent optional ones are left
out, so their Python defaults apply) and returns:
- LIST commands: a `ListResult` of already-serialised dicts and the total count;
- OBJECT commands: one serialised dict (wrapped under `response.object_name`);
- SUCCESS commands: None (sync replies `"success": "true"`, jobs `"success": true`).
Async commands run their handler inside a persisted job; `ASYNC_CREATE` commands first run
`prepare` synchronously to reserve the new object and return its uuid with the job id.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cirrostack.api.params import Boolean, Integer, ParamType, String, Uuid
from cirrostack.services.context import ANY_ROLE, Caller

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from cirrostack.plugins.registry import PluginRegistry


@dataclass(frozen=True)
class Param:
    name: str  # lower-case, as on the wire
    type: ParamType = String()
    doc: str = ""
    required: bool = False
    since: str = ""
    roles: int = ANY_ROLE  # roles that may pass this parameter; others get 432 naming it
    length: int = 255


@dataclass(frozen=True)
class Field:
    """One response field, for listApis and the reference. `children` for nested objects."""

    name: str
    type: str = "string"  # string, boolean, integer, long, date, list, set, map, ...
    doc: str = ""
    children: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Response:
    """What a command returns: the object name (`account`), its fields, and the entity type
    a job on it reports as `jobinstancetype` ("Account", "VirtualMachine", ...)."""

    object_name: str
    fields: tuple[Field, ...]
    instance_type: str = ""


SUCCESS_RESPONSE = Response("success", (Field("success", "boolean", "true if the operation succeeded"),
                                        Field("displaytext", "string", "any text associated with the success")))


class CommandKind(enum.Enum):
    OBJECT = "object"
    LIST = "list"
    SUCCESS = "success"


@dataclass
class ListResult:
    items: list[dict[str, Any]]
    count: int


@dataclass(frozen=True)
class Paging:
    """The page a list command returns: `page` from 1, `pagesize` rows (None = all rows).

    Absent `page`/`pagesize` mean the first `default.page.size` rows, as in CloudStack."""

    page: int = 1
    pagesize: int | None = 500

    @property
    def offset(self) -> int:
        return 0 if self.pagesize is None else (self.page - 1) * self.pagesize

    @property
    def limit(self) -> int | None:
        return self.pagesize

    def slice(self, rows: list[Any]) -> list[Any]:
        """The rows of this page from a full list."""
        return rows[self.offset:] if self.limit is None else rows[self.offset:self.offset + self.limit]


@dataclass
class Call:
    """Everything a handler may use for one request or job (`paging` is set for list commands)."""

    caller: Caller
    session: Session
    registry: PluginRegistry
    command: Command
    job_uuid: str = ""
    secrets: Any = None  # cirrostack.secrets.SecretBox: encrypts/decrypts secrets at rest
    jobs: Any = None  # cirrostack.jobs.JobExecutor, for commands that start further jobs
    paging: Paging = field(default_factory=Paging)
    commands: Mapping[str, Command] = field(default_factory=dict)  # every command the server offers
    extras: dict[str, Any] = field(default_factory=dict)


Handler = Callable[..., Any]


@dataclass(eq=False)
class Command:
    name: str
    description: str
    params: tuple[Param, ...] = ()
    response: Response = SUCCESS_RESPONSE
    kind: CommandKind = CommandKind.OBJECT
    is_async: bool = False
    creates: bool = False  # async create: the first reply carries the new object's id
    roles: int = ANY_ROLE
    since: str = ""
    response_name: str = ""  # the irregular ones of CloudStack; default lower(name) + "response"
    related: tuple[str, ...] = ()
    java_class: str = ""  # `cmd` of async job results; CloudStack clients only display it
    listed: bool = True  # False only for login/logout, which CloudStack 4.3 leaves out of listApis
    run: Handler | None = None
    prepare_run: Handler | None = None

    def __post_init__(self) -> None:
        if self.kind is CommandKind.SUCCESS:
            self.response = SUCCESS_RESPONSE
        names = [p.name for p in self.params]
        duplicated = {n for n in names if names.count(n) > 1}
        if duplicated:
            raise ValueError(f"{self.name}: parameters declared twice: {sorted(duplicated)}")
        if self.creates and not self.is_async:
            raise ValueError(f"{self.name}: only async commands can be async-create commands")

    @property
    def wire_response_name(self) -> str:
        return self.response_name or self.name.lower() + "response"

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def handler(self, function: Handler) -> Handler:
        """Decorator: the function that runs the command."""
        self.run = function
        return function

    def prepare(self, function: Handler) -> Handler:
        """Decorator for async-create commands: runs before the job is queued, in the request,
        reserves the new object and returns its uuid; the job then receives `id=<uuid>` too."""
        self.prepare_run = function
        return function


#: Parameters every list command accepts.
LIST_PARAMS: tuple[Param, ...] = (
    Param("keyword", String(), "List by keyword"),
    Param("page", Integer(minimum=1), "the page number, starting at 1; requires pagesize"),
    Param("pagesize", Integer(minimum=-1), "the number of items per page (-1 for all); requires page"),
)

#: Parameters for account-scoped lists.
ACCOUNT_SCOPE_PARAMS: tuple[Param, ...] = (
    Param("account", String(), "list resources by account; must be used with domainid"),
    Param("domainid", Uuid("Domain"), "list only resources belonging to the domain specified"),
    Param("isrecursive", Boolean(), "true to include resources of subdomains of domainid"),
    Param("listall", Boolean(), "true to list everything the caller may see, not only the caller's own"),
)


def command_table(commands: Mapping[str, Command] | list[Command]) -> dict[str, Command]:
    """Index commands by name, refusing duplicates."""
    table: dict[str, Command] = {}
    for command in commands.values() if isinstance(commands, Mapping) else commands:
        if command.name in table:
            raise ValueError(f"API command {command.name} is declared twice")
        table[command.name] = command
    return table

"""From an authenticated request to a command's handler, for core and plugin commands alike.

    lookup (432) -> role check (432) -> parameters: required (431), types (431), paging (431),
    uuids loaded within the caller's scope (431) -> sync handler, or a persisted job

Everything here reads the command's declaration; no command is special-cased.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Call, Command, CommandKind, ListResult, Paging, Param, command_table
from cirrostack.api.params import ListOf, Map, ParamType, String, Uuid
from cirrostack.api.wire import WireRequest
from cirrostack.errors import CirroError, InvalidParameter, MissingParameter, UnknownCommand, UnsupportedOperation
from cirrostack.services import settings
from cirrostack.services.context import ROLE_BIT, Caller

log = logging.getLogger(__name__)

#: CloudStack's setting for the largest page, which is also the page size when none is asked for.
PAGE_SIZE_SETTING = "default.page.size"
#: Parameters never stored with a job (the job table is readable by admins through listAsyncJobs).
_SECRET_MARKERS = ("password", "secret", "signature", "apikey", "sessionkey", "privatekey", "psk")


def build_command_table(core: Iterable[Command], plugin_commands: Iterable[Command]) -> dict[str, Command]:
    """Core commands plus plugin commands; a plugin command reusing a core name is left out and logged."""
    table = command_table(list(core))
    for command in plugin_commands:
        if command.name in table:
            log.error("plugin API command %s is left out: the core already declares that command", command.name)
            continue
        table[command.name] = command
    return table


@dataclass
class Dispatcher:
    """Runs declared commands. `database`, `jobs` and `secrets` are the server's shared services."""

    commands: dict[str, Command]
    database: Any
    registry: Any
    secrets: Any
    jobs: Any
    #: a fixed largest page; None reads `default.page.size` in each list request's session
    max_page_size: int | None = None

    def lookup(self, name: str) -> Command:
        """The declaration of `name`; UnknownCommand (432) if there is none."""
        command = self.commands.get(name)
        if command is None:
            raise UnknownCommand(name)
        return command

    def check_role(self, command: Command, caller: Caller) -> None:
        if not caller.may_call(command.roles):
            allowed = ", ".join(t.name.lower().replace("_", " ") for t, bit in ROLE_BIT.items() if bit & command.roles)
            raise UnsupportedOperation(f"The given command {command.name} does not exist or it is not available for "
                                       f"user {caller.username} (account type {caller.account_type.name.lower()}; "
                                       f"allowed: {allowed})")

    def run(self, command: Command, caller: Caller, request: WireRequest, session: Session) -> dict[str, Any]:
        """Run `command` for `caller`; returns the body under the command's response name."""
        self.check_role(command, caller)
        parsed = parse_params(command, request, caller)
        paging = self.paging_for(command, parsed, session)
        call = Call(caller, session, self.registry, command, secrets=self.secrets, jobs=self.jobs, paging=paging,
                    commands=self.commands)
        arguments = load_objects(command, parsed, caller, session)
        if command.is_async:
            return self._submit(command, caller, request, call, arguments)
        return sync_body(command, _handler(command)(call, **arguments))

    def page_size_limit(self, session: Session | None) -> int:
        """The largest page: `max_page_size` when fixed, else the global `default.page.size`
        read in `session` (its declared default without a session)."""
        if self.max_page_size is not None:
            return self.max_page_size
        if session is None:
            return int(settings.definition(PAGE_SIZE_SETTING).default)
        return int(settings.value(session, PAGE_SIZE_SETTING))

    def paging_for(self, command: Command, parsed: dict[str, Any], session: Session | None = None) -> Paging:
        """CloudStack's paging rules: page and pagesize come together, pagesize=-1 means all rows,
        and no page is larger than `default.page.size` (read only for list commands)."""
        if command.kind is not CommandKind.LIST:
            return Paging(1, self.page_size_limit(None))
        limit = self.page_size_limit(session)
        page, pagesize = parsed.get("page"), parsed.get("pagesize")
        if page is None and pagesize is None:
            return Paging(1, limit)
        if pagesize == -1:
            if page is not None:
                raise InvalidParameter("page", "cannot be used with pagesize=-1 (which returns every row)")
            return Paging(1, None)
        if pagesize is None:
            raise InvalidParameter("pagesize", '"pagesize" parameter is required when "page" is specified')
        if page is None:
            raise InvalidParameter("page", '"page" parameter is required when "pagesize" is specified')
        if pagesize < 1:
            raise InvalidParameter("pagesize", f"{pagesize} is not a page size; use 1..{limit} or -1")
        if pagesize > limit:
            raise InvalidParameter("pagesize", f"{pagesize} is larger than the maximum page size {limit} "
                                               f"(setting {PAGE_SIZE_SETTING})")
        return Paging(page, pagesize)

    def _submit(self, command: Command, caller: Caller, request: WireRequest, call: Call,
                arguments: dict[str, Any]) -> dict[str, Any]:
        new_uuid = ""
        if command.creates:
            if command.prepare_run is None:
                raise CirroError(f"{command.name} is declared as an async create command but has no prepare step")
            new_uuid = str(command.prepare_run(call, **arguments))
        instance_uuid = new_uuid or _target_uuid(arguments)
        # The job row commits with what this request wrote, and the job is queued only after that commit:
        # it runs in another thread with its own session and must see those changes.
        job_uuid = self.jobs.submit(caller, command.name, command.java_class or command.name,
                                    stored_params(request), command.response.instance_type, instance_uuid,
                                    self._job_work(command, caller, request, call.paging, new_uuid),
                                    session=call.session)
        call.session.commit()
        return {"id": new_uuid, "jobid": job_uuid} if new_uuid else {"jobid": job_uuid}

    def _job_work(self, command: Command, caller: Caller, request: WireRequest, paging: Paging, new_uuid: str):
        def work(job_uuid: str) -> dict[str, Any]:
            with self.database.session() as session:
                call = Call(caller, session, self.registry, command, job_uuid=job_uuid, secrets=self.secrets,
                            jobs=self.jobs, paging=paging, commands=self.commands)
                parsed = parse_params(command, request, caller)
                if new_uuid:
                    # The prepare step already checked every object in the request; the job loads only what
                    # its handler names, and gets the new object by its id.
                    named = _named_params(_handler(command))
                    parsed = {name: value for name, value in parsed.items() if name in named}
                arguments = load_objects(command, parsed, caller, session)
                if new_uuid:
                    arguments["id"] = new_uuid
                result = job_result(command, _handler(command)(call, **arguments))
                self.jobs.succeed_in(session, job_uuid, result)  # commits with the job's changes
                return result

        return work


def _handler(command: Command):
    if command.run is None:
        raise CirroError(f"API command {command.name} is declared without a handler")
    return command.run


def _named_params(handler: Any) -> frozenset[str]:
    """The parameters `handler` declares by name (what `**rest` would collect is not among them)."""
    named = getattr(handler, "__cirro_named_params__", None)
    if named is None:
        named = frozenset(name for name, parameter in inspect.signature(handler).parameters.items()
                          if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY))
        handler.__cirro_named_params__ = named
    return named


def _effective_type(param: Param) -> ParamType:
    if isinstance(param.type, String) and param.length != 255 and param.type.length == 255:
        return String(length=param.length)
    return param.type


def parse_params(command: Command, request: WireRequest, caller: Caller) -> dict[str, Any]:
    """Typed values of the declared parameters present in `request`; unknown ones are ignored.

    Raises MissingParameter / InvalidParameter (431) naming the parameter, and
    UnsupportedOperation (432) for a parameter the caller's role may not pass."""
    parsed: dict[str, Any] = {}
    for param in command.params:
        raw: Any = request.maps.get(param.name) if isinstance(param.type, Map) else request.params.get(param.name)
        if raw is None or raw == "" or raw == []:
            if param.required:
                raise MissingParameter(command.name, param.name)
            continue
        if not caller.may_call(param.roles):
            raise UnsupportedOperation(f"{command.name}: parameter {param.name} is not available to account type "
                                       f"{caller.account_type.name.lower()}")
        parsed[param.name] = _effective_type(param).parse(param.name, raw)
    return parsed


def load_objects(command: Command, parsed: dict[str, Any], caller: Caller, session: Session) -> dict[str, Any]:
    """Replace uuid values of entity-typed parameters with the objects the caller may see."""
    from cirrostack.services.scope import load_visible

    arguments = dict(parsed)
    for param in command.params:
        if param.name not in arguments:
            continue
        kind = param.type.item if isinstance(param.type, ListOf) else param.type
        if not (isinstance(kind, Uuid) and kind.entity and kind.load):
            continue
        value = arguments[param.name]
        if isinstance(value, list):
            arguments[param.name] = [load_visible(session, caller, kind.entity, v, param.name) for v in value]
        else:
            arguments[param.name] = load_visible(session, caller, kind.entity, value, param.name)
    return arguments


def sync_body(command: Command, result: Any) -> dict[str, Any]:
    """A sync command's reply body from its handler's return value."""
    if command.kind is CommandKind.LIST:
        if not isinstance(result, ListResult):
            raise CirroError(f"API command {command.name} returned {type(result).__name__}, not a ListResult")
        if not result.items:
            return {}
        return {"count": result.count, command.response.object_name: result.items}
    if command.kind is CommandKind.SUCCESS:
        return {"success": "true"}
    if not command.response.object_name:  # unwrapped replies such as queryAsyncJobResult's
        return dict(result)
    return {command.response.object_name: result}


def job_result(command: Command, result: Any) -> dict[str, Any]:
    """A job's `jobresult` on success: the object under its name, or {"success": true}."""
    if command.kind is CommandKind.SUCCESS:
        return {"success": True}
    if command.kind is CommandKind.LIST:
        return {"count": result.count, command.response.object_name: result.items}
    return {command.response.object_name: result}


def stored_params(request: WireRequest) -> dict[str, Any]:
    """The request's parameters as the job table keeps them, without credentials or secrets."""
    stored: dict[str, Any] = {}
    for name, value in request.params.items():
        stored[name] = "******" if any(marker in name for marker in _SECRET_MARKERS) else value
    for name, entries in request.maps.items():
        stored[name] = [_masked_entry(entry) for entry in entries]
    stored["command"] = request.command
    return stored


def _masked_entry(entry: dict[str, str]) -> dict[str, str]:
    def secret(text: str) -> bool:
        return any(marker in text.lower() for marker in _SECRET_MARKERS)

    value_is_secret = secret(entry.get("key", ""))  # key/value maps: details[0].key=secretkey
    return {k: "******" if secret(k) or (k == "value" and value_is_secret) else v for k, v in entry.items()}


def _target_uuid(arguments: dict[str, Any]) -> str:
    target = arguments.get("id")
    return str(getattr(target, "uuid", target or ""))

"""The console servlet path, `/client/console?cmd=access&...`, where CloudStack's UI opens consoles.

Two ways in, both answering the console details (protocol, host, port, password) as JSON:
- `token=<t>`: a one-time token from createConsoleEndpoint; the token itself is the credential.
- `vm=<uuid>`: a logged-in UI session (the JSESSIONID and sessionkey cookies, or `sessionkey`);
  the VM must be visible to the session's user, as in the API.
CloudStack 4.3 answered with an HTML page embedding its console proxy's viewer; no console proxy
exists here, so the client connects to the reported host and port itself. Errors are JSON
`{"errorcode", "errortext"}` with the error's HTTP status; no reply is ever cached.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, request

from cirrostack.api import auth
from cirrostack.api.wire import WireRequest
from cirrostack.errors import AuthenticationFailed, CirroError, InvalidParameter
from cirrostack.services import console, scope
from cirrostack.services.vms.lifecycle import Drivers


def register_console_route(app: Flask, server: Any) -> None:
    """Add `console.CONSOLE_PATH` to the API application of `server` (an http.ApiServer)."""

    @app.route(console.CONSOLE_PATH, methods=["GET"])
    def client_console() -> Response:
        try:
            return _json(200, {"consoleaccess": _grant(server).as_dict()})
        except AuthenticationFailed as error:
            return _json(401, {"errorcode": 401, "errortext": error.message})
        except CirroError as error:
            return _json(error.http_status, {"errorcode": error.http_status, "errortext": error.message})


def _grant(server: Any) -> console.ConsoleGrant:
    command = request.args.get("cmd", "")
    if command != "access":
        raise InvalidParameter("cmd", f"{command!r} is not a console command; the console path answers cmd=access")
    token, vm_uuid = request.args.get("token", ""), request.args.get("vm", "")
    if token:
        return console.TOKENS.redeem(token)
    if not vm_uuid:
        raise InvalidParameter("vm", "missing: give vm=<uuid> with a logged-in session, or the token of "
                                     "createConsoleEndpoint")
    with server.database.session() as session:
        wire = WireRequest(signed={}, command="console", sessionkey=request.args.get("sessionkey", ""))
        caller = auth.caller_for_session(session, server.sessions, wire, request.cookies)
        vm = scope.load_visible(session, caller, "VirtualMachine", vm_uuid, "vm")
        return console.access_for(session, caller, vm, Drivers(server.registry, server.secrets), param="vm")


def _json(status: int, body: dict[str, Any]) -> Response:
    response = Response(json.dumps(body), status=status, content_type="application/json; charset=UTF-8")
    response.headers["Cache-Control"] = "no-store"
    return response

"""createConsoleEndpoint: a one-time URL for a running VM's console details.

CloudStack's reply also carries `websocket` (host, port, path, token of its console proxy's VNC
websocket); there is no console proxy here, so the reply has no `websocket`: the URL's details name
the protocol, host and port a client connects to directly."""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import Call, Command, Field, Param, Response
from cirrostack.api.params import Uuid
from cirrostack.db.models import VirtualMachine
from cirrostack.services import console
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vms.lifecycle import Drivers

CONSOLE_ENDPOINT_RESPONSE = Response("consoleendpoint", (
    Field("success", "boolean", "true if the console endpoint was created"),
    Field("details", "string", "what the url hands out and for how long"),
    Field("url", "string", "the path, on this API's address, that returns the console's protocol, host, port and "
                           "password once, within the token's lifetime")), instance_type="VirtualMachine")

CREATE_CONSOLE_ENDPOINT = Command(
    "createConsoleEndpoint", "Create a console endpoint to connect to a VM console", roles=ANY_ROLE,
    response=CONSOLE_ENDPOINT_RESPONSE, since="4.18.0",
    java_class="org.apache.cloudstack.api.command.user.consoleproxy.CreateConsoleEndpointCmd",
    related=("listVirtualMachines",),
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "ID of the VM; it must be Running", required=True),))


@CREATE_CONSOLE_ENDPOINT.handler
def create_console_endpoint(call: Call, virtualmachineid: VirtualMachine) -> dict[str, Any]:
    token = console.create_endpoint(call.session, call.caller, virtualmachineid, Drivers(call.registry, call.secrets))
    return {"success": True, "url": console.endpoint_path(token),
            "details": f"the url returns the console details of VM {virtualmachineid.name} once, within "
                       f"{int(console.TOKENS.ttl)} seconds"}

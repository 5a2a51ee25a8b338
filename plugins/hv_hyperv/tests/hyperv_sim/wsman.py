"""A WinRM (WS-Management over HTTP) endpoint for one simulated Hyper-V host, on loopback.

It answers what pywinrm sends: Create (a cmd shell), Command, Receive, Signal and Delete, as SOAP 1.2
envelopes; unknown shells get a WS-Man fault. Authentication is either HTTP Basic (checked on every
request; the tests serve it over TLS) or NTLM with pyspnego as the acceptor (users from the file in
NTLM_USER_FILE), with WinRM's NTLM message encryption ("multipart/encrypted") when the client uses it.
NTLM authentication belongs to the TCP connection, as with IIS/WinRM: one handler instance is one
connection. Commands run when they arrive; the first Receive returns all output with state Done.
"""

from __future__ import annotations

import base64
import ssl
import struct
import threading
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from hyperv_sim.powershell import Result, run_command_line
from hyperv_sim.world import SimHost, World

NS = {"s": "http://www.w3.org/2003/05/soap-envelope", "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
      "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
      "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
      "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer"}
SHELL = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
ACTIONS = {"http://schemas.xmlsoap.org/ws/2004/09/transfer/Create": "create", f"{SHELL}/Command": "command",
           f"{SHELL}/Receive": "receive", f"{SHELL}/Signal": "signal",
           "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete": "delete"}
BOUNDARY = b"--Encrypted Boundary"
ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"


@dataclass
class Shell:
    commands: dict[str, Result] = field(default_factory=dict)


class WinRMServer(ThreadingHTTPServer):
    """`http(s)://127.0.0.1:<port>/wsman` for `host`. `auth` is "ntlm" or "basic"; `users` maps
    "DOMAIN\\user" or "user" to its password (Basic; NTLM reads NTLM_USER_FILE)."""

    daemon_threads = True

    def __init__(self, world: World, host: SimHost, auth: str = "ntlm", users: dict[str, str] | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.world, self.host, self.auth, self.users = world, host, auth, dict(users or {})
        self.shells: dict[str, Shell] = {}
        self.shell_lock = threading.Lock()
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.server_address[1]}/wsman"
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> WinRMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(5)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: WinRMServer

    def setup(self) -> None:
        super().setup()
        self._ntlm: Any = None
        self._principal = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._authenticated(body):
            return
        if not body:
            self._send(200, b"", "application/soap+xml;charset=UTF-8")
            return
        encrypted = "multipart/encrypted" in self.headers.get("Content-Type", "")
        reply = self._soap(self._unseal(body) if encrypted else body)
        status = 500 if b"<s:Fault>" in reply else 200
        if encrypted:
            self._send(status, self._seal(reply),
                       f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"')
        else:
            self._send(status, reply, "application/soap+xml;charset=UTF-8")

    # -- authentication -----------------------------------------------------------------------

    def _authenticated(self, body: bytes) -> bool:
        header = self.headers.get("Authorization", "")
        if self.server.auth == "basic":
            return self._basic(header)
        if self._principal:
            return True
        scheme, _, token = header.partition(" ")
        if scheme not in ("NTLM", "Negotiate") or not token:
            self._send(401, b"", headers=[("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")])
            return False
        import spnego
        from spnego.exceptions import SpnegoError

        try:
            if self._ntlm is None:
                self._ntlm = spnego.server(protocol="ntlm")
            answer = self._ntlm.step(base64.b64decode(token))
        except SpnegoError:
            self._ntlm = None
            self._send(401, b"", headers=[("WWW-Authenticate", "NTLM")])
            return False
        if not self._ntlm.complete:
            self._send(401, b"", headers=[("WWW-Authenticate", f"{scheme} {base64.b64encode(answer).decode()}")])
            return False
        self._principal = str(self._ntlm.client_principal)
        return True

    def _basic(self, header: str) -> bool:
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "basic":
            user, _, password = base64.b64decode(token).decode("utf-8", "replace").partition(":")
            if user in self.server.users and self.server.users[user] == password:
                return True
        self._send(401, b"", headers=[("WWW-Authenticate", 'Basic realm="WSMAN"')])
        return False

    # -- NTLM message encryption --------------------------------------------------------------

    def _unseal(self, body: bytes) -> bytes:
        parts = [part for part in body.split(BOUNDARY + b"\r\n") if part]
        payload = parts[1]
        if payload.endswith(BOUNDARY + b"--\r\n"):
            payload = payload[: -len(BOUNDARY + b"--\r\n")]
        payload = payload.replace(b"\tContent-Type: application/octet-stream\r\n", b"", 1)
        length = struct.unpack("<i", payload[:4])[0]
        return self._ntlm.unwrap_winrm(payload[4:4 + length], payload[4 + length:])

    def _seal(self, message: bytes) -> bytes:
        wrapped = self._ntlm.wrap_winrm(message)
        return (BOUNDARY + b"\r\n\tContent-Type: " + ENCRYPTED_PROTOCOL.encode() + b"\r\n"
                b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + str(len(message)).encode() +
                b"\r\n" + BOUNDARY + b"\r\n\tContent-Type: application/octet-stream\r\n" +
                struct.pack("<i", len(wrapped.header)) + wrapped.header + wrapped.data + BOUNDARY + b"--\r\n")

    # -- WS-Man ---------------------------------------------------------------------------------

    def _soap(self, xml: bytes) -> bytes:
        root = ET.fromstring(xml)
        action = ACTIONS.get(root.findtext("s:Header/a:Action", "", NS), "")
        message_id = root.findtext("s:Header/a:MessageID", "", NS)
        shell_id = next((s.text or "" for s in root.iterfind("s:Header/w:SelectorSet/w:Selector", NS)
                         if s.get("Name") == "ShellId"), "")
        body = root.find("s:Body", NS)
        if action == "create":
            shell_id = str(uuid.uuid4()).upper()
            with self.server.shell_lock:
                self.server.shells[shell_id] = Shell()
            return _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse", message_id,
                             f"<x:ResourceCreated><a:Address>{escape(self.server.url)}</a:Address>"
                             f"<a:ReferenceParameters><w:ResourceURI>{SHELL}/cmd</w:ResourceURI><w:SelectorSet>"
                             f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
                             f"</a:ReferenceParameters></x:ResourceCreated><rsp:Shell><rsp:ShellId>{shell_id}"
                             "</rsp:ShellId><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout "
                             "stderr</rsp:OutputStreams></rsp:Shell>")
        with self.server.shell_lock:
            shell = self.server.shells.get(shell_id)
            if shell is not None and action == "delete":
                del self.server.shells[shell_id]
        if shell is None or not action:
            return _fault(message_id, "w:InvalidSelectors", "2150858843",
                          "The request for the Windows Remote Shell with ShellId " + escape(shell_id) + " failed "
                          "because the shell was not found on the server.")
        if action == "command":
            line = body.find("rsp:CommandLine", NS) if body is not None else None
            command_id = str(uuid.uuid4()).upper()
            shell.commands[command_id] = run_command_line(
                self.server.world, self.server.host, line.findtext("rsp:Command", "", NS) if line is not None else "",
                line.findtext("rsp:Arguments", "", NS) if line is not None else "")
            return _envelope(f"{SHELL}/CommandResponse", message_id,
                             f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>")
        if action == "receive":
            stream = body.find("rsp:Receive/rsp:DesiredStream", NS) if body is not None else None
            command_id = stream.get("CommandId", "") if stream is not None else ""
            result = shell.commands.get(command_id, Result("", "", 0))
            out = base64.b64encode(result.stdout.encode()).decode()
            err = base64.b64encode(result.stderr.encode()).decode()
            return _envelope(f"{SHELL}/ReceiveResponse", message_id,
                             f'<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="{command_id}">{out}'
                             f'</rsp:Stream><rsp:Stream Name="stderr" CommandId="{command_id}">{err}</rsp:Stream>'
                             f'<rsp:CommandState CommandId="{command_id}" State="{SHELL}/CommandState/Done">'
                             f"<rsp:ExitCode>{result.exit_code}</rsp:ExitCode></rsp:CommandState>"
                             "</rsp:ReceiveResponse>")
        if action == "signal":
            return _envelope(f"{SHELL}/SignalResponse", message_id, "<rsp:SignalResponse/>")
        return _envelope("http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse", message_id, "")

    def _send(self, status: int, body: bytes, content_type: str = "", headers: list[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _envelope(action: str, relates_to: str, body: str) -> bytes:
    namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())
    return (f"<s:Envelope {namespaces}><s:Header><a:Action>{action}</a:Action>"
            f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID>"
            f"<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>"
            f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo></s:Header><s:Body>{body}</s:Body>"
            "</s:Envelope>").encode()


def _fault(relates_to: str, subcode: str, code: str, text: str) -> bytes:
    return _envelope("http://schemas.dmtf.org/wbem/wsman/1/wsman/fault", relates_to,
                     f"<s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>{subcode}</s:Value>"
                     f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">{text}</s:Text></s:Reason>'
                     f'<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" '
                     f'Code="{code}" Machine="127.0.0.1"><f:Message>{text}</f:Message></f:WSManFault>'
                     "</s:Detail></s:Fault>")

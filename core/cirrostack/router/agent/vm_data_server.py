"""The router's user data, metadata and password server, run inside the router's namespace.

    python -m cirrostack.router.agent.vm_data_server --directory DIR --address GUEST_IP --pid-file FILE

Port 80 answers what CloudStack guests ask their DHCP server for: /latest/user-data,
/latest/meta-data/ (the list of names), /latest/meta-data/<name> (also /latest/<name>). Port 8080
is the password server: a request with header `DomU_Request: send_my_password` gets the pending
password (or "saved_password" when there is none), `DomU_Request: saved_password` marks it
delivered. A guest is known by its address: the files live in DIR/<guest ip>/, written by the
router agent; they are read per request, so a changed file needs no restart.
"""

from __future__ import annotations

import argparse
import os
import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

USER_DATA_PORT = 80
PASSWORD_PORT = 8080


class _Handler(BaseHTTPRequestHandler):
    directory: Path
    server_version = "cirrostack-router"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _guest(self) -> Path | None:
        guest = self.directory / self.client_address[0]
        return guest if guest.is_dir() else None


class UserDataHandler(_Handler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        guest = self._guest()
        path = self.path.split("?", 1)[0].rstrip("/")
        if guest is None:
            return self._reply(404, b"unknown guest\n")
        if path == "/latest/user-data":
            target = guest / "user-data"
        elif path in ("/latest/meta-data", "/latest"):
            names = sorted(entry.name for entry in (guest / "meta-data").glob("*"))
            return self._reply(200, ("\n".join(names) + "\n").encode())
        else:
            name = path.removeprefix("/latest/meta-data/").removeprefix("/latest/")
            target = guest / "meta-data" / name
            if "/" in name or name.startswith("."):
                return self._reply(404, b"not found\n")
        try:
            return self._reply(200, target.read_bytes())
        except (FileNotFoundError, IsADirectoryError):
            return self._reply(404, b"not found\n")


class PasswordHandler(_Handler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        guest = self._guest()
        request = (self.headers.get("DomU_Request") or "").strip()
        pending = guest / "password" if guest else None
        if request == "send_my_password":
            if pending is not None and pending.exists():
                return self._reply(200, pending.read_bytes())
            return self._reply(200, b"saved_password")
        if request == "saved_password":
            if pending is not None and pending.exists():
                pending.replace(pending.with_name("password.saved"))
            return self._reply(200, b"saved_password")
        return self._reply(400, b"bad_request")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self) -> None:
        # HTTPServer would look its address up in DNS (getfqdn), which inside the router's namespace
        # waits for resolvers it cannot reach.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


def _serving(handler: type[_Handler], directory: Path, address: str, port: int) -> ThreadingHTTPServer:
    handler_class = type(handler.__name__, (handler,), {"directory": directory})
    server = _Server((address, port), handler_class)
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="user data, metadata and password server of a router")
    parser.add_argument("--directory", required=True, type=Path)
    parser.add_argument("--address", required=True)
    parser.add_argument("--pid-file", required=True, type=Path)
    parser.add_argument("--foreground", action="store_true")
    options = parser.parse_args(argv)
    servers = [_serving(UserDataHandler, options.directory, options.address, USER_DATA_PORT),
               _serving(PasswordHandler, options.directory, options.address, PASSWORD_PORT)]
    if not options.foreground:
        child = os.fork()
        if child:  # the parent returns once the ports are bound and the pid is recorded; the child serves
            options.pid_file.write_text(f"{child}\n")
            return 0
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(devnull, stream)
    else:
        options.pid_file.write_text(f"{os.getpid()}\n")
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())

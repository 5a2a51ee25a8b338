"""The Flask application serving `/client/api`.

One view handles GET and POST alike: read the parameters (`wire`), find out who calls (`auth`),
run the command (`dispatch`), write the envelope (`envelope`). Every failure becomes
CloudStack's error envelope; no reply ever carries a traceback or an HTML page.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, g, request

from cirrostack.api import auth, envelope
from cirrostack.api.commands import core_commands
from cirrostack.api.dispatch import Dispatcher, build_command_table
from cirrostack.api.sessions import LoginSession, SessionStore
from cirrostack.api.wire import WireRequest, merge, read_request, response_format
from cirrostack.config import ServerConfig
from cirrostack.errors import AuthenticationFailed, CirroError, UnknownCommand
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import accounts
from cirrostack.services.context import Caller

log = logging.getLogger(__name__)
access_log = logging.getLogger("cirrostack.api.access")

API_PATH = "/client/api"
#: Largest request body accepted (userdata may be 32 KiB base64; 413 beyond this).
MAX_BODY_BYTES = 4 * 1024 * 1024
COOKIE_PATH = "/client"
_HIDDEN_STATUSES = (530, 533, 534)


@dataclass
class ApiServer:
    """What both listeners (the API port and the integration port) share."""

    config: ServerConfig
    database: Any
    secrets: Any
    jobs: Any
    registry: PluginRegistry
    dispatcher: Dispatcher
    sessions: SessionStore = field(default_factory=SessionStore)
    generated_admin_password: str | None = None
    host_monitor: Any = None  # services.infrastructure.host_monitor.HostMonitor
    capacity_monitor: Any = None  # services.capacity_monitor.CapacityMonitor
    expunger: Any = None  # services.vms.expunger.Expunger
    vm_state_sync: Any = None  # services.vms.state_sync.VMStateSync
    router_monitor: Any = None  # services.networks.router_monitor.RouterMonitor
    snapshot_scheduler: Any = None  # services.snapshots.scheduler.SnapshotScheduler
    alert_mailer: Any = None  # services.alert_mail.AlertMailer

    def close(self) -> None:
        """Stop the host and capacity monitors and the expunger, let running jobs finish, tell plugins,
        send the alerts still queued, then release the database."""
        from cirrostack.services.server_wiring import disconnect_services

        if self.host_monitor is not None:
            self.host_monitor.stop()
        if self.capacity_monitor is not None:
            self.capacity_monitor.stop()
        if self.expunger is not None:
            self.expunger.stop()
        if self.vm_state_sync is not None:
            self.vm_state_sync.stop()
        if self.router_monitor is not None:
            self.router_monitor.stop()
        if self.snapshot_scheduler is not None:
            self.snapshot_scheduler.stop()
        self.jobs.shutdown(wait=True)
        self.registry.shutdown()
        disconnect_services(self.registry, self.alert_mailer)
        self.database.engine.dispose()


class SchemaOutOfDate(RuntimeError):
    """The database schema is older or newer than this release's migrations."""


def build_server(config: ServerConfig, registry: PluginRegistry | None = None) -> ApiServer:
    """Open the database (migrating an empty one), the secret box and the job executor, fail
    jobs a stopped server left pending, and create the admin user on first start."""
    from cirrostack.db.database import Database
    from cirrostack.jobs import JobExecutor
    from cirrostack.secrets import SecretBox

    config.data_dir.mkdir(parents=True, exist_ok=True)
    registry = registry if registry is not None else PluginRegistry.load(config.disabled_plugins)
    database = Database(config.db_url)
    if database.is_empty():
        database.upgrade()
    elif (revision := database.current_revision()) != Database.head_revision():
        database.dispose()
        raise SchemaOutOfDate(
            f"the database is at schema revision {revision}, this cirrostack needs "
            f"{Database.head_revision()}: run `cirro db upgrade --db <url>` first"
        )
    secrets = SecretBox.for_data_dir(config.data_dir)
    with database.session() as session:
        generated = accounts.bootstrap(session, config.admin_password or None)
    # Command modules register the cleanups of their jobs on import, so load them before recovery.
    commands = build_command_table(core_commands(), registry.api_commands())
    jobs = JobExecutor(database, workers=config.job_workers, server_id=config.server_id)
    dispatcher = Dispatcher(commands, database, registry, secrets, jobs)
    server = ApiServer(config, database, secrets, jobs, registry, dispatcher, generated_admin_password=generated)
    try:
        _start_services(server)
    except BaseException:
        server.close()  # whatever started before the failure stops again; no thread outlives the error
        raise
    return server


def _start_services(server: ApiServer) -> None:
    """Fail the jobs a stopped server left pending, start plugins and the services, then the background tasks."""
    from cirrostack.services.capacity_monitor import CapacityMonitor
    from cirrostack.services.infrastructure.host_monitor import HostMonitor
    from cirrostack.services.networks.router_monitor import RouterMonitor
    from cirrostack.services.server_wiring import connect_services
    from cirrostack.services.snapshots.scheduler import SnapshotScheduler
    from cirrostack.services.vms.expunger import Expunger
    from cirrostack.services.vms.state_sync import VMStateSync

    database, registry, secrets = server.database, server.registry, server.secrets
    recovered = server.jobs.recover()
    if recovered:
        log.warning("%d async jobs were left pending by a stopped server and are now failed", recovered)
    registry.startup({"server_id": server.config.server_id})
    server.alert_mailer = connect_services(database, secrets, registry)
    server.host_monitor = HostMonitor(database, registry, secrets)
    server.host_monitor.start()
    server.capacity_monitor = CapacityMonitor(database)
    server.capacity_monitor.start()
    server.expunger = Expunger(database, registry, secrets)
    server.expunger.start()
    server.vm_state_sync = VMStateSync(database, registry, secrets)
    server.vm_state_sync.start()
    server.router_monitor = RouterMonitor(database, registry, secrets)
    server.router_monitor.start()
    server.snapshot_scheduler = SnapshotScheduler(database, registry, secrets)
    server.snapshot_scheduler.start()


def create_app(config: ServerConfig, registry: PluginRegistry | None = None) -> Flask:
    """The API application for `config`; its ApiServer is `app.extensions["cirrostack"]`."""
    return api_app(build_server(config, registry))


def api_app(server: ApiServer, integration: bool = False) -> Flask:
    """A Flask app over `server`. With `integration`, no authentication: every request runs as
    the root admin (CloudStack's integration.api.port; bind it to loopback)."""
    app = Flask("cirrostack.integration" if integration else "cirrostack.api")
    app.extensions["cirrostack"] = server
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @app.route(API_PATH, methods=["GET", "POST"])
    def client_api() -> Response:
        g.started = time.monotonic()
        merged = merge(request.args.to_dict(), request.form.to_dict())
        g.command = merged.get("command", "")
        reply, new_cookies = _handle(server, merged, integration)
        response = Response(reply.body, status=reply.status, content_type=reply.content_type)
        if reply.description:
            response.headers["X-Description"] = reply.description.replace("\r", " ").replace("\n", " ")
        for name, value, max_age in new_cookies:
            response.set_cookie(name, value, path=COOKIE_PATH, httponly=True, max_age=max_age)
        return response

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("started", time.monotonic())
        access_log.info('%s %s command=%s status=%d %.1fms', request.remote_addr, request.method,
                        g.get("command", "") or "-", response.status_code, (time.monotonic() - started) * 1000)
        return response

    if not integration:
        from cirrostack.api.console_route import register_console_route

        register_console_route(app, server)
        from cirrostack.api.extract_route import register_extract_route

        register_extract_route(app, server)
    for status in (400, 404, 405, 413, 500):
        app.register_error_handler(status, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _handle(server: ApiServer, merged: dict[str, str], integration: bool
            ) -> tuple[envelope.Reply, list[tuple[str, str, int | None]]]:
    """Authenticate and run one request. Returns the reply and cookies to set (name, value, max-age)."""
    fmt = response_format(merged)
    known = server.dispatcher.commands.get(merged.get("command", "").strip())
    # login/logout failures use errorresponse, as CloudStack's servlet answers them
    response_name = known.wire_response_name if known is not None and known.listed else "errorresponse"
    caller: Caller | None = None
    cookies: list[tuple[str, str, int | None]] = []
    try:
        wire_request = read_request(merged)
        if wire_request.command == "login":
            reply, login = _login(server, wire_request, fmt)
            return reply, [(auth.SESSION_COOKIE, login.session_id, None),
                           (auth.SESSION_KEY_COOKIE, login.session_key, None)]
        if wire_request.command == "logout":
            return _logout(server, fmt), [(auth.SESSION_COOKIE, "", 0), (auth.SESSION_KEY_COOKIE, "", 0)]
        if not wire_request.command:
            return envelope.render_error(fmt, response_name, 400, "no command specified"), cookies
        command = server.dispatcher.lookup(wire_request.command)
        with server.database.session() as session:
            caller = _authenticate(server, session, wire_request, integration)
            body = server.dispatcher.run(command, caller, wire_request, session)
        return envelope.render(fmt, response_name, body), cookies
    except CirroError as error:
        if isinstance(error, UnknownCommand):
            response_name = "errorresponse"
        return _error_reply(fmt, response_name, error, caller), cookies
    except Exception:
        log.exception("unexpected error in API command %s", merged.get("command", ""))
        text = envelope.INTERNAL_ERROR_TEXT
        return envelope.render_error(fmt, response_name, 530, text, 4250), cookies


def _authenticate(server: ApiServer, session: Any, wire_request: WireRequest, integration: bool) -> Caller:
    if integration:
        return accounts.root_admin_caller(session)
    if auth.is_key_signed(wire_request):
        return auth.caller_for_signed_request(session, server.secrets, wire_request)
    return auth.caller_for_session(session, server.sessions, wire_request, request.cookies)


def _login(server: ApiServer, wire_request: WireRequest, fmt: str) -> tuple[envelope.Reply, LoginSession]:
    with server.database.session() as session:
        fields, login = auth.log_in(session, server.sessions, wire_request, request.cookies)
    return envelope.render(fmt, "loginresponse", fields), login


def _logout(server: ApiServer, fmt: str) -> envelope.Reply:
    session_id = request.cookies.get(auth.SESSION_COOKIE)
    if session_id:
        server.sessions.invalidate(session_id)
    return envelope.render(fmt, "logoutresponse", {"description": "success"})


def _error_reply(fmt: str, response_name: str, error: CirroError, caller: Caller | None) -> envelope.Reply:
    status = error.http_status
    if isinstance(error, AuthenticationFailed):
        return envelope.render_error(fmt, response_name, 401, error.message)
    text = error.message
    if status in _HIDDEN_STATUSES and (caller is None or not caller.is_root_admin):
        log.warning("API error %d hidden from the caller: %s", status, text)
        text = envelope.INTERNAL_ERROR_TEXT
    if status == 432:
        response_name = "errorresponse"
    return envelope.render_error(fmt, response_name, status, text, error.cs_error_code, getattr(error, "uuids", None))


def _http_error(error: Any) -> Response:
    status = getattr(error, "code", 500) or 500
    texts = {404: f"no such resource {request.path}; the API is at {API_PATH}",
             405: f"method {request.method} is not allowed; use GET or POST"}
    text = texts.get(status, getattr(error, "description", ""))
    if status >= 500:
        text = envelope.INTERNAL_ERROR_TEXT
    reply = envelope.render_error(response_format(request.args.to_dict()), "errorresponse", status, str(text), 9999)
    return Response(reply.body, status=reply.status, content_type=reply.content_type)


def _unexpected_error(error: Exception) -> Response:
    if isinstance(getattr(error, "code", None), int):
        return _http_error(error)
    log.exception("unexpected error outside an API command")
    reply = envelope.render_error(response_format(request.args.to_dict()), "errorresponse", 530,
                                  envelope.INTERNAL_ERROR_TEXT, 4250)
    return Response(reply.body, status=reply.status, content_type=reply.content_type)

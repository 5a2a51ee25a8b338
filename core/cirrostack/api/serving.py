"""Running the API under waitress: the API port, the optional integration port, clean shutdown.

Both listeners share one event loop. SIGTERM or SIGINT stops accepting connections, lets
requests in flight and running async jobs finish, then closes the database.
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType

from waitress import wasyncore
from waitress.server import create_server

from cirrostack.api.http import ApiServer, api_app, build_server
from cirrostack.config import ServerConfig

log = logging.getLogger(__name__)


class _StopFlag:
    """Set by the SIGTERM/SIGINT handler; the event loop checks it between turns."""

    def __init__(self) -> None:
        self.reason = ""

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.reason = signal.Signals(signum).name


#: Longest wait of one event-loop turn, hence the delay before a stop signal is seen.
LOOP_TURN_SECONDS = 0.5


def serve(config: ServerConfig, announce: Callable[[str], None] = print,
          before_listening: Callable[[ApiServer], None] | None = None) -> None:
    """Build the server, listen, and block until SIGTERM/SIGINT. `announce` prints the lines an
    operator needs once: the generated admin password and the listening addresses.
    `before_listening(server)` runs once the server is built and before it accepts requests (the
    demo zone); if it raises, the server is closed and the error propagates."""
    server = build_server(config)
    if server.generated_admin_password:
        announce(f"Created user admin in domain ROOT with password: {server.generated_admin_password}")
        announce("It is shown only this once; change it with updateUser.")
    if before_listening is not None:
        try:
            before_listening(server)
        except BaseException:
            server.close()
            raise
    socket_map: dict = {}
    listeners = [create_server(api_app(server), map=socket_map, host=config.host, port=config.port,
                               threads=config.threads, ident="cirrostack", clear_untrusted_proxy_headers=True)]
    announce(f"cirrostack API listening on http://{_url_host(listeners[0])}:{listeners[0].effective_port}/client/api")
    from cirrostack.services.templates.extract import use_public_base  # extract URLs name the port really bound

    use_public_base(f"http://{_url_host(listeners[0])}:{listeners[0].effective_port}")
    if config.integration_port:
        integration = create_server(api_app(server, integration=True), map=socket_map, host=config.integration_host,
                                    port=config.integration_port, threads=2, ident="cirrostack")
        listeners.append(integration)
        announce(f"integration port (no authentication, acts as root admin) listening on "
                 f"http://{_url_host(integration)}:{integration.effective_port}/client/api")
    sys.stdout.flush()
    # What was loaded at start (modules, command tables, plugins) lives as long as the process: move it out
    # of the collector's view, so full collections stay short while requests run (a 500-VM page allocates
    # enough objects to trigger them).
    gc.freeze()
    _run_until_signal(server, listeners, socket_map)


def _url_host(listener) -> str:
    host = str(listener.effective_host)
    return f"[{host}]" if ":" in host else host


def _run_until_signal(server: ApiServer, listeners: list, socket_map: dict) -> None:
    stop = _StopFlag()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.reason:
            wasyncore.loop(timeout=LOOP_TURN_SECONDS, map=socket_map, use_poll=True, count=1)
    finally:
        # A second signal now takes the default action (ends the process at once).
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log.info("stopping (%s): no new connections; finishing requests and jobs in flight",
                 stop.reason or "event loop ended")
        for listener in listeners:
            listener.close()  # the listening socket only; open connections stay in the map
        _drain(listeners, socket_map, DRAIN_SECONDS)
        for listener in listeners:
            listener.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        wasyncore.close_all(socket_map)
        server.close()
        log.info("stopped")


#: How long requests in flight may take to finish after a stop signal.
DRAIN_SECONDS = 30


def _drain(listeners: list, socket_map: dict, seconds: float) -> None:
    """Keep the event loop turning (so replies get written) until no request is in flight."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and _busy(listeners, socket_map):
        wasyncore.loop(timeout=0.05, map=socket_map, count=1)


def _busy(listeners: list, socket_map: dict) -> bool:
    for listener in listeners:
        dispatcher = listener.task_dispatcher
        if dispatcher.active_count or dispatcher.queue:
            return True
    return any(getattr(channel, "requests", None) or getattr(channel, "total_outbufs_len", 0)
               for channel in list(socket_map.values()))

"""Connections to KVM hosts: libvirt is imported here, on first use, never at discovery.

One connection per (URI, user) is kept for the whole process and shared by every driver
instance (the core makes a driver per call), so a host is not re-dialled for each operation and
the libvirt `test:///` driver, whose state lives in its connection, behaves like one host.
libvirt connections are thread-safe, so the cached connection is used from any thread.

libvirt's default event loop is registered before the first connection is opened and run by one
daemon thread: connections then get keepalives, and `watch_events` can subscribe to domain events.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from cirrostack.errors import HostUnreachable, InvalidParameter
from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack_hv_kvm._errors import is_libvirt_error, quiet

ACCEPTED_SCHEMES = ("qemu", "qemu+tcp", "qemu+ssh", "qemu+tls", "qemu+unix", "qemu+libssh2", "test")
"""libvirt URI schemes addHost takes for a KVM host (`test` is libvirt's in-memory driver)."""

_lock = threading.Lock()
_module: ModuleType | None = None
_connections: dict[tuple[str, str], Any] = {}


def libvirt_module() -> ModuleType:
    """The libvirt module, imported once, with its event loop running and stderr printing off."""
    global _module
    with _lock:
        if _module is None:
            import libvirt

            libvirt.registerErrorHandler(quiet, None)
            libvirt.virEventRegisterDefaultImpl()
            threading.Thread(target=_run_event_loop, args=(libvirt,), name="libvirt-events", daemon=True).start()
            _module = libvirt
        return _module


def _run_event_loop(libvirt: ModuleType) -> None:
    while True:
        libvirt.virEventRunDefaultImpl()


def check_uri(url: str) -> str:
    """`url` when it is a libvirt URI of a KVM host; else InvalidParameter naming `url`."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ACCEPTED_SCHEMES:
        raise InvalidParameter("url", f"{url!r} is not a libvirt URI of a KVM host; expected qemu+tcp://host/system, "
                                      "qemu+ssh://user@host/system, qemu:///system (or test:///default for tests)")
    if parts.scheme.lower() != "test" and parts.path.rstrip("/") not in ("/system", "/session"):
        raise InvalidParameter("url", f"{url!r} names libvirt path {parts.path or '(none)'}; a KVM host is "
                                      "reached at /system (e.g. qemu+tcp://host/system)")
    return url.strip()


def host_label(host: HostRef) -> str:
    return host.name or host.url


def connection(host: HostRef) -> Any:
    """The open connection to `host`, dialled (with the host's credentials) if there is none
    or the last one died. Raises InvalidParameter for a URI that is not KVM's, HostUnreachable."""
    uri = check_uri(host.url)
    key = (uri, host.username)
    with _lock:
        conn = _connections.get(key)
    if conn is not None and _alive(conn):
        return conn
    fresh = open_connection(uri, host)
    with _lock:
        current = _connections.get(key)
        if current is not None and current is not conn and _alive(current):
            loser, winner = fresh, current  # another thread dialled the host meanwhile
        else:
            loser, winner = None, fresh
            _connections[key] = fresh
    if loser is not None:
        loser.close()
    return winner


def open_connection(uri: str, host: HostRef) -> Any:
    """A new connection of its own (event watchers keep one each). Raises HostUnreachable."""
    libvirt = libvirt_module()

    def answer(credentials: list[list[Any]], _opaque: Any) -> int:
        for credential in credentials:
            if credential[0] == libvirt.VIR_CRED_AUTHNAME:
                credential[4] = host.username
            elif credential[0] == libvirt.VIR_CRED_PASSPHRASE:
                credential[4] = host.password
        return 0

    try:
        if host.username or host.password:
            auth = [[libvirt.VIR_CRED_AUTHNAME, libvirt.VIR_CRED_PASSPHRASE], answer, None]
            return libvirt.openAuth(uri, auth, 0)
        return libvirt.open(uri)
    except Exception as exc:
        if is_libvirt_error(exc):
            raise HostUnreachable(f"KVM host {host_label(host)} at {uri} could not be reached: {exc}") from exc
        raise


def forget(host: HostRef) -> None:
    """Drop the cached connection of `host` (after it failed), so the next call dials again."""
    with _lock:
        conn = _connections.pop((host.url.strip(), host.username), None)
    if conn is not None:
        try:
            conn.close()
        except Exception:  # a dead connection may refuse to close; it is gone either way
            pass


def _alive(conn: Any) -> bool:
    try:
        return bool(conn.isAlive())
    except Exception:
        return False

"""libvirt failures -> cirrostack errors, in one table and one context manager.

Every libvirt call of the driver runs inside `libvirt_errors(...)`, so a `libvirtError` never
leaves the plugin: it becomes the error of `cirrostack.errors` that says what happened, and keeps
libvirt's own message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cirrostack.errors import (
    CirroError,
    HostUnreachable,
    InsufficientCapacity,
    InvalidParameter,
    InvalidState,
    UnsupportedOperation,
    VMNotFound,
)

# libvirt's virErrorNumber values, spelled out so this table needs no import of libvirt.
VIR_ERR_INTERNAL_ERROR = 1
VIR_ERR_NO_MEMORY = 2
VIR_ERR_NO_SUPPORT = 3
VIR_ERR_NO_CONNECT = 5
VIR_ERR_INVALID_CONN = 6
VIR_ERR_SYSTEM_ERROR = 38
VIR_ERR_RPC = 39
VIR_ERR_OPERATION_INVALID = 55
VIR_ERR_NO_DOMAIN = 42
VIR_ERR_AUTH_FAILED = 45
VIR_ERR_NO_DOMAIN_SNAPSHOT = 72
VIR_ERR_ARGUMENT_UNSUPPORTED = 74
VIR_ERR_AUTH_CANCELLED = 79
VIR_ERR_AUTH_UNAVAILABLE = 94
VIR_ERR_OPERATION_UNSUPPORTED = 84
VIR_ERR_NO_STORAGE_VOL = 50
VIR_ERR_NO_STORAGE_POOL = 49

_UNREACHABLE = {VIR_ERR_NO_CONNECT, VIR_ERR_INVALID_CONN, VIR_ERR_SYSTEM_ERROR, VIR_ERR_RPC,
                VIR_ERR_AUTH_FAILED, VIR_ERR_AUTH_CANCELLED, VIR_ERR_AUTH_UNAVAILABLE}
_UNSUPPORTED = {VIR_ERR_NO_SUPPORT, VIR_ERR_ARGUMENT_UNSUPPORTED, VIR_ERR_OPERATION_UNSUPPORTED}


def is_libvirt_error(exc: BaseException) -> bool:
    """True for a `libvirt.libvirtError`, recognised without importing libvirt."""
    return type(exc).__name__ == "libvirtError" and hasattr(exc, "get_error_code")


def error_code(exc: BaseException) -> int:
    return int(exc.get_error_code() or 0) if is_libvirt_error(exc) else 0  # type: ignore[attr-defined]


def translate(exc: BaseException, host: str, action: str, vm: str = "",
              capability: str = "") -> CirroError:
    """The cirrostack error for a libvirt failure of `action` on `host` (about `vm`, if any)."""
    code = error_code(exc)
    text = str(exc)
    about = f" for {vm}" if vm else ""
    if code == VIR_ERR_NO_DOMAIN:
        return VMNotFound(f"KVM host {host} does not know VM {vm or '?'} ({action}): {text}")
    if code == VIR_ERR_NO_DOMAIN_SNAPSHOT:
        return InvalidParameter("vmsnapshotid", f"VM {vm} on KVM host {host} has no such snapshot: {text}")
    if code in _UNREACHABLE:
        return HostUnreachable(f"KVM host {host} did not answer {action}{about}: {text}")
    if code in _UNSUPPORTED:
        return UnsupportedOperation(f"KVM host {host}", capability or action, text)
    if code == VIR_ERR_OPERATION_INVALID:
        return InvalidState(f"KVM host {host} refused {action}{about}: {text}")
    if code == VIR_ERR_NO_MEMORY or "Cannot allocate memory" in text:
        return InsufficientCapacity(f"KVM host {host} has no room for {action}{about}: {text}")
    return CirroError(f"KVM host {host} refused {action}{about}: {text}")


@contextmanager
def libvirt_errors(host: str, action: str, vm: str = "", capability: str = "") -> Iterator[None]:
    """Turn a libvirtError raised inside the block into the matching cirrostack error."""
    try:
        yield
    except Exception as exc:
        if is_libvirt_error(exc):
            raise translate(exc, host, action, vm, capability) from exc
        raise


def quiet(_context: Any, _error: Any) -> None:
    """libvirt's error callback: errors reach us as exceptions, so print nothing to stderr."""
    return None

"""Watching a KVM host for domain lifecycle events (a VM started, stopped, crashed...).

Each watched host gets a connection of its own, kept open while the watch lasts; libvirt's default
event loop (started by `_connection.libvirt_module`) delivers the events on its thread, and the
callback only hands the domain's name to the core's `notify`. (libvirt's `test:///` driver keeps
a host's state in the connection that opened it, so there the shared connection is watched.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from cirrostack.hookspecs.hypervisor import HostRef
from cirrostack_hv_kvm._connection import check_uri, connection, host_label, libvirt_module, open_connection

log = logging.getLogger(__name__)


def watch(host: HostRef, notify: Callable[[str], None]) -> Callable[[], None]:
    """Subscribe to `host`'s lifecycle events; returns the function that ends the watch.
    Raises HostUnreachable when the host cannot be reached now."""
    libvirt = libvirt_module()
    uri = check_uri(host.url)
    # libvirt's test driver keeps a host's state in the connection that opened it: watch that one.
    shared = uri.startswith("test:")
    conn = connection(host) if shared else open_connection(uri, host)

    def on_lifecycle(_conn: Any, dom: Any, event: int, detail: int, _opaque: Any) -> None:
        try:
            notify(dom.name())
        except Exception:  # the core's notify must not stop the event loop
            log.exception("notify failed for a lifecycle event on KVM host %s", host_label(host))

    callback_id = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_lifecycle, None)
    try:
        conn.setKeepAlive(5, 3)
    except Exception:  # drivers without keepalive (test:///) still deliver events
        pass

    def stop() -> None:
        try:
            conn.domainEventDeregisterAny(callback_id)
        except Exception:  # the connection may already be gone with its host
            pass
        if not shared:
            try:
                conn.close()
            except Exception:
                pass

    return stop

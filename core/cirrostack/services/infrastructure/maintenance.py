"""Host maintenance and reconnection: prepareHostForMaintenance, cancelHostMaintenance, reconnectHost.

Preparing moves a host to PrepareForMaintenance (committed, so listHosts shows it while VMs move),
asks every registered evacuation step to move what runs there elsewhere, then sets Maintenance. A
failing step leaves ErrorInMaintenance, an ERROR event and an ALERT.COMPUTE.HOST alert naming what
could not move; preparing again retries. The VM area registers the step that live-migrates VMs away
(`services.vms.evacuation`, through `register_evacuation`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Host, HostState, ResourceState
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import CirroError, InvalidState
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import alerts
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.infrastructure.hosts import apply_host_info, host_ref
from cirrostack.services.security_groups import enforcement as security_group_enforcement

log = logging.getLogger(__name__)

#: step(session, caller, host, registry, secrets) moves everything off `host`; raises a CirroError
#: naming what could not move. It may commit as it goes.
Evacuation = Callable[[Session, Caller | None, Host, PluginRegistry | None, Any], None]

_EVACUATIONS: list[Evacuation] = []

_MAY_PREPARE = (ResourceState.ENABLED.value, ResourceState.DISABLED.value, ResourceState.ERROR_IN_MAINTENANCE.value)
_MAY_CANCEL = (ResourceState.PREPARE_FOR_MAINTENANCE.value, ResourceState.MAINTENANCE.value,
               ResourceState.ERROR_IN_MAINTENANCE.value)


def register_evacuation(step: Evacuation) -> None:
    """Add a step prepareHostForMaintenance runs (once per function)."""
    if step not in _EVACUATIONS:
        _EVACUATIONS.append(step)


def prepare_for_maintenance(session: Session, caller: Caller, host: Host, registry: PluginRegistry | None = None,
                            secrets: Any = None) -> Host:
    """PrepareForMaintenance, the evacuation steps (which reach hypervisors through `registry`, host
    passwords decrypted with `secrets`), then Maintenance, or ErrorInMaintenance with an ERROR event
    and an alert when a step fails. Records MAINT.PREPARE."""
    if host.resource_state not in _MAY_PREPARE:
        raise InvalidState(f"id: host {host.name} is in resource state {host.resource_state}; maintenance can be "
                           f"prepared from {', '.join(_MAY_PREPARE)}")
    host.resource_state = ResourceState.PREPARE_FOR_MAINTENANCE.value
    session.commit()
    try:
        for step in _EVACUATIONS:
            step(session, caller, host, registry, secrets)
    except CirroError as exc:
        host.resource_state = ResourceState.ERROR_IN_MAINTENANCE.value
        description = f"Host {host.name} could not enter maintenance: {exc}"
        record_event(session, caller, "MAINT.PREPARE", description, level="ERROR", resource_type="Host",
                     resource_uuid=host.uuid)
        alerts.raise_alert(session, alerts.AlertType.COMPUTE_HOST, f"Host {host.name} is in ErrorInMaintenance",
                           description, zone_id=host.zone_id, pod_id=host.pod_id, cluster_id=host.cluster_id)
        log.warning("%s", description)
        session.flush()
        return host
    host.resource_state = ResourceState.MAINTENANCE.value
    session.flush()
    record_event(session, caller, "MAINT.PREPARE", f"Host {host.name} is in maintenance", resource_type="Host",
                 resource_uuid=host.uuid)
    return host


def cancel_maintenance(session: Session, caller: Caller, host: Host) -> Host:
    """Back to Enabled from any maintenance state. Records MAINT.CANCEL."""
    if host.resource_state not in _MAY_CANCEL:
        raise InvalidState(f"id: host {host.name} is in resource state {host.resource_state}, not in maintenance")
    host.resource_state = ResourceState.ENABLED.value
    session.flush()
    record_event(session, caller, "MAINT.CANCEL", f"Host {host.name} left maintenance", resource_type="Host",
                 resource_uuid=host.uuid)
    return host


def reconnect(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, host: Host) -> Host:
    """Connect to the host again through its plugin and refresh what it reports; the host is Up
    afterwards. The plugin's errors (an unreachable host) pass through. Records HOST.RECONNECT."""
    if host.resource_state == ResourceState.MAINTENANCE.value:
        raise InvalidState(f"id: host {host.name} is in maintenance; cancel the maintenance to reconnect it")
    info = registry.hypervisor(host.hypervisor_type).connect_host(host_ref(host, secrets))
    apply_host_info(host, info)
    host.state = HostState.UP.value
    host.last_ping = utcnow()
    host.disconnected = None
    session.flush()
    record_event(session, caller, "HOST.RECONNECT", f"Reconnected host {host.name}", resource_type="Host",
                 resource_uuid=host.uuid)
    security_group_enforcement.retry_on_host(session, registry, secrets, host)
    return host

"""prepareHostForMaintenance, cancelHostMaintenance and reconnectHost (root admin, async)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.infrastructure._views import HOST_RESPONSE, host_view
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models.infrastructure import Host
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.infrastructure import maintenance
from cirrostack.services.vms import evacuation  # noqa: F401  (registers the step that moves VMs off a host)

_PACKAGE = "org.apache.cloudstack.api.command.admin.host."


def _host_param() -> tuple[Param, ...]:
    return (Param("id", Uuid("Host"), "the host ID", required=True),)


PREPARE_HOST_FOR_MAINTENANCE = Command(
    "prepareHostForMaintenance", "Prepares a host for maintenance: PrepareForMaintenance, then Maintenance once "
    "its running VMs have been live-migrated to other hosts of its cluster; VMs that cannot move leave it in "
    "ErrorInMaintenance with an alert (or are stopped when host.maintenance.stop.unmovable.vms is true).",
    response=HOST_RESPONSE, roles=ROOT_ADMIN, is_async=True, java_class=_PACKAGE + "PrepareForMaintenanceCmd",
    params=_host_param())

CANCEL_HOST_MAINTENANCE = Command(
    "cancelHostMaintenance", "Cancels host maintenance.", response=HOST_RESPONSE, roles=ROOT_ADMIN, is_async=True,
    java_class=_PACKAGE + "CancelMaintenanceCmd", params=_host_param())

RECONNECT_HOST = Command(
    "reconnectHost", "Reconnects a host.", response=HOST_RESPONSE, roles=ROOT_ADMIN, is_async=True,
    java_class=_PACKAGE + "ReconnectHostCmd", params=_host_param())


@PREPARE_HOST_FOR_MAINTENANCE.handler
def prepare_host_for_maintenance(call: Call, id: Host) -> dict[str, Any]:
    return host_view(maintenance.prepare_for_maintenance(call.session, call.caller, id, call.registry,
                                                         call.secrets))


@CANCEL_HOST_MAINTENANCE.handler
def cancel_host_maintenance(call: Call, id: Host) -> dict[str, Any]:
    return host_view(maintenance.cancel_maintenance(call.session, call.caller, id))


@RECONNECT_HOST.handler
def reconnect_host(call: Call, id: Host) -> dict[str, Any]:
    return host_view(maintenance.reconnect(call.session, call.caller, call.registry, call.secrets, id))

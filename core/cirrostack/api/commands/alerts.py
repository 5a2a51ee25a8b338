"""listAlerts, archiveAlerts, deleteAlerts and generateAlert (since 4.3: services on other hosts
publish alerts through the API)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cirrostack.api.commands.events import range_end, range_start
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Date, ListOf, Short, String, Uuid
from cirrostack.db.models import Pod, Zone
from cirrostack.db.models.alerts import Alert
from cirrostack.db.timestamps import to_api
from cirrostack.errors import InvalidParameter
from cirrostack.services import alerts
from cirrostack.services.context import RESOURCE_ADMIN, ROOT_ADMIN

_PACKAGE = "org.apache.cloudstack.api.command.admin.resource."

ALERT_RESPONSE = Response("alert", (
    Field("id", "string", "the id of the alert"),
    Field("type", "integer", "One of the following alert types: MEMORY = 0, CPU = 1, STORAGE = 2, "
                             "STORAGE_ALLOCATED = 3, PUBLIC_IP = 4, PRIVATE_IP = 5, SECONDARY_STORAGE = 6, HOST = 7, "
                             "USERVM = 8, DOMAIN_ROUTER = 9, CONSOLE_PROXY = 10, ROUTING = 11: lost connection to "
                             "default route (to the gateway), STORAGE_MISC = 12, USAGE_SERVER = 13, "
                             "MANAGMENT_NODE = 14, DOMAIN_ROUTER_MIGRATE = 15, CONSOLE_PROXY_MIGRATE = 16, "
                             "USERVM_MIGRATE = 17, VLAN = 18, SSVM = 19, USAGE_SERVER_RESULT = 20, "
                             "STORAGE_DELETE = 21, UPDATE_RESOURCE_COUNT = 22, USAGE_SANITY_RESULT = 23, "
                             "DIRECT_ATTACHED_PUBLIC_IP = 24, LOCAL_STORAGE = 25, RESOURCE_LIMIT_EXCEEDED = 26, "
                             "SYNC = 27"),
    Field("name", "string", "the name of the alert"),
    Field("description", "string", "description of the alert"),
    Field("sent", "date", "the date and time the alert was sent"),
), instance_type="Alert")


def _selection_params(what: str) -> tuple[Param, ...]:
    return (Param("ids", ListOf(Uuid("Alert", load=False)), f"the IDs of the alerts to {what}"),
            Param("type", Short(), f"{what} by alert type"),
            Param("startdate", Date(with_time=True), f"start date range to {what} alerts (including) this date "
                                                      "(use format \"yyyy-MM-dd\" or \"yyyy-MM-dd HH:mm:ss\")"),
            Param("enddate", Date(with_time=True), f"end date range to {what} alerts (including) this date (use "
                                                    "format \"yyyy-MM-dd\" or \"yyyy-MM-dd HH:mm:ss\")"))


LIST_ALERTS = Command(
    "listAlerts", "Lists all alerts.", kind=CommandKind.LIST, response=ALERT_RESPONSE,
    roles=ROOT_ADMIN | RESOURCE_ADMIN, java_class=_PACKAGE + "ListAlertsCmd",
    related=("archiveAlerts", "deleteAlerts", "generateAlert"),
    params=(Param("id", Uuid("Alert", load=False), "the ID of the alert"),
            Param("type", String(), "list by alert type"),
            Param("name", String(), "list by alert name", since="4.3"),
            *LIST_PARAMS))

ARCHIVE_ALERTS = Command(
    "archiveAlerts", "Archive one or more alerts.", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "ArchiveAlertsCmd", since="4.2.0", related=("listAlerts",),
    params=_selection_params("archive"))

DELETE_ALERTS = Command(
    "deleteAlerts", "Delete one or more alerts.", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeleteAlertsCmd", since="4.2.0", related=("listAlerts",),
    params=_selection_params("delete"))

GENERATE_ALERT = Command(
    "generateAlert", "Generates an alert", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN, is_async=True,
    java_class="org.apache.cloudstack.api.command.admin.alert.GenerateAlertCmd", since="4.3",
    related=("listAlerts",),
    params=(Param("type", Short(), "Type of the alert", required=True),
            Param("name", String(), "Name of the alert", required=True),
            Param("description", String(), "Alert description", required=True, length=999),
            Param("zoneid", Uuid("Zone"), "Zone id for which alert is generated"),
            Param("podid", Uuid("Pod"), "Pod id for which alert is generated")))


def alert_view(alert: Alert) -> dict[str, Any]:
    view = {"id": alert.uuid, "type": alert.type, "name": alert.name, "description": alert.subject,
            "sent": to_api(alert.sent)}
    return {key: value for key, value in view.items() if value is not None}


@LIST_ALERTS.handler
def list_alerts(call: Call, id: str | None = None, type: str | None = None, name: str | None = None,
                keyword: str | None = None, **_paging: Any) -> ListResult:
    alert_type = None
    if type is not None:
        try:
            alert_type = int(type)
        except ValueError:
            raise InvalidParameter("type", f"an alert type is a number such as 7 (host), not {type!r}") from None
    rows, count = alerts.list_alerts(call.session, uuid=id, alert_type=alert_type, name=name, keyword=keyword,
                                     offset=call.paging.offset, limit=call.paging.limit)
    return ListResult([alert_view(row) for row in rows], count)


@ARCHIVE_ALERTS.handler
def archive_alerts(call: Call, ids: list[str] | None = None, type: int | None = None,
                   startdate: date | datetime | None = None, enddate: date | datetime | None = None) -> None:
    alerts.archive_alerts(call.session, ids=ids, alert_type=type, start=range_start(startdate),
                          end=range_end(enddate), caller=call.caller)


@DELETE_ALERTS.handler
def delete_alerts(call: Call, ids: list[str] | None = None, type: int | None = None,
                  startdate: date | datetime | None = None, enddate: date | datetime | None = None) -> None:
    alerts.delete_alerts(call.session, ids=ids, alert_type=type, start=range_start(startdate),
                         end=range_end(enddate), caller=call.caller)


@GENERATE_ALERT.handler
def generate_alert(call: Call, type: int, name: str, description: str, zoneid: Zone | None = None,
                   podid: Pod | None = None) -> None:
    if type < 0:
        raise InvalidParameter("type", f"an alert type is a number from 0, not {type}")
    if podid is not None and zoneid is not None and podid.zone_id != zoneid.id:
        raise InvalidParameter("podid", f"pod {podid.uuid} is not in zone {zoneid.uuid}")
    alerts.generate(call.session, call.caller, type, name, description,
                    zone_id=zoneid.id if zoneid else podid.zone_id if podid else None,
                    pod_id=podid.id if podid else None)

"""generateUsageRecords, listUsageRecords and listUsageTypes."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from cirrostack.api.commands.usage._views import USAGE_RECORD_RESPONSE, usage_record_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Date, Long, String, Uuid
from cirrostack.db.models import Account, Domain
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ADMINS, ROOT_ADMIN
from cirrostack.services.usage import generator, records
from cirrostack.services.usage.types import DESCRIPTIONS

_PACKAGE = "org.apache.cloudstack.api.command.admin.usage."
_START_DOC = "Start date range for usage record query. Use yyyy-MM-dd as the date format, e.g. startDate=2009-06-01."
_END_DOC = "End date range for usage record query. Use yyyy-MM-dd as the date format, e.g. startDate=2009-06-03."

GENERATE_USAGE_RECORDS = Command(
    "generateUsageRecords", "Generates usage records. This will generate records only if there any records to be "
                            "generated, i.e if the scheduled usage job was not run or failed",
    kind=CommandKind.SUCCESS, roles=ROOT_ADMIN, java_class=_PACKAGE + "GenerateUsageRecordsCmd",
    related=("listUsageRecords",),
    params=(Param("startdate", Date(), _START_DOC, required=True),
            Param("enddate", Date(), _END_DOC, required=True),
            Param("domainid", Uuid("Domain"), "List events for the specified domain.")))

LIST_USAGE_RECORDS = Command(
    "listUsageRecords", "Lists usage records for accounts", kind=CommandKind.LIST, response=USAGE_RECORD_RESPONSE,
    roles=ADMINS, java_class=_PACKAGE + "GetUsageRecordsCmd", related=("generateUsageRecords", "listUsageTypes"),
    params=(Param("startdate", Date(), _START_DOC, required=True),
            Param("enddate", Date(), _END_DOC, required=True),
            Param("type", Long(), "List usage records for the specified usage type"),
            Param("account", String(), "List usage records for the specified user."),
            Param("accountid", Uuid("Account"), "List usage records for the specified account"),
            Param("domainid", Uuid("Domain"), "List usage records for the specified domain."),
            *LIST_PARAMS))

LIST_USAGE_TYPES = Command(
    "listUsageTypes", "List Usage Types", kind=CommandKind.LIST, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "ListUsageTypesCmd", related=("listUsageRecords",),
    response=Response("usagetype", (Field("usagetypeid", "integer", "usage type"),
                                    Field("description", "string", "description of usage type"))))


def _date_range(startdate: date, enddate: date) -> None:
    if enddate < startdate:
        raise InvalidParameter("enddate", f"the end date {enddate} is before the start date {startdate}")


@GENERATE_USAGE_RECORDS.handler
def generate_usage_records(call: Call, startdate: date, enddate: date, domainid: Domain | None = None) -> None:
    _date_range(startdate, enddate)
    accounts = scope.accounts_in_subtree(domainid.path) if domainid is not None else None
    generator.generate(call.session, startdate, enddate, account_ids=accounts)


@LIST_USAGE_RECORDS.handler
def list_usage_records(call: Call, startdate: date, enddate: date, type: int | None = None,
                       account: str | None = None, accountid: Account | None = None, domainid: Domain | None = None,
                       keyword: str | None = None, **_paging: Any) -> ListResult:
    _date_range(startdate, enddate)
    if type is not None and type not in {int(usage_type) for usage_type in DESCRIPTIONS}:
        raise InvalidParameter("type", f"usage types are {', '.join(str(int(t)) for t in DESCRIPTIONS)}, not {type}")
    if accountid is not None:
        owners = scope.ListScope(account_ids=(accountid.id,))
    else:
        owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=True,
                                  listall=True)
    rows, count = records.list_records(call.session, call.caller, owners,
                                       start=datetime.combine(startdate, time.min),
                                       end=datetime.combine(enddate, time.max), usage_type=type, keyword=keyword,
                                       page=call.paging.page, page_size=call.paging.pagesize)
    return ListResult([usage_record_view(call.session, row) for row in rows], count)


@LIST_USAGE_TYPES.handler
def list_usage_types(call: Call) -> ListResult:
    rows = [{"usagetypeid": int(usage_type), "description": text} for usage_type, text in DESCRIPTIONS.items()]
    return ListResult(rows, len(rows))

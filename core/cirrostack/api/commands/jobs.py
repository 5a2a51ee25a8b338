"""queryAsyncJobResult and listAsyncJobs: what clients poll after an async command."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from cirrostack.api.declaration import (
    ACCOUNT_SCOPE_PARAMS,
    LIST_PARAMS,
    Call,
    Command,
    CommandKind,
    Field,
    ListResult,
    Param,
    Response,
)
from cirrostack.api.params import TzDate, Uuid
from cirrostack.db.models import AsyncJob, Domain, JobStatus
from cirrostack.db.paging import fetch_page
from cirrostack.db.timestamps import to_api
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE

JOB_FIELDS = (
    Field("accountid", "string", "the account that executed the async command"),
    Field("userid", "string", "the user that executed the async command"),
    Field("cmd", "string", "the async command executed"),
    Field("jobstatus", "integer", "the current job status-should be 0 for PENDING"),
    Field("jobprocstatus", "integer", "the progress information of the PENDING job"),
    Field("jobresultcode", "integer", "the result code for the job"),
    Field("jobresulttype", "string", "the result type"),
    Field("jobresult", "responseobject", "the result reason"),
    Field("jobinstancetype", "string", "the instance/entity object related to the job"),
    Field("jobinstanceid", "string", "the unique ID of the instance/entity object related to the job"),
    Field("created", "date", "the created date of the job"),
    Field("jobid", "string", "the ID of the async job"),
)

#: queryAsyncJobResult replies with the job's fields directly under its response name (no object wrapper).
QUERY_RESPONSE = Response("", JOB_FIELDS)
JOBS_RESPONSE = Response("asyncjobs", JOB_FIELDS)

QUERY_ASYNC_JOB_RESULT = Command(
    "queryAsyncJobResult", "Retrieves the current status of asynchronous job.", response=QUERY_RESPONSE,
    roles=ANY_ROLE, java_class="org.apache.cloudstack.api.command.user.job.QueryAsyncJobResultCmd",
    params=(Param("jobid", Uuid("AsyncJob", load=False), "the ID of the asychronous job", required=True),))

LIST_ASYNC_JOBS = Command(
    "listAsyncJobs", "Lists all pending asynchronous jobs for the account.", kind=CommandKind.LIST,
    response=JOBS_RESPONSE, roles=ANY_ROLE, java_class="org.apache.cloudstack.api.command.user.job.ListAsyncJobsCmd",
    params=(Param("startdate", TzDate(), "the start date of the async job"), *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


def job_view(job: AsyncJob) -> dict[str, Any]:
    """A job as queryAsyncJobResult and listAsyncJobs show it; `jobresult` only once it has ended."""
    view: dict[str, Any] = {
        "accountid": job.account.uuid, "userid": job.user.uuid, "cmd": job.cmd, "jobstatus": job.status,
        "jobprocstatus": job.process_status, "jobresultcode": job.result_code,
    }
    if job.status != JobStatus.PENDING and job.result is not None:
        view["jobresulttype"] = job.result_type or "object"
        view["jobresult"] = json.loads(job.result)
    if job.instance_type:  # an id without its entity type would tell clients nothing
        view["jobinstancetype"] = job.instance_type
        if job.instance_uuid:
            view["jobinstanceid"] = job.instance_uuid
    view["created"] = to_api(job.created)
    view["jobid"] = job.uuid
    return view


@QUERY_ASYNC_JOB_RESULT.handler
def query_async_job_result(call: Call, jobid: str) -> dict[str, Any]:
    job = call.session.scalars(select(AsyncJob).where(AsyncJob.uuid == jobid)).first()
    if job is None:
        raise InvalidParameter("jobid", f"AsyncJob {jobid} does not exist")
    visible = call.session.scalars(scope.visible(call.caller, "AsyncJob").where(AsyncJob.id == job.id)).first()
    if visible is None:
        raise PermissionDenied(f"jobid: account {call.caller.account_name} may not see job {jobid}")
    return job_view(job)


@LIST_ASYNC_JOBS.handler
def list_async_jobs(call: Call, startdate: datetime | None = None, account: str | None = None,
                    domainid: Domain | None = None, isrecursive: bool = False, listall: bool = False,
                    keyword: str | None = None, **_paging: Any) -> ListResult:
    statement = scope.visible(call.caller, "AsyncJob")
    list_scope = scope.list_scope(call.session, call.caller, account=account, domain=domainid,
                                  isrecursive=isrecursive, listall=listall)
    statement = list_scope.apply(statement, AsyncJob.account_id)
    if startdate is not None:
        statement = statement.where(AsyncJob.created >= startdate.astimezone(UTC).replace(tzinfo=None))
    if keyword:
        statement = statement.where(AsyncJob.cmd.contains(keyword, autoescape=True)
                                    | AsyncJob.command.contains(keyword, autoescape=True))
    rows, count = fetch_page(call.session, statement.order_by(AsyncJob.id), call.paging.page, call.paging.pagesize)
    return ListResult([job_view(row) for row in rows], count)

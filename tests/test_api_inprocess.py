"""Dispatch paths no core command exercises yet, run in-process against a real SQLite server:
async-create commands, failing jobs, unexpected exceptions, and hidden internal errors."""

from __future__ import annotations

import json
import uuid

import pytest

from cirrostack.api.declaration import Call, Command, Field, Param, Response
from cirrostack.api.http import _error_reply, api_app, build_server
from cirrostack.config import ServerConfig
from cirrostack.errors import CirroError, InvalidParameter
from cirrostack.services.context import AccountType, Caller

WIDGET = Response("widget", (Field("id", "string", "the id"), Field("name", "string", "the name")),
                  instance_type="Widget")
MAKE_WIDGET = Command("makeWidget", "Makes a widget", response=WIDGET, is_async=True, creates=True,
                      params=(Param("name", doc="its name", required=True),))
BREAK_WIDGET = Command("breakWidget", "Fails inside the job", response=WIDGET, is_async=True)
CRASH = Command("crashNow", "Raises an unexpected exception", response=WIDGET)
prepared: list[str] = []


@MAKE_WIDGET.prepare
def _prepare(call: Call, name: str) -> str:
    new = str(uuid.uuid4())
    prepared.append(new)
    return new


@MAKE_WIDGET.handler
def _make(call: Call, name: str, id: str) -> dict:
    assert call.job_uuid
    return {"id": id, "name": name}


@BREAK_WIDGET.handler
def _break(call: Call) -> dict:
    raise InvalidParameter("name", "widget names must be unique")


@CRASH.handler
def _crash(call: Call) -> dict:
    raise RuntimeError("secret internal detail")


@pytest.fixture
def server(tmp_path):
    built = build_server(ServerConfig(data_dir=tmp_path, admin_password="pw", job_workers=2, server_id="test:1"))
    for command in (MAKE_WIDGET, BREAK_WIDGET, CRASH):
        built.dispatcher.commands[command.name] = command
    yield built
    built.close()


def _get(client, **params):
    reply = client.get("/client/api", query_string={"response": "json", **params})
    return reply.status_code, json.loads(reply.data)


def test_async_create_replies_id_and_jobid_and_the_job_returns_the_object(server):
    client = api_app(server, integration=True).test_client()
    status, body = _get(client, command="makeWidget", name="w1")
    assert status == 200
    reply = body["makewidgetresponse"]
    assert set(reply) == {"id", "jobid"} and reply["id"] == prepared[-1]
    server.jobs.wait(reply["jobid"], timeout=10)
    status, result = _get(client, command="queryAsyncJobResult", jobid=reply["jobid"])
    job = result["queryasyncjobresultresponse"]
    assert job["jobstatus"] == 1 and job["jobresultcode"] == 0
    assert job["jobresult"] == {"widget": {"id": reply["id"], "name": "w1"}}
    assert job["jobinstancetype"] == "Widget" and job["jobinstanceid"] == reply["id"]


def test_missing_parameter_of_an_async_command_fails_before_any_job(server):
    client = api_app(server, integration=True).test_client()
    status, body = _get(client, command="makeWidget")
    assert status == 431 and "missing parameter name" in body["makewidgetresponse"]["errortext"]


def test_a_job_raising_a_cirrostack_error_fails_with_its_code(server):
    client = api_app(server, integration=True).test_client()
    _status, body = _get(client, command="breakWidget")
    job_id = body["breakwidgetresponse"]["jobid"]
    server.jobs.wait(job_id, timeout=10)
    _status, result = _get(client, command="queryAsyncJobResult", jobid=job_id)
    job = result["queryasyncjobresultresponse"]
    assert job["jobstatus"] == 2 and job["jobresultcode"] == 530
    assert job["jobresult"] == {"errorcode": 431, "errortext": "name: widget names must be unique"}


def test_unexpected_exception_is_a_530_envelope_without_details(server):
    client = api_app(server, integration=True).test_client()
    status, body = _get(client, command="crashNow")
    assert status == 530
    text = body["crashnowresponse"]["errortext"]
    assert "secret internal detail" not in text and "Traceback" not in text


def _caller(account_type: AccountType) -> Caller:
    return Caller(1, "u", "someone", 1, "a", "acct", account_type, 1, "d", "/")


def test_internal_error_text_is_shown_to_root_admins_only():
    error = CirroError("XenServer host xs-02 refused VM.start: HOST_NOT_ENOUGH_FREE_MEMORY")
    for_root = json.loads(_error_reply("json", "x", error, _caller(AccountType.ROOT_ADMIN)).body)
    for_user = json.loads(_error_reply("json", "x", error, _caller(AccountType.USER)).body)
    assert "HOST_NOT_ENOUGH_FREE_MEMORY" in for_root["x"]["errortext"]
    assert for_user["x"]["errortext"] == "Internal error executing command, please contact your system administrator"
    assert for_user["x"]["cserrorcode"] == 4250

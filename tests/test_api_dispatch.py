"""Dispatch rules read from a declaration: roles, required and typed parameters, paging, reply bodies."""

from __future__ import annotations

import pytest

from cirrostack.api.declaration import LIST_PARAMS, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.dispatch import Dispatcher, build_command_table, job_result, parse_params, stored_params, sync_body
from cirrostack.api.params import Integer, Map, Uuid
from cirrostack.api.wire import read_request
from cirrostack.errors import InvalidParameter, MissingParameter, UnknownCommand, UnsupportedOperation
from cirrostack.services.context import ROOT_ADMIN, AccountType, Caller

THING = Response("thing", (Field("id", "string", "the id"),), instance_type="Thing")
LIST_THINGS = Command("listThings", "Lists things", kind=CommandKind.LIST, response=THING,
                      params=(Param("id", Uuid("Thing", load=False), "the thing"),
                              Param("size", Integer(), "a size", roles=ROOT_ADMIN), *LIST_PARAMS))
MAKE_THING = Command("makeThing", "Makes a thing", response=THING, roles=ROOT_ADMIN,
                     params=(Param("name", doc="its name", required=True),
                             Param("details", Map(key_value=True), "its details")))


def caller(account_type: AccountType = AccountType.USER) -> Caller:
    return Caller(2, "u-uuid", "alice", 2, "a-uuid", "alice", account_type, 1, "d-uuid", "/")


def dispatcher() -> Dispatcher:
    return Dispatcher(build_command_table([LIST_THINGS, MAKE_THING], []), None, None, None, None)


def test_unknown_command_is_432():
    with pytest.raises(UnknownCommand) as raised:
        dispatcher().lookup("listNothing")
    assert raised.value.http_status == 432 and "listNothing" in raised.value.message


def test_role_refused_is_432_naming_the_command():
    with pytest.raises(UnsupportedOperation) as raised:
        dispatcher().check_role(MAKE_THING, caller())
    assert raised.value.http_status == 432 and "makeThing" in raised.value.message
    dispatcher().check_role(MAKE_THING, caller(AccountType.ROOT_ADMIN))


def test_missing_required_parameter_uses_cloudstacks_text():
    with pytest.raises(MissingParameter) as raised:
        parse_params(MAKE_THING, read_request({"command": "makeThing"}), caller(AccountType.ROOT_ADMIN))
    assert raised.value.message == "Unable to execute API command makething due to missing parameter name"
    assert raised.value.http_status == 431


@pytest.mark.parametrize(("params", "named"), [({"pagesize": "abc"}, "pagesize"), ({"id": "not-a-uuid"}, "id")])
def test_malformed_values_are_431_naming_the_parameter(params, named):
    with pytest.raises(InvalidParameter) as raised:
        parse_params(LIST_THINGS, read_request(params), caller())
    assert raised.value.param == named and raised.value.message.startswith(named + ":")


def test_parameter_reserved_to_a_role_is_432_for_others_and_unknown_ones_are_ignored():
    request = read_request({"size": "3", "listall": "true", "templatefilter": "all"})
    with pytest.raises(UnsupportedOperation) as raised:
        parse_params(LIST_THINGS, request, caller())
    assert "size" in raised.value.message
    assert parse_params(LIST_THINGS, request, caller(AccountType.ROOT_ADMIN)) == {"size": 3}


def test_key_value_map_parameter_arrives_as_a_dict():
    request = read_request({"name": "n", "details[0].key": "cpu", "details[0].value": "2",
                            "details[1].key": "ram", "details[1].value": "512"})
    parsed = parse_params(MAKE_THING, request, caller(AccountType.ROOT_ADMIN))
    assert parsed == {"name": "n", "details": {"cpu": "2", "ram": "512"}}


@pytest.mark.parametrize(("page", "pagesize", "expected"), [
    (None, None, (0, 500)), ("2", "10", (10, 10)), (None, "-1", (0, None)), ("3", "500", (1000, 500))])
def test_paging_rules_accept(page, pagesize, expected):
    params = {k: v for k, v in (("page", page), ("pagesize", pagesize)) if v is not None}
    paging = dispatcher().paging_for(LIST_THINGS, parse_params(LIST_THINGS, read_request(params), caller()))
    assert (paging.offset, paging.limit) == expected


@pytest.mark.parametrize(("params", "named", "text"), [
    ({"page": "2"}, "pagesize", '"pagesize" parameter is required when "page" is specified'),
    ({"pagesize": "20"}, "page", '"page" parameter is required when "pagesize" is specified'),
    ({"page": "1", "pagesize": "501"}, "pagesize", "maximum page size 500"),
    ({"page": "1", "pagesize": "0"}, "pagesize", "not a page size"),
    ({"page": "1", "pagesize": "-1"}, "page", "pagesize=-1"),
])
def test_paging_rules_refuse_with_431_naming_the_parameter(params, named, text):
    with pytest.raises(InvalidParameter) as raised:
        dispatcher().paging_for(LIST_THINGS, parse_params(LIST_THINGS, read_request(params), caller()))
    assert raised.value.param == named and text in raised.value.message


def test_reply_bodies_follow_cloudstack():
    assert sync_body(LIST_THINGS, ListResult([], 0)) == {}
    assert sync_body(LIST_THINGS, ListResult([{"id": "1"}], 7)) == {"count": 7, "thing": [{"id": "1"}]}
    assert sync_body(MAKE_THING, {"id": "1"}) == {"thing": {"id": "1"}}
    success = Command("dropThing", "Drops a thing", kind=CommandKind.SUCCESS)
    assert sync_body(success, None) == {"success": "true"}
    assert job_result(success, None) == {"success": True}
    assert job_result(MAKE_THING, {"id": "1"}) == {"thing": {"id": "1"}}


def test_job_parameters_are_stored_without_secrets():
    request = read_request({"command": "addThing", "password": "p", "apiKey": "k", "signature": "s", "name": "n",
                            "details[0].key": "secretkey", "details[0].value": "v", "details[1].key": "bucket",
                            "details[1].value": "b"})
    stored = stored_params(request)
    assert stored["password"] == stored["apikey"] == stored["signature"] == "******"
    assert stored["name"] == "n"
    assert stored["details"] == [{"key": "secretkey", "value": "******"}, {"key": "bucket", "value": "b"}]


def test_plugin_command_reusing_a_core_name_is_left_out():
    clash = Command("listThings", "a plugin's listThings")
    table = build_command_table([LIST_THINGS], [clash, MAKE_THING])
    assert table["listThings"] is LIST_THINGS and table["makeThing"] is MAKE_THING

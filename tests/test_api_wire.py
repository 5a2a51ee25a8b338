"""Reading request parameters, writing envelopes, and the session store."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from cirrostack.api.envelope import JSON_CONTENT_TYPE, XML_CONTENT_TYPE, render, render_error
from cirrostack.api.sessions import SessionStore
from cirrostack.api.wire import merge, read_request, response_format
from cirrostack.errors import InvalidParameter, MalformedParameter


def test_query_parameters_override_body_parameters():
    assert merge({"name": "query"}, {"name": "body", "other": "x"}) == {"name": "query", "other": "x"}


def test_reserved_names_are_case_sensitive_and_others_are_lower_cased():
    request = read_request({"command": "listUsers", "Command": "ignored", "displayText": "T", "sessionkey": "k",
                            "details[0].cpuNumber": "2", "Details[0].memory": "1024", "details[1].cpuNumber": "4"})
    assert request.command == "listUsers"
    assert request.sessionkey == "k"
    assert request.params == {"command": "ignored", "displaytext": "T"}
    assert request.maps == {"details": [{"cpuNumber": "2", "memory": "1024"}, {"cpuNumber": "4"}]}
    assert request.signed["displayText"] == "T"  # names as sent, for the signature


def test_map_entries_come_in_index_order():
    request = read_request({"tags[10].key": "b", "tags[2].key": "a"})
    assert request.maps["tags"] == [{"key": "a"}, {"key": "b"}]


@pytest.mark.parametrize("name", ["details[0]", "details[0][1].key", "details[x].key", "details0].key"])
def test_malformed_map_syntax_is_430_naming_the_parameter(name):
    with pytest.raises(MalformedParameter) as raised:
        read_request({name: "v"})
    assert raised.value.http_status == 430
    assert name in raised.value.message


def test_control_characters_are_431_naming_the_parameter_but_tabs_and_newlines_pass():
    read_request({"description": "line one\nline\ttwo\r\n"})
    with pytest.raises(InvalidParameter) as raised:
        read_request({"name": "bad\x00name"})
    assert raised.value.http_status == 431 and raised.value.param == "name"


def test_json_is_the_default_and_xml_is_chosen_in_any_case():
    assert response_format({}) == "json"
    assert response_format({"response": "XML"}) == "xml"
    assert response_format({"response": "json"}) == "json"


def test_json_envelope_keeps_utf8_raw_and_uses_cloudstacks_content_type():
    reply = render("json", "listusersresponse", {"count": 1, "user": [{"username": "zoë"}]})
    assert reply.content_type == JSON_CONTENT_TYPE
    assert "zoë".encode() in reply.body
    assert json.loads(reply.body) == {"listusersresponse": {"count": 1, "user": [{"username": "zoë"}]}}


def test_xml_envelope_repeats_list_items_and_escapes_text():
    reply = render("xml", "listusersresponse", {"count": 2, "user": [{"username": "a<b"}, {"username": "c"}],
                                                "flag": True})
    assert reply.content_type == XML_CONTENT_TYPE
    root = ET.fromstring(reply.body)
    assert root.tag == "listusersresponse" and root.get("cloud-stack-version") == "4.3.0"
    assert [u.findtext("username") for u in root.findall("user")] == ["a<b", "c"]
    assert root.findtext("flag") == "true"


def test_error_envelope_has_codes_and_description_header_but_401_has_neither():
    reply = render_error("json", "listusersresponse", 431, "pagesize: expected an integer", 4350)
    assert json.loads(reply.body) == {"listusersresponse": {"uuidList": [], "errorcode": 431, "cserrorcode": 4350,
                                                            "errortext": "pagesize: expected an integer"}}
    assert reply.description == "pagesize: expected an integer"
    unauthorized = render_error("json", "listusersresponse", 401, "unable to verify user credentials", 0)
    assert "cserrorcode" not in json.loads(unauthorized.body)["listusersresponse"]
    assert unauthorized.description == ""


def test_sessions_expire_after_idle_timeout_and_can_be_invalidated():
    now = [1000.0]
    store = SessionStore(timeout=1800, clock=lambda: now[0])
    first = store.create("user-1")
    assert len(first.session_key) == 28 and "+" not in first.session_key and "/" not in first.session_key
    now[0] += 1700
    assert store.get(first.session_id) is first  # use restarts the idle timer
    now[0] += 1700
    assert store.get(first.session_id) is first
    now[0] += 1801
    assert store.get(first.session_id) is None
    second = store.create("user-2")
    assert second.key_matches(second.session_key) and not second.key_matches(first.session_key)
    store.invalidate(second.session_id)
    assert store.get(second.session_id) is None

"""The /client/api wire protocol on the real server: signatures, sessions, envelopes, error codes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import requests

from cirrostack.api.signature import sign
from tests.fixtures.server import ADMIN_PASSWORD, log_in

SIGNED_FAILURE = "unable to verify user credentials and/or request signature"


def signed_get(keys, secret: str | None = None, cookies: dict | None = None, **params: str) -> requests.Response:
    params = {"response": "json", "apiKey": keys.api_key, **params}
    params["signature"] = sign(params.items(), secret or keys.secret_key)
    return requests.get(keys.endpoint, params=params, cookies=cookies, timeout=10)


def _expires(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%S%z")


def test_signed_request_with_and_without_expires_is_accepted(admin_keys):
    assert signed_get(admin_keys, command="listDomains").status_code == 200
    fresh = signed_get(admin_keys, command="listDomains", signatureVersion="3", expires=_expires(timedelta(minutes=5)))
    assert fresh.status_code == 200 and fresh.json()["listdomainsresponse"]["count"] >= 1


@pytest.mark.parametrize("case", ["tampered", "expired", "wrong-secret", "unknown-key", "unsigned"])
def test_bad_signatures_get_401_without_cserrorcode(admin_keys, case):
    params = {"command": "listDomains", "response": "json", "apiKey": admin_keys.api_key}
    if case == "expired":
        params.update(signatureVersion="3", expires=_expires(timedelta(minutes=-1)))
    if case == "unknown-key":
        params["apiKey"] = "no-such-key"
    secret = "wrong-secret" if case == "wrong-secret" else admin_keys.secret_key
    if case != "unsigned":
        params["signature"] = sign(params.items(), secret)
    if case == "tampered":
        params["listall"] = "true"
    reply = requests.get(admin_keys.endpoint, params=params, timeout=10)
    assert reply.status_code == 401
    body = reply.json()["listdomainsresponse"]
    assert body == {"uuidList": [], "errorcode": 401, "errortext": SIGNED_FAILURE}
    assert "X-Description" not in reply.headers


def test_signed_request_ignores_a_stale_session_cookie(admin_keys):
    reply = signed_get(admin_keys, cookies={"JSESSIONID": "STALE", "sessionkey": "stale"}, command="listDomains")
    assert reply.status_code == 200
    assert "Set-Cookie" not in reply.headers


def test_session_requests_need_the_session_key_and_a_wrong_one_ends_the_session(cirro_server):
    http, login = log_in(cirro_server.endpoint, "admin", ADMIN_PASSWORD)
    good = http.get(cirro_server.endpoint, params={"command": "listDomains", "sessionkey": login["sessionkey"]})
    assert good.status_code == 200 and good.headers["Content-Type"] == "text/javascript; charset=UTF-8"
    cookie_only = http.get(cirro_server.endpoint, params={"command": "listDomains"})  # Go cmk sends the cookie
    assert cookie_only.status_code == 200
    wrong = http.get(cirro_server.endpoint, params={"command": "listDomains", "sessionkey": "wrong"})
    assert wrong.status_code == 401
    assert wrong.json()["listdomainsresponse"]["errortext"] == "unable to verify user credentials"
    again = http.get(cirro_server.endpoint, params={"command": "listDomains", "sessionkey": login["sessionkey"]})
    assert again.status_code == 401


def test_logout_ends_the_session(cirro_server):
    http, login = log_in(cirro_server.endpoint, "admin", ADMIN_PASSWORD)
    out = http.get(cirro_server.endpoint, params={"command": "logout", "response": "json"})
    assert out.status_code == 200 and out.json() == {"logoutresponse": {"description": "success"}}
    after = http.get(cirro_server.endpoint, params={"command": "listDomains", "sessionkey": login["sessionkey"]})
    assert after.status_code == 401


@pytest.mark.parametrize("domain", [{}, {"domain": "/"}, {"domain": "ROOT"}])
def test_login_by_get_or_post_with_domain_forms(cirro_server, domain):
    reply = requests.get(cirro_server.endpoint, params={"command": "login", "username": "admin",
                                                        "password": ADMIN_PASSWORD, **domain}, timeout=10)
    assert reply.status_code == 200, reply.text
    assert {"JSESSIONID", "sessionkey"} <= set(reply.cookies.keys())
    login = reply.json()["loginresponse"]
    assert reply.cookies["sessionkey"] == login["sessionkey"]
    by_id = requests.post(cirro_server.endpoint, data={"command": "login", "username": "admin",
                                                       "password": ADMIN_PASSWORD, "domainid": login["domainid"]})
    assert by_id.status_code == 200


def test_failed_login_is_531(cirro_server):
    reply = requests.post(cirro_server.endpoint, data={"command": "login", "username": "admin", "password": "nope"})
    assert reply.status_code == 531
    body = reply.json()["errorresponse"]
    assert body["errorcode"] == 531 and "admin" in body["errortext"]


def test_xml_envelope_on_request(admin_keys):
    reply = signed_get(admin_keys, command="listDomains", response="xml")
    assert reply.status_code == 200 and reply.headers["Content-Type"] == "text/xml; charset=UTF-8"
    root = ET.fromstring(reply.content)
    assert root.tag == "listdomainsresponse" and int(root.findtext("count")) >= 1
    assert "ROOT" in [d.findtext("name") for d in root.findall("domain")]
    error = signed_get(admin_keys, command="listDomains", response="xml", pagesize="abc", page="1")
    assert error.status_code == 431 and ET.fromstring(error.content).findtext("errorcode") == "431"


def test_unknown_command_is_432_errorresponse(admin_keys):
    reply = signed_get(admin_keys, command="deployNothing")
    assert reply.status_code == 432
    body = reply.json()["errorresponse"]
    assert body["cserrorcode"] == 9999 and "deployNothing" in body["errortext"]
    assert reply.headers["X-Description"] == body["errortext"]


def test_missing_and_malformed_parameters_are_431_naming_them(admin_keys):
    missing = signed_get(admin_keys, command="createDomain")
    assert missing.status_code == 431
    assert missing.json()["createdomainresponse"]["errortext"] == (
        "Unable to execute API command createdomain due to missing parameter name")
    for params, name in (({"pagesize": "abc", "page": "1"}, "pagesize"), ({"id": "12-ab"}, "id")):
        reply = signed_get(admin_keys, command="listDomains", **params)
        assert reply.status_code == 431 and reply.json()["listdomainsresponse"]["errortext"].startswith(name + ":")
    control = signed_get(admin_keys, command="listDomains", keyword="a\x01b")
    assert control.status_code == 431 and "keyword" in control.json()["listdomainsresponse"]["errortext"]
    malformed_map = signed_get(admin_keys, command="listDomains", **{"tags[0]key": "x"})
    assert malformed_map.status_code == 430


def test_role_refused_is_432_for_a_plain_user(admin_keys):
    admin = log_in(admin_keys.endpoint, "admin", ADMIN_PASSWORD)
    http, login = admin
    created = http.post(admin_keys.endpoint, data={
        "command": "createAccount", "sessionkey": login["sessionkey"], "accounttype": "0", "username": "plainuser",
        "password": "Plain-pw-1", "email": "p@example.com", "firstname": "P", "lastname": "U", "response": "json"})
    assert created.status_code == 200, created.text
    user_http, user_login = log_in(admin_keys.endpoint, "plainuser", "Plain-pw-1")
    refused = user_http.get(admin_keys.endpoint, params={"command": "createDomain", "name": "x",
                                                         "sessionkey": user_login["sessionkey"]})
    assert refused.status_code == 432 and refused.json()["errorresponse"]["errorcode"] == 432
    user_apis = user_http.get(admin_keys.endpoint, params={"command": "listApis",
                                                           "sessionkey": user_login["sessionkey"]}).json()
    names = {api["name"] for api in user_apis["listapisresponse"]["api"]}
    assert "listApis" in names and "createDomain" not in names


def test_list_apis_is_complete_enough_for_cloudmonkey_and_cmk_sync(admin_keys):
    reply = signed_get(admin_keys, command="listApis", listall="true")
    body = reply.json()["listapisresponse"]
    apis = {api["name"]: api for api in body["api"]}
    assert body["count"] == len(apis)
    assert "login" not in apis and "logout" not in apis
    for expected in ("listApis", "listCapabilities", "listDomains", "createAccount", "registerUserKeys",
                     "queryAsyncJobResult", "listAsyncJobs", "deleteDomain"):
        assert expected in apis
    assert apis["deleteDomain"]["isasync"] is True and apis["listDomains"]["isasync"] is False
    for api in apis.values():
        assert isinstance(api["description"], str) and api["description"]
        assert isinstance(api["isasync"], bool)
        assert isinstance(api["params"], list) and isinstance(api["response"], list)
        for param in api["params"]:
            assert param["name"] == param["name"].lower()
            assert isinstance(param["required"], bool) and isinstance(param["length"], int)
            assert param["type"] in {"boolean", "date", "float", "integer", "short", "list", "long", "object", "map",
                                     "string", "tzdate", "uuid"}
    one = signed_get(admin_keys, command="listApis", name="listDomains").json()["listapisresponse"]
    assert one["count"] == 1 and one["api"][0]["name"] == "listDomains"
    assert signed_get(admin_keys, command="listApis", name="noSuchApi").status_code == 431

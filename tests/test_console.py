"""Console endpoints in the core: one-time tokens expire and are used up, a hypervisor that does not
declare console_access (the simulator) is refused with 432 through the API, before its driver is called,
and createConsoleEndpoint refuses bad input (missing, unknown or another tenant's VM, a stopped VM) with a
431 naming virtualmachineid, issuing no token and recording no event."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cs import CloudStack, CloudStackApiException
from sqlalchemy import func, select

from cirrostack.api.http import build_server
from cirrostack.config import ServerConfig
from cirrostack.db.models import Event
from cirrostack.demo import build_demo_zone
from cirrostack.hookspecs.hypervisor_console import ConsoleAccess
from cirrostack.services import console
from cirrostack.services.console import ConsoleGrant, ConsoleTokens
from tests.fixtures.operator_api import OperatorApi, UserClient
from tests.fixtures.server import ADMIN_PASSWORD, RunningServer, log_in, start_server

GRANT = ConsoleGrant("vm-uuid", "web-1", ConsoleAccess("vnc", "192.0.2.7", 5901, "s3cret", {}))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_hands_out_its_grant_once() -> None:
    tokens = ConsoleTokens(ttl=60)
    token = tokens.issue(GRANT)
    assert tokens.redeem(token) == GRANT
    with pytest.raises(Exception, match=r"^token: the console token is unknown, was used already or expired"):
        tokens.redeem(token)
    assert len(tokens) == 0


def test_a_token_expires_after_its_lifetime() -> None:
    clock = Clock()
    tokens = ConsoleTokens(ttl=60, clock=clock)
    early, late = tokens.issue(GRANT), tokens.issue(GRANT)
    clock.now += 59.5
    assert tokens.redeem(early).access.password == "s3cret"
    clock.now += 1
    with pytest.raises(Exception, match="valid once, for 60 seconds"):
        tokens.redeem(late)


def test_tokens_are_random_and_long() -> None:
    tokens = ConsoleTokens()
    issued = {tokens.issue(GRANT) for _ in range(50)}
    assert len(issued) == 50 and min(len(token) for token in issued) >= 32


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    server = start_server(tmp_path_factory.mktemp("console-demo"), extra_args=("--demo",))
    yield server
    assert server.stop() == 0, server.log_text()


def test_simulator_vm_console_is_refused_with_432_naming_the_capability(demo_server: RunningServer) -> None:
    http, login = log_in(demo_server.endpoint, "admin", ADMIN_PASSWORD)
    keys = http.get(demo_server.endpoint, params={"command": "registerUserKeys", "id": login["userid"],
                                                  "sessionkey": login["sessionkey"], "response": "json"},
                    timeout=10).json()["registeruserkeysresponse"]["userkeys"]
    client = CloudStack(endpoint=demo_server.endpoint, key=keys["apikey"], secret=keys["secretkey"],
                        poll_interval=0.2, timeout=60)
    zone = client.listZones(fetch_list=True)[0]
    template = client.listTemplates(templatefilter="featured", zoneid=zone["id"], fetch_list=True)[0]
    offering = client.listServiceOfferings(fetch_list=True)[0]
    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=template["id"], serviceofferingid=offering["id"],
                                     name="console-sim", fetch_result=True)["virtualmachine"]
    assert vm["state"] == "Running"
    with pytest.raises(CloudStackApiException) as failed:
        client.createConsoleEndpoint(virtualmachineid=vm["id"])
    error = failed.value.error
    assert error["errorcode"] == 432, error
    assert "Simulator" in error["errortext"] and "console_access" in error["errortext"], error
    base = demo_server.endpoint.removesuffix("/client/api")
    reply = http.get(base + "/client/console", params={"cmd": "access", "vm": vm["id"]}, timeout=10)
    assert reply.status_code == 432 and "console_access" in reply.json()["errortext"]


# -- createConsoleEndpoint refusals, in-process ------------------------------------------------------


@dataclass
class Tenants:
    """An in-process server with the demo zone and two tenants; `owner` has a running and a stopped VM."""

    api: OperatorApi
    owner: UserClient
    stranger: UserClient
    running_vm: dict
    stopped_vm: dict

    def events(self) -> int:
        with self.api.server.database.session() as session:
            return session.scalar(select(func.count()).select_from(Event))


def _deploy(api: OperatorApi, owner: UserClient, name: str) -> dict:
    _, zones = owner("listZones")
    zone = zones["zone"][0]
    _, templates = owner("listTemplates", templatefilter="featured", zoneid=zone["id"])
    _, offerings = owner("listServiceOfferings")
    status, body = owner("deployVirtualMachine", zoneid=zone["id"], templateid=templates["template"][0]["id"],
                         serviceofferingid=offerings["serviceoffering"][0]["id"], name=name)
    assert status == 200, body
    job = api.job_result(body["jobid"])
    assert job["jobstatus"] == 1, job
    return job["jobresult"]["virtualmachine"]


@pytest.fixture(scope="module")
def tenants(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    data_dir: Path = tmp_path_factory.mktemp("console-refusals")
    server = build_server(ServerConfig(data_dir=data_dir, admin_password="pw", job_workers=2,
                                       server_id="console-refusals:1"))
    try:
        build_demo_zone(server, announce=lambda _line: None)
        api = OperatorApi(server)
        owner, stranger = api.user("console-owner"), api.user("console-stranger")
        running, stopped = _deploy(api, owner, "console-up"), _deploy(api, owner, "console-down")
        status, body = owner("stopVirtualMachine", id=stopped["id"])
        assert status == 200, body
        assert api.job_result(body["jobid"])["jobstatus"] == 1
        yield Tenants(api, owner, stranger, running, {**stopped, "state": "Stopped"})
    finally:
        server.close()


def _refused(tenants: Tenants, client: UserClient, **params: str) -> tuple[int, str]:
    """Ask `client` for a console endpoint; returns the status and error text, checking that the refusal
    issued no token and recorded no event."""
    tokens, events = len(console.TOKENS), tenants.events()
    status, body = client("createConsoleEndpoint", **params)
    assert status != 200, f"createConsoleEndpoint {params} should be refused: {body}"
    assert body["errorcode"] == status and body["cserrorcode"], body
    assert len(console.TOKENS) == tokens, "a refusal issues no console token"
    assert tenants.events() == events, "a refusal records no event"
    return status, body["errortext"]


def test_missing_virtualmachineid_is_refused_naming_it(tenants: Tenants) -> None:
    status, text = _refused(tenants, tenants.owner)
    assert status == 431 and "missing parameter virtualmachineid" in text, text


def test_a_malformed_virtualmachineid_is_refused_naming_it_and_the_value(tenants: Tenants) -> None:
    status, text = _refused(tenants, tenants.owner, virtualmachineid="console-up")
    assert status == 431 and text.startswith("virtualmachineid: 'console-up' is not a UUID"), text


def test_an_unknown_vm_is_refused_naming_virtualmachineid_and_the_uuid(tenants: Tenants) -> None:
    unknown = str(uuid.uuid4())
    status, text = _refused(tenants, tenants.owner, virtualmachineid=unknown)
    assert (status, text) == (431, f"virtualmachineid: VirtualMachine {unknown} does not exist")


def test_another_tenants_vm_reads_the_same_as_an_unknown_one(tenants: Tenants) -> None:
    vm_id = tenants.running_vm["id"]
    status, text = _refused(tenants, tenants.stranger, virtualmachineid=vm_id)
    assert (status, text) == (431, f"virtualmachineid: VirtualMachine {vm_id} does not exist")


def test_a_stopped_vm_is_refused_naming_the_vm_and_its_state(tenants: Tenants) -> None:
    status, text = _refused(tenants, tenants.owner, virtualmachineid=tenants.stopped_vm["id"])
    assert status == 431, text
    assert text.startswith("virtualmachineid: VM console-down") and "Stopped" in text, text
    assert "Running" in text, f"the refusal says which state is needed: {text}"


def test_the_owners_running_simulator_vm_is_refused_for_the_capability_without_a_token(tenants: Tenants) -> None:
    status, text = _refused(tenants, tenants.owner, virtualmachineid=tenants.running_vm["id"])
    assert status == 432 and "Simulator" in text and "console_access" in text, text

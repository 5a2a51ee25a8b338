"""Console endpoints in the core: one-time tokens expire and are used up, and a hypervisor that does not
declare console_access (the simulator) is refused with 432 through the API, before its driver is called."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cs import CloudStack, CloudStackApiException

from cirrostack.hookspecs.hypervisor_console import ConsoleAccess
from cirrostack.services.console import ConsoleGrant, ConsoleTokens
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

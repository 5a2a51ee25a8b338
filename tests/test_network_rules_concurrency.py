"""Rule changes racing on one network, on SQLite and MariaDB: of parallel requests for the same public
port exactly one gets it and the others a conflict naming it; parallel rules on different ports all
end up on the router, because each push sees every rule committed before it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cirrostack.api.http import api_app
from tests.test_network_rules_api import RulesCloud, build_rules_cloud, rows, rules_server

PARALLEL = 8


@pytest.fixture(params=["sqlite", "mariadb"])
def raced_cloud(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RulesCloud]:
    url = f"sqlite:///{tmp_path / 'rules.db'}" if request.param == "sqlite" else request.getfixturevalue("mariadb_url")
    api, router = rules_server(url, tmp_path / "data")
    try:
        yield build_rules_cloud(api, router)
    finally:
        api.server.close()


def _create_forwarding(cloud: RulesCloud, public_port: int) -> tuple[int, dict]:
    client = api_app(cloud.api.server, integration=True).test_client()
    reply = client.get("/client/api", query_string={
        "command": "createPortForwardingRule", "response": "json", "ipaddressid": cloud.source_nat_ip_id,
        "protocol": "tcp", "publicport": public_port, "privateport": 80, "openfirewall": "false",
        "virtualmachineid": cloud.vms[0]["id"]})
    body = json.loads(reply.data)
    return reply.status_code, body.get("createportforwardingruleresponse") or body["errorresponse"]


def test_parallel_requests_for_one_public_port_leave_one_rule(raced_cloud: RulesCloud) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        replies = list(pool.map(lambda _n: _create_forwarding(raced_cloud, 9000), range(PARALLEL)))
    won = [body for status, body in replies if status == 200]
    lost = [body for status, body in replies if status != 200]
    assert len(won) == 1, replies
    assert {body["errorcode"] for body in lost} == {537}
    assert all("overlaps port forwarding rule" in body["errortext"] for body in lost)
    assert raced_cloud.api.job_result(won[0]["jobid"])["jobstatus"] == 1
    [rule] = rows(raced_cloud.alice("listPortForwardingRules"), "portforwardingrule")
    assert rule["id"] == won[0]["id"]
    assert [r.uuid for r in raced_cloud.applied("port_forwarding_rules")] == [rule["id"]]


def test_parallel_rules_on_different_ports_all_reach_the_router(raced_cloud: RulesCloud) -> None:
    ports = [9100 + n for n in range(PARALLEL)]
    with ThreadPoolExecutor(PARALLEL) as pool:
        replies = list(pool.map(lambda port: _create_forwarding(raced_cloud, port), ports))
    assert all(status == 200 for status, _ in replies), replies
    jobs = [raced_cloud.api.job_result(body["jobid"]) for _, body in replies]
    assert all(job["jobstatus"] == 1 for job in jobs), jobs
    applied = raced_cloud.applied("port_forwarding_rules")
    assert sorted(rule.public_start_port for rule in applied) == ports
    assert {rule["state"] for rule in rows(raced_cloud.alice("listPortForwardingRules"), "portforwardingrule")} \
        == {"Active"}

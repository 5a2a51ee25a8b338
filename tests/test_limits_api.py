"""updateResourceLimit, listResourceLimits and updateResourceCount through the API in-process."""

from __future__ import annotations

from sqlalchemy import select

from cirrostack.db.models import Account
from cirrostack.services import limits
from cirrostack.services.limits import ResourceType


def _root_domain(operator_api) -> str:
    return operator_api.root("listDomains", name="ROOT")[1]["domain"][0]["id"]


def _limits_by_type(body: dict) -> dict[str, int]:
    return {row["resourcetype"]: row["max"] for row in body["resourcelimit"]}


def test_an_account_lists_its_limits_from_settings_and_admin_updates(operator_api) -> None:
    alice = operator_api.user("alice")
    status, body = alice("listResourceLimits")
    assert status == 200 and body["count"] == 12
    listed = _limits_by_type(body)
    assert listed["0"] == 20 and listed["8"] == 40 and listed["9"] == 40960 and listed["10"] == 200
    assert all(row["account"] == "alice" for row in body["resourcelimit"])
    domain = _root_domain(operator_api)
    status, body = operator_api.root("updateResourceLimit", resourcetype=8, max=6, account="alice", domainid=domain)
    assert status == 200, body
    assert body["resourcelimit"] == {"account": "alice", "domainid": domain, "domain": "ROOT", "resourcetype": "8",
                                     "max": 6}
    assert _limits_by_type(alice("listResourceLimits", resourcetype=8)[1]) == {"8": 6}
    status, body = operator_api.root("updateResourceLimit", resourcetype=8, account="alice", domainid=domain)
    assert body["resourcelimit"]["max"] == 40, "without max the setting applies again"
    assert operator_api.root("listEvents", type="RESOURCE.LIMIT.UPDATE", listall="true")[1]["count"] == 2


def test_users_cannot_update_limits_and_bad_values_name_the_parameter(operator_api) -> None:
    alice = operator_api.user("alice")
    status, _ = alice("updateResourceLimit", resourcetype=0, max=100)
    assert status in (401, 531, 432)
    domain = _root_domain(operator_api)
    status, body = operator_api.root("updateResourceLimit", resourcetype=42, max=1, account="alice", domainid=domain)
    assert status == 431 and body["errortext"].startswith("resourcetype:")
    status, body = operator_api.root("updateResourceLimit", resourcetype=0, max=-5, account="alice", domainid=domain)
    assert status == 431 and body["errortext"].startswith("max:")
    status, body = operator_api.root("updateResourceLimit", resourcetype=0, max=5, domainid=domain)
    assert status == 431 and "ROOT domain" in body["errortext"]


def test_a_domain_limit_is_listed_for_the_domain(operator_api) -> None:
    status, body = operator_api.root("createDomain", name="sales")
    sales = body["domain"]["id"]
    status, body = operator_api.root("updateResourceLimit", resourcetype=0, max=3, domainid=sales)
    assert status == 200 and "account" not in body["resourcelimit"]
    listed = _limits_by_type(operator_api.root("listResourceLimits", domainid=sales)[1])
    assert listed["0"] == 3 and listed["8"] == -1


def test_update_resource_count_replaces_a_drifted_count_with_what_exists(operator_api) -> None:
    operator_api.user("alice")
    database = operator_api.server.database
    with database.session() as session:
        alice = session.scalars(select(Account).where(Account.name == "alice")).one()
        limits.consume(session, alice.id, ResourceType.INSTANCE, 3)
        limits.consume(session, alice.id, ResourceType.MEMORY, 512)
    status, body = operator_api.root("updateResourceCount", domainid=_root_domain(operator_api), account="alice")
    assert status == 200, body
    counts = {row["resourcetype"]: row["resourcecount"] for row in body["resourcecount"]}
    assert counts == {"0": 0, "2": 0, "3": 0, "8": 0, "9": 0, "10": 0, "11": 0}
    with database.session() as session:
        owner = limits.account_owner(session.scalars(select(Account).where(Account.name == "alice")).one())
        assert limits.count_of(session, owner, ResourceType.INSTANCE) == 0
    status, body = operator_api.root("updateResourceCount", domainid=_root_domain(operator_api), resourcetype=5)
    assert status == 431 and body["errortext"].startswith("resourcetype:")

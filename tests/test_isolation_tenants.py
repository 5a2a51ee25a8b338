"""Tenant isolation through the real `cirro serve` and the unmodified `cs` client, on SQLite and MariaDB.

Two user accounts in two domains (alice in /d1/, bob in /d2/), carol in /d1/sub/, and a domain
admin of /d1/: neither tenant can list, read or act on the other's objects; the domain admin
sees and acts on /d1/ and below only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cs import CloudStack, CloudStackApiException

from tests.fixtures.server import AdminKeys

PASSWORD = "tenant-pw-1"


@dataclass
class Tenant:
    client: CloudStack
    user_id: str
    account_id: str
    domain_id: str


def _client(endpoint: str, key: str, secret: str) -> CloudStack:
    return CloudStack(endpoint=endpoint, key=key, secret=secret, poll_interval=0.1, job_timeout=60,
                      fetch_result=True)


def _error(call, *args, **kwargs) -> tuple[int, str]:
    with pytest.raises(CloudStackApiException) as raised:
        call(*args, **kwargs)
    body = raised.value.error
    if raised.value.response is not None and raised.value.response.status_code != 200:
        return raised.value.response.status_code, str(body)
    return int(body.get("errorcode", 0)), str(body.get("errortext", body))  # a failed job's jobresult


@dataclass
class Tenants:
    root: CloudStack
    endpoint: str
    alice: Tenant
    bob: Tenant
    carol: Tenant
    dadmin: Tenant
    d1: str
    d2: str
    sub: str


@pytest.fixture(scope="module")
def tenants(admin_keys: AdminKeys) -> Tenants:
    root = _client(admin_keys.endpoint, admin_keys.api_key, admin_keys.secret_key)
    d1 = root.createDomain(name="d1")["domain"]["id"]
    d2 = root.createDomain(name="d2")["domain"]["id"]
    sub = root.createDomain(name="sub", parentdomainid=d1)["domain"]["id"]

    def tenant(username: str, domain_id: str, accounttype: int = 0) -> Tenant:
        account = root.createAccount(accounttype=accounttype, username=username, password=PASSWORD,
                                     email=f"{username}@example.org", firstname=username, lastname="T",
                                     domainid=domain_id)["account"]
        user_id = account["user"][0]["id"]
        keys = root.registerUserKeys(id=user_id)["userkeys"]
        return Tenant(_client(admin_keys.endpoint, keys["apikey"], keys["secretkey"]), user_id, account["id"],
                      domain_id)

    return Tenants(root, admin_keys.endpoint, tenant("alice", d1), tenant("bob", d2), tenant("carol", sub),
                   tenant("dadmin", d1, accounttype=2), d1, d2, sub)


def _names(reply: dict, key: str, field: str = "name") -> list[str]:
    return sorted(item[field] for item in reply.get(key, []))


def test_users_list_only_their_own_account(tenants: Tenants) -> None:
    assert _names(tenants.alice.client.listAccounts(listall=True), "account") == ["alice"]
    assert _names(tenants.bob.client.listAccounts(listall=True), "account") == ["bob"]
    assert _names(tenants.alice.client.listAccounts(domainid=tenants.d1, listall=True), "account") == ["alice"]
    assert _names(tenants.bob.client.listAsyncJobs(listall=True), "asyncjobs", "jobid") == []


def test_users_cannot_read_or_change_another_tenants_objects(tenants: Tenants) -> None:
    alice, bob = tenants.alice, tenants.bob
    for actor, other in ((alice, bob), (bob, alice)):
        status, text = _error(actor.client.listAccounts, id=other.account_id)
        assert status == 431 and f"Account {other.account_id} does not exist" in text
        status, text = _error(actor.client.updateUser, id=other.user_id, firstname="owned")
        assert status == 431 and "id: User" in text
        assert _error(actor.client.registerUserKeys, id=other.user_id)[0] == 431
        assert _error(actor.client.getUserKeys, id=other.user_id)[0] == 431
        assert _error(actor.client.listAccounts, domainid=other.domain_id)[0] == 431
    # admin-only commands are refused by role before anything is looked up
    assert _error(alice.client.listDomains)[0] == 432
    assert _error(alice.client.disableAccount, id=bob.account_id, lock=False)[0] == 432
    assert tenants.root.listUsers(id=bob.user_id)["user"][0]["firstname"] == "bob"


def test_users_may_manage_their_own_user_and_keys(tenants: Tenants) -> None:
    alice = tenants.alice
    assert alice.client.updateUser(id=alice.user_id, timezone="Europe/Paris")["user"]["timezone"] == "Europe/Paris"
    keys = alice.client.getUserKeys(id=alice.user_id)["userkeys"]
    assert keys["apikey"] and keys["secretkey"]


def test_domain_admin_sees_only_their_subtree(tenants: Tenants) -> None:
    client = tenants.dadmin.client
    domains = client.listDomains(listall=True)
    assert _names(domains, "domain", "path") == ["ROOT/d1", "ROOT/d1/sub"] and domains["count"] == 2
    assert _names(client.listAccounts(listall=True), "account") == ["alice", "carol", "dadmin"]
    assert _names(client.listUsers(listall=True), "user", "username") == ["alice", "carol", "dadmin"]
    assert _names(client.listAccounts(domainid=tenants.d1), "account") == ["alice", "dadmin"]
    assert _error(client.listDomains, id=tenants.d2)[0] == 431
    assert _error(client.listUsers, id=tenants.bob.user_id)[0] == 431
    status, text = _error(client.createAccount, accounttype=0, username="intruder", password=PASSWORD,
                          email="i@example.org", firstname="I", lastname="N", domainid=tenants.d2)
    assert status == 431 and "domainid: Domain" in text
    assert _error(client.disableAccount, id=tenants.bob.account_id, lock=False)[0] == 431


def test_domain_admin_jobs_in_the_subtree_are_theirs_and_hidden_from_others(tenants: Tenants) -> None:
    dadmin, carol = tenants.dadmin, tenants.carol
    disabled = dadmin.client.disableAccount(id=carol.account_id, lock=False, fetch_result=False)
    job = dadmin.client.queryAsyncJobResult(jobid=disabled["jobid"], fetch_result=False)
    while job["jobstatus"] == 0:
        job = dadmin.client.queryAsyncJobResult(jobid=disabled["jobid"], fetch_result=False)
    assert (job["jobstatus"], job["jobresultcode"], job["jobresulttype"]) == (1, 0, "object")
    assert job["jobresult"]["account"]["state"] == "disabled"
    assert (job["jobinstancetype"], job["jobinstanceid"]) == ("Account", carol.account_id)
    assert job["cmd"] == "org.apache.cloudstack.api.command.admin.account.DisableAccountCmd"
    assert job["userid"] == dadmin.user_id and job["accountid"] == dadmin.account_id
    # carol's keys stop working while her account is disabled
    assert _error(carol.client.listAccounts)[0] == 401
    assert _error(tenants.bob.client.queryAsyncJobResult, jobid=disabled["jobid"], fetch_result=False)[0] == 531
    assert disabled["jobid"] not in _names(tenants.bob.client.listAsyncJobs(listall=True), "asyncjobs", "jobid")
    assert disabled["jobid"] in _names(tenants.root.listAsyncJobs(listall=True), "asyncjobs", "jobid")
    assert disabled["jobid"] in _names(dadmin.client.listAsyncJobs(), "asyncjobs", "jobid")
    assert dadmin.client.enableAccount(id=carol.account_id)["account"]["state"] == "enabled"
    assert _names(carol.client.listAccounts(), "account") == ["carol"]


def test_a_failed_async_job_reports_the_error_and_a_domain_delete_needs_cleanup(tenants: Tenants) -> None:
    root = tenants.root
    doomed = root.createDomain(name="doomed")["domain"]["id"]
    root.createAccount(accounttype=0, username="dave", password=PASSWORD, email="d@example.org", firstname="D",
                       lastname="V", domainid=doomed)
    status, text = _error(root.deleteDomain, id=doomed)
    assert status == 536 and "ROOT/doomed still has 1 account(s)" in text
    assert root.listDomains(id=doomed)["domain"][0]["state"] == "Active"
    assert root.deleteDomain(id=doomed, cleanup=True) == {"success": True}
    assert _error(root.listDomains, id=doomed)[0] == 431
    assert root.listAccounts(name="dave", listall=True) == {}

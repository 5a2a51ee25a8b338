"""Unmodified CloudStack clients from PyPI against the real `cirro serve`: `cs` and Apache Libcloud."""

from __future__ import annotations

import pytest
from cs import CloudStack, CloudStackApiException
from libcloud.common.types import InvalidCredsError
from libcloud.compute.drivers.cloudstack import CloudStackNodeDriver

from tests.fixtures.server import ADMIN_PASSWORD, log_in


def cs_client(keys, **options) -> CloudStack:
    return CloudStack(endpoint=keys.endpoint, key=keys.api_key, secret=keys.secret_key, **options)


def libcloud_driver(keys) -> CloudStackNodeDriver:
    return CloudStackNodeDriver(keys.api_key, keys.secret_key, url=keys.endpoint, secure=False)


def test_login_with_password_returns_a_session_key_and_the_admin(cirro_server):
    _http, login = log_in(cirro_server.endpoint, "admin", ADMIN_PASSWORD)
    assert login["username"] == "admin" and login["account"] == "admin" and login["type"] == "1"
    assert login["timeout"] == "1800" and len(login["sessionkey"]) == 28
    assert all(isinstance(value, str) for value in login.values())


@pytest.mark.parametrize("options", [{}, {"expiration": -1}, {"method": "post"}],
                         ids=["signatureversion3-expires", "no-expires", "post-form"])
def test_cs_client_lists_domains_accounts_users_jobs_and_capabilities(admin_keys, options):
    client = cs_client(admin_keys, **options)
    assert "ROOT" in [domain["name"] for domain in client.listDomains(fetch_list=True)]
    assert "admin" in [account["name"] for account in client.listAccounts(fetch_list=True)]
    assert "admin" in [user["username"] for user in client.listUsers(fetch_list=True)]
    assert isinstance(client.listAsyncJobs(fetch_list=True), list)
    capability = client.listCapabilities()["capability"]
    assert capability["cloudstackversion"] and capability["customdiskofferingmaxsize"] == 1024


def test_cs_client_runs_an_async_command_and_polls_its_job(admin_keys):
    client = cs_client(admin_keys, poll_interval=0.2)
    domain = client.createDomain(name="cs-async")["domain"]
    result = client.deleteDomain(id=domain["id"], fetch_result=True)
    assert result == {"success": True}
    jobs = client.listAsyncJobs(fetch_list=True)
    finished = [job for job in jobs if job["cmd"].endswith("DeleteDomainCmd") or job["cmd"] == "deleteDomain"]
    assert finished and finished[-1]["jobstatus"] == 1 and finished[-1]["jobresultcode"] == 0
    assert domain["id"] not in [d["id"] for d in client.listDomains(fetch_list=True)]


def test_cs_client_sees_errors_with_codes_and_parameter_names(admin_keys):
    client = cs_client(admin_keys)
    with pytest.raises(CloudStackApiException) as missing:
        client.createDomain()
    assert missing.value.error["errorcode"] == 431
    expected = "Unable to execute API command createdomain due to missing parameter name"
    assert missing.value.error["errortext"] == expected
    with pytest.raises(CloudStackApiException) as bad_page:
        client.listDomains(page=1, pagesize="abc")
    assert bad_page.value.error["errorcode"] == 431 and "pagesize" in bad_page.value.error["errortext"]
    with pytest.raises(CloudStackApiException) as bad_uuid:
        client.listDomains(id="not-a-uuid")
    assert bad_uuid.value.error["errorcode"] == 431 and bad_uuid.value.error["errortext"].startswith("id:")


def test_libcloud_driver_signs_without_expires_and_lists(admin_keys):
    driver = libcloud_driver(admin_keys)
    domains = driver._sync_request("listDomains", params={"listall": "true"})
    assert domains["count"] >= 1 and "ROOT" in [d["name"] for d in domains["domain"]]
    assert "admin" in [a["name"] for a in driver._sync_request("listAccounts")["account"]]
    assert "admin" in [u["username"] for u in driver._sync_request("listUsers")["user"]]
    assert isinstance(driver._sync_request("listAsyncJobs"), dict)
    assert driver._sync_request("listCapabilities")["capability"]["supportELB"] == "false"
    # values with characters libcloud leaves unescaped ([ ] ~) still verify
    assert driver._sync_request("listDomains", params={"keyword": "x~[y]"}) == {}


def test_libcloud_driver_runs_an_async_command(admin_keys):
    driver = libcloud_driver(admin_keys)
    driver.connection.poll_interval = 0.2
    domain = driver._sync_request("createDomain", params={"name": "libcloud-async"})["domain"]
    assert driver._async_request("deleteDomain", params={"id": domain["id"]}) == {"success": True}


def test_libcloud_driver_with_a_wrong_secret_gets_invalid_credentials(admin_keys):
    driver = CloudStackNodeDriver(admin_keys.api_key, "not-the-secret", url=admin_keys.endpoint, secure=False)
    with pytest.raises(InvalidCredsError):
        driver._sync_request("listDomains")

"""Console access to a Hyper-V VM through `cirro serve`: createConsoleEndpoint's one-time URL and the console
servlet path give VMConnect's address (RDP on the host's port 2179) and the VM's Hyper-V id, read from the
simulated host over WinRM; stopped VMs and other tenants' VMs get no console."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
import requests
from cirrostack_hv_hyperv.driver import HypervDriver
from cs import CloudStack, CloudStackApiException
from hyperv_cloud import Cloud, api_error, deploy, sim_host_of
from hyperv_estate import Estate
from test_conformance import host_ref, vm_spec

from cirrostack.errors import InvalidState, VMNotFound
from cirrostack.hookspecs.hypervisor import VMRef
from tests.fixtures.server import ADMIN_PASSWORD, log_in


def base_url(cloud: Cloud) -> str:
    return cloud.server.endpoint.removesuffix("/client/api")


def sim_vm(cloud: Cloud, vm: dict):
    host = cloud.estate.hosts[sim_host_of(cloud, vm["hostid"])]
    return host.vms[vm["instancename"].lower()]


@pytest.fixture(scope="module")
def running_vm(cloud: Cloud) -> Iterator[dict]:
    vm = deploy(cloud, name="hv-console")
    yield vm
    cloud.client.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_console_endpoint_url_hands_out_vmconnect_details_once(cloud: Cloud, running_vm: dict) -> None:
    before = len(cloud.estate.world.log)
    endpoint = cloud.client.createConsoleEndpoint(virtualmachineid=running_vm["id"])["consoleendpoint"]
    assert endpoint["success"] is True and endpoint["url"].startswith("/client/console?cmd=access&token=")
    asked = [entry for entry in cloud.estate.world.log[before:] if entry.cmdlet == "Get-VM"]
    assert [entry.params["Name"] for entry in asked] == [running_vm["instancename"]]

    first = requests.get(base_url(cloud) + endpoint["url"], timeout=10)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    access = first.json()["consoleaccess"]
    simulated = sim_vm(cloud, running_vm)
    assert access["protocol"] == "rdp" and access["port"] == 2179
    assert access["host"] == "127.0.0.1"  # the host's WinRM URL names it so
    assert access["extra"]["vmid"] == simulated.id and access["password"] == ""
    assert access["virtualmachineid"] == running_vm["id"]

    again = requests.get(base_url(cloud) + endpoint["url"], timeout=10)
    assert again.status_code == 431 and "used already" in again.json()["errortext"]


def test_a_stopped_vm_has_no_console_and_no_host_is_asked(cloud: Cloud) -> None:
    vm = deploy(cloud, name="hv-console-stopped", startvm="false")
    before = len(cloud.estate.world.log)
    with pytest.raises(CloudStackApiException) as failed:
        cloud.client.createConsoleEndpoint(virtualmachineid=vm["id"])
    error = api_error(failed)
    assert error["errorcode"] == 431
    assert error["errortext"] == "virtualmachineid: VM hv-console-stopped is Stopped; only a Running VM has a console"
    assert cloud.estate.world.log[before:] == []
    cloud.client.destroyVirtualMachine(id=vm["id"], expunge=True, fetch_result=True)


def test_another_tenant_cannot_open_the_console(cloud: Cloud, running_vm: dict) -> None:
    name, password = f"console-{secrets.token_hex(3)}", secrets.token_urlsafe(12)
    user = cloud.client.createAccount(accounttype=0, username=name, password=password, email=f"{name}@example.org",
                                      firstname="Con", lastname="Sole")["account"]["user"][0]
    keys = cloud.client.registerUserKeys(id=user["id"])["userkeys"]
    tenant = CloudStack(endpoint=cloud.server.endpoint, key=keys["apikey"], secret=keys["secretkey"], timeout=30)
    with pytest.raises(CloudStackApiException) as failed:
        tenant.createConsoleEndpoint(virtualmachineid=running_vm["id"])
    error = api_error(failed)
    assert error["errorcode"] == 431 and running_vm["id"] in error["errortext"], error

    http, _login = log_in(cloud.server.endpoint, name, password)
    refused = http.get(base_url(cloud) + "/client/console", params={"cmd": "access", "vm": running_vm["id"]},
                       timeout=10)
    assert refused.status_code == 431 and refused.json()["errortext"].startswith("vm:"), refused.text


def test_console_path_answers_a_logged_in_session(cloud: Cloud, running_vm: dict) -> None:
    http, _login = log_in(cloud.server.endpoint, "admin", ADMIN_PASSWORD)
    reply = http.get(base_url(cloud) + "/client/console", params={"cmd": "access", "vm": running_vm["id"]},
                     timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.json()["consoleaccess"]["extra"]["vmid"] == sim_vm(cloud, running_vm).id

    anonymous = requests.get(base_url(cloud) + "/client/console", params={"cmd": "access", "vm": running_vm["id"]},
                             timeout=10)
    assert anonymous.status_code == 401
    unknown = http.get(base_url(cloud) + "/client/console", params={"cmd": "thumbnail", "vm": running_vm["id"]},
                       timeout=10)
    assert unknown.status_code == 431 and unknown.json()["errortext"].startswith("cmd: 'thumbnail'")


def test_the_driver_reads_the_vm_id_over_winrm_and_refuses_stopped_or_unknown_vms(estate: Estate) -> None:
    driver, host = HypervDriver(), host_ref(estate, "hv-01")
    spec = vm_spec()
    ref = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(host, spec)
    access = driver.console_access(host, ref)
    assert (access.protocol, access.host, access.port) == ("rdp", "127.0.0.1", 2179)
    assert access.extra["vmid"] == estate.hosts["hv-01"].vms[spec.instance_name.lower()].id
    assert estate.world.log[-1].cmdlet == "Get-VM"
    driver.stop_vm(host, ref, force=True)
    with pytest.raises(InvalidState, match=f"VM {spec.instance_name} on Hyper-V host .* is Stopped"):
        driver.console_access(host, ref)
    with pytest.raises(VMNotFound):
        driver.console_access(host, VMRef("nope", "i-9-9-VM"))

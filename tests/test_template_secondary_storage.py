"""Registered templates and ISOs count against their owner's `secondary_storage` per zone, in-process on
SQLite and MariaDB with zones that keep no copy on a store (direct downloads): each ready zone copy counts
at its physical size, copyTemplate's copy too, deleteTemplate gives back what it removes; a download that
would pass the limit fails with 532 naming secondary_storage and shows the error on its zone ref;
registering is refused while the owner is at its limit; updateResourceCount agrees each time. Images are
made by qemu-img and served by http.server on loopback."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from cirrostack.db.models import Account, Zone
from cirrostack.services import limits
from cirrostack.services.limits import GIB, ResourceType
from cirrostack.services.templates import download
from tests.static_files import serve_directory


@pytest.fixture
def image_base(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server for `<tmp>/web`, holding a QCOW2 image and an ISO; its base URL."""
    root = tmp_path / "web"
    root.mkdir()
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(root / "disk.qcow2"), "64M"], check=True)
    iso_sector = 2048
    (root / "netinst.iso").write_bytes(b"\0" * 16 * iso_sector + b"\x01CD001\x01" + b"\0" * 2041
                                       + b"\xffCD001\x01" + b"\0" * 2041 + b"\0" * iso_sector * 14)
    with serve_directory(root) as base:
        yield base


def _zones(operator_api, *names: str) -> list[str]:
    with operator_api.server.database.session() as session:
        zones = [Zone(name=name, dns1="8.8.8.8", internal_dns1="10.0.0.1") for name in names]
        session.add_all(zones)
        session.flush()
        return [zone.uuid for zone in zones]


def _tenant(operator_api) -> dict:
    """An account in a subdomain (the ROOT domain is never limited), as registerTemplate's account/domainid."""
    status, domain = operator_api.root("createDomain", name="tenants")
    assert status == 200, domain
    status, body = operator_api.root("createAccount", accounttype=0, email="fay@example.org", firstname="Fay",
                                     lastname="Tester", username="fay", password="pw-123456",
                                     domainid=domain["domain"]["id"])
    assert status == 200, body
    return {"account": "fay", "domainid": domain["domain"]["id"]}


def _limit(operator_api, tenant: dict, gib: int) -> None:
    status, body = operator_api.root("updateResourceLimit", resourcetype=11, max=gib, **tenant)
    assert status == 200, body


def _count(operator_api, set_to: int | None = None) -> int:
    with operator_api.server.database.session() as session:
        owner = limits.account_owner(session.scalars(select(Account).where(Account.name == "fay")).one())
        if set_to is not None:
            limits.set_count(session, owner, ResourceType.SECONDARY_STORAGE, set_to)
        return limits.count_of(session, owner, ResourceType.SECONDARY_STORAGE)


def _recounted(operator_api, tenant: dict) -> int:
    status, body = operator_api.root("updateResourceCount", resourcetype=11, **tenant)
    assert status == 200, body
    return {int(row["resourcetype"]): int(row["resourcecount"]) for row in body["resourcecount"]}[11]


def _agreed(operator_api, tenant: dict) -> int:
    count = _count(operator_api)
    assert _recounted(operator_api, tenant) == count, "updateResourceCount must agree with the running count"
    return count


def _register(operator_api, tenant: dict, zone_id: str, name: str, url: str) -> tuple[int, dict]:
    os_type = operator_api.root("listOsTypes", description="CentOS 5.6 (64-bit)")[1]["ostype"][0]["id"]
    return operator_api.root("registerTemplate", name=name, displaytext=name, format="QCOW2", hypervisor="KVM",
                             ostypeid=os_type, url=url, zoneid=zone_id, **tenant)


def _settled(operator_api, template_id: str, zone_id: str, listing: str = "Template") -> dict:
    """The template's (or ISO's) row in `zone_id` once its download there ended."""
    deadline = time.monotonic() + 30
    while True:
        if listing == "Template":
            rows = operator_api.root("listTemplates", templatefilter="all", id=template_id)[1]["template"]
        else:
            rows = operator_api.root("listIsos", isofilter="all", id=template_id)[1]["iso"]
        row = next(row for row in rows if row["zoneid"] == zone_id)
        if row["isready"] or row["status"].startswith(download.ERROR_PREFIX):
            return row
        assert time.monotonic() < deadline, f"download still not finished: {row}"
        time.sleep(0.1)


def test_each_zone_copy_counts_at_its_physical_size_and_is_given_back(operator_api, image_base: str,
                                                                       tmp_path: Path) -> None:
    zone_one, zone_two = _zones(operator_api, "z1", "z2")
    tenant = _tenant(operator_api)
    _limit(operator_api, tenant, 1)
    qcow2_size = (tmp_path / "web" / "disk.qcow2").stat().st_size
    iso_size = (tmp_path / "web" / "netinst.iso").stat().st_size

    status, body = _register(operator_api, tenant, zone_one, "counted", f"{image_base}/disk.qcow2")
    assert status == 200, body
    template_id = body["template"][0]["id"]
    assert _settled(operator_api, template_id, zone_one)["physicalsize"] == qcow2_size
    assert _agreed(operator_api, tenant) == qcow2_size

    status, body = operator_api.root("registerIso", name="netinst", displaytext="netinst", zoneid=zone_one,
                                     url=f"{image_base}/netinst.iso", bootable="false", **tenant)
    assert status == 200, body
    iso_id = body["iso"][0]["id"]
    assert _settled(operator_api, iso_id, zone_one, "Iso")["isready"] is True
    assert _agreed(operator_api, tenant) == qcow2_size + iso_size, "an ISO counts as a template does"

    status, body = operator_api.root("copyTemplate", id=template_id, sourcezoneid=zone_one, destzoneid=zone_two)
    assert status == 200, body
    operator_api.server.jobs.wait(body["jobid"], timeout=20)
    assert _settled(operator_api, template_id, zone_two)["isready"] is True
    assert _agreed(operator_api, tenant) == 2 * qcow2_size + iso_size, "the copy in zone two counts too"

    status, body = operator_api.root("deleteTemplate", id=template_id, zoneid=zone_two)
    assert status == 200, body
    operator_api.server.jobs.wait(body["jobid"], timeout=20)
    assert _agreed(operator_api, tenant) == qcow2_size + iso_size, "deleting zone two's copy gives it back"
    for command, image_id in (("deleteTemplate", template_id), ("deleteIso", iso_id)):
        status, body = operator_api.root(command, id=image_id)
        assert status == 200, body
        job_id = body.get("jobid") or next(iter(body.values()))["jobid"]  # deleteIso answers deleteisosresponse
        operator_api.server.jobs.wait(job_id, timeout=20)
    assert _agreed(operator_api, tenant) == 0


def test_a_download_over_the_limit_fails_with_532_and_registering_at_the_limit_is_refused(
        operator_api, image_base: str) -> None:
    zone_id, = _zones(operator_api, "z1")
    tenant = _tenant(operator_api)
    _limit(operator_api, tenant, 1)
    nearly_full = _count(operator_api, set_to=GIB - 1024)  # room left, but less than the image
    status, body = _register(operator_api, tenant, zone_id, "too-big", f"{image_base}/disk.qcow2")
    assert status == 200, body
    template_id = body["template"][0]["id"]
    row = _settled(operator_api, template_id, zone_id)
    assert row["isready"] is False and "secondary_storage" in row["status"], row
    jobs = [job for job in operator_api.root("listAsyncJobs", listall="true")[1]["asyncjobs"]
            if job["cmd"] == download.JOB_COMMAND and job.get("jobinstanceid") == template_id]
    assert [job["jobresult"]["errorcode"] for job in jobs] == [532], jobs
    assert "secondary_storage" in jobs[0]["jobresult"]["errortext"]
    assert _count(operator_api) == nearly_full, "nothing more was counted"
    assert _recounted(operator_api, tenant) == 0, "updateResourceCount finds nothing held"

    _limit(operator_api, tenant, 0)
    status, body = _register(operator_api, tenant, zone_id, "at-the-limit", f"{image_base}/disk.qcow2")
    assert status == 532 and "secondary_storage" in body["errortext"], body
    assert not operator_api.root("listTemplates", templatefilter="all", name="at-the-limit")[1].get("template")

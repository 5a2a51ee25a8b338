"""Uploaded volumes count against the owner's `secondary_storage`, in-process on SQLite with a real Samba
share as the zone's image store: over the limit the upload fails with 532 naming secondary_storage and
leaves nothing on the share; within it the count is the copy's size on the share, agrees with a recount,
and deleteVolume gives it back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from smb_inprocess import SmbZone, smb_zone  # noqa: F401  (in-process server with an SMB image store)
from smbd_server import smbd_server  # noqa: F401  (session smbd fixture)
from sqlalchemy import select

from cirrostack.db.models import Account
from cirrostack.services import limits
from cirrostack.services.limits import ResourceType
from cirrostack.services.templates import secondary_storage
from tests.static_files import serve_directory

IMAGE = bytes(range(256)) * 12 * 1024  # 3 MiB of RAW disk


@pytest.fixture
def image_url(tmp_path: Path) -> Iterator[str]:
    """A loopback HTTP server holding `disk.img` (IMAGE); its URL."""
    root = tmp_path / "web"
    root.mkdir()
    (root / "disk.img").write_bytes(IMAGE)
    with serve_directory(root) as base:
        yield f"{base}/disk.img"


def _account(smb_zone: SmbZone) -> tuple[str, str]:  # noqa: F811
    """A user account in a subdomain (the ROOT domain is never limited): its name and domain id."""
    status, domain = smb_zone.root("createDomain", name="tenants")
    assert status == 200, domain
    status, body = smb_zone.root("createAccount", accounttype=0, email="carol@example.org", firstname="Carol",
                                 lastname="Tester", username="carol", password="pw-123456",
                                 domainid=domain["domain"]["id"])
    assert status == 200, body
    return "carol", domain["domain"]["id"]


def _counted(smb_zone: SmbZone, name: str) -> tuple[int, int]:  # noqa: F811
    """carol's secondary_storage count and what a recount finds she holds."""
    with smb_zone.server.database.session() as session:
        account = session.scalars(select(Account).where(Account.name == name)).one()
        count = limits.count_of(session, limits.account_owner(account), ResourceType.SECONDARY_STORAGE)
        held = secondary_storage.held_bytes(session, account.id)
        in_domain = secondary_storage.held_bytes_for(session, select(Account.id).where(
            Account.domain_id == account.domain_id).scalar_subquery())
        assert in_domain == held, "the recount of carol's domain (she is its only account) finds the same"
        return count, held


def _upload(smb_zone: SmbZone, url: str, account: str, domain_id: str) -> tuple[str, dict]:  # noqa: F811
    status, started = smb_zone.root("uploadVolume", name="data", format="RAW", url=url, zoneid=smb_zone.zone_id,
                                    account=account, domainid=domain_id)
    assert status == 200, started
    return started["id"], smb_zone.job(started["jobid"])


def test_an_upload_over_the_secondary_storage_limit_is_refused_and_leaves_nothing(  # noqa: F811
        smb_zone: SmbZone, image_url: str) -> None:  # noqa: F811
    account, domain_id = _account(smb_zone)
    status, body = smb_zone.root("updateResourceLimit", resourcetype=11, max=0, account=account, domainid=domain_id)
    assert status == 200, body
    volume_id, job = _upload(smb_zone, image_url, account, domain_id)
    assert job["jobstatus"] == 2 and job["jobresult"]["errorcode"] == 532, job
    assert "secondary_storage" in job["jobresult"]["errortext"], job["jobresult"]
    assert not (smb_zone.folder / f"template/tmpl/{volume_id}").exists(), "the refused copy must be removed"
    assert _counted(smb_zone, account) == (0, 0)


def test_an_uploaded_copy_is_counted_recounted_and_given_back_on_delete(  # noqa: F811
        smb_zone: SmbZone, image_url: str) -> None:  # noqa: F811
    account, domain_id = _account(smb_zone)
    smb_zone.root("updateResourceLimit", resourcetype=11, max=1, account=account, domainid=domain_id)
    volume_id, job = _upload(smb_zone, image_url, account, domain_id)
    assert job["jobstatus"] == 1, job
    on_share = smb_zone.folder / f"template/tmpl/{volume_id}/{volume_id}.img"
    assert on_share.stat().st_size == len(IMAGE)
    assert _counted(smb_zone, account) == (len(IMAGE), len(IMAGE)), "the count is the copy's size, as recounted"
    with smb_zone.server.database.session() as session:  # a wrong count that updateResourceCount must repair
        owner = limits.account_owner(session.scalars(select(Account).where(Account.name == account)).one())
        limits.set_count(session, owner, ResourceType.SECONDARY_STORAGE, 7)
        session.commit()
    status, body = smb_zone.root("updateResourceCount", resourcetype=11, account=account, domainid=domain_id)
    assert status == 200, body
    recounted = {int(item["resourcetype"]): int(item["resourcecount"]) for item in body["resourcecount"]}
    assert recounted == {11: len(IMAGE)}, body
    assert _counted(smb_zone, account) == (len(IMAGE), len(IMAGE))
    status, body = smb_zone.root("deleteVolume", id=volume_id)
    assert status == 200, body
    assert not on_share.exists()
    assert _counted(smb_zone, account) == (0, 0), "deleteVolume gives the copy's size back"

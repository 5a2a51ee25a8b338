"""Registered templates, their copies to other zones and volume exports count against the owner's
`secondary_storage`, end to end (`cirro serve` with Hyper-V hosts and real Samba shares, see smb_cloud.py,
on SQLite and MariaDB), as a tenant in a subdomain: each zone's copy counts at its size on the share and
is given back by deleteTemplate; a download that would pass the limit fails with 532 and leaves nothing;
deleting, restoring over or expunging an extracted volume removes its export; updateResourceCount agrees each time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cs import CloudStackApiException
from smb_cloud import SmbCloud, smb_cloud, wait_for_template  # noqa: F401  (module fixture)
from smb_tenant import Tenant, counted, new_tenant, set_limit
from smbd_server import smbd_server  # noqa: F401  (session smbd fixture)

from cirrostack.services.limits import GIB


@pytest.fixture(scope="module")
def tenant(smb_cloud: SmbCloud) -> Iterator[Tenant]:  # noqa: F811
    """An account in a subdomain with a Stopped VM, deployed from a public template of the (unlimited) admin."""
    yield new_tenant(smb_cloud, "centos-public", "Erin")


def _recounted(smb_cloud: SmbCloud, tenant: Tenant) -> int:  # noqa: F811
    """updateResourceCount resourcetype=11 for the tenant: what it finds the tenant holds."""
    body = smb_cloud.client.updateResourceCount(resourcetype=11, account=tenant.account, domainid=tenant.domain_id)
    return {int(row["resourcetype"]): int(row["resourcecount"]) for row in body["resourcecount"]}[11]


def _agreed(smb_cloud: SmbCloud, tenant: Tenant) -> int:  # noqa: F811
    """The count, after checking that a recount finds the same."""
    count = counted(smb_cloud, tenant)
    assert _recounted(smb_cloud, tenant) == count, "updateResourceCount must agree with the running count"
    return count


def _register(smb_cloud: SmbCloud, tenant: Tenant, name: str) -> dict:  # noqa: F811
    return tenant.client.registerTemplate(name=name, displaytext=name, format="VHDX", hypervisor="Hyperv",
                                          ostypeid=smb_cloud.os_type, url=smb_cloud.images.template_url,
                                          zoneid=smb_cloud.zones[0]["id"], checksum=smb_cloud.images.md5)["template"][0]


def _template_file(smb_cloud: SmbCloud, share: str, template_id: str) -> Path:  # noqa: F811
    return smb_cloud.share_file(share, f"template/tmpl/{template_id}/{template_id}.vhdx")


def test_a_registered_template_counts_per_zone_copy_and_is_given_back(smb_cloud: SmbCloud,  # noqa: F811
                                                                      tenant: Tenant) -> None:
    set_limit(smb_cloud, tenant, 1)
    zone_one, zone_two = smb_cloud.zones[0]["id"], smb_cloud.zones[1]["id"]
    template = _register(smb_cloud, tenant, "counted-registered")
    assert wait_for_template(smb_cloud.client, template["id"], zone_one)["isready"] is True
    first = _template_file(smb_cloud, "images", template["id"])
    size = first.stat().st_size
    assert size > 0 and _agreed(smb_cloud, tenant) == size, "the copy in zone one counts at its size on the share"

    tenant.client.copyTemplate(id=template["id"], sourcezoneid=zone_one, destzoneid=zone_two, fetch_result=True)
    assert wait_for_template(smb_cloud.client, template["id"], zone_two)["isready"] is True
    second = _template_file(smb_cloud, "images2", template["id"])
    assert _agreed(smb_cloud, tenant) == size + second.stat().st_size, "the copy in zone two counts too"

    tenant.client.deleteTemplate(id=template["id"], zoneid=zone_two, fetch_result=True)
    assert not second.exists() and first.exists()
    assert _agreed(smb_cloud, tenant) == size, "deleting it from zone two gives that copy back"
    tenant.client.deleteTemplate(id=template["id"], fetch_result=True)
    assert not first.exists()
    assert _agreed(smb_cloud, tenant) == 0


def test_a_download_over_the_limit_fails_with_532_and_leaves_nothing(smb_cloud: SmbCloud,  # noqa: F811
                                                                      tenant: Tenant) -> None:
    set_limit(smb_cloud, tenant, 1)
    nearly_full = GIB - 1024  # room left, but less than the image
    counted(smb_cloud, tenant, set_to=nearly_full)
    template = _register(smb_cloud, tenant, "over-the-limit")
    row = wait_for_template(smb_cloud.client, template["id"], smb_cloud.zones[0]["id"])
    assert row["isready"] is False and row["status"].startswith("Download Error: "), row
    assert "secondary_storage" in row["status"], row
    jobs = [job for job in tenant.client.listAsyncJobs(fetch_list=True)
            if job["cmd"] == "downloadTemplate" and job.get("jobinstanceid") == template["id"]]
    assert jobs and jobs[0]["jobresult"]["errorcode"] == 532, jobs
    assert "secondary_storage" in jobs[0]["jobresult"]["errortext"]
    assert not _template_file(smb_cloud, "images", template["id"]).exists(), "the refused copy must be removed"
    assert counted(smb_cloud, tenant) == nearly_full, "nothing more was counted"
    assert _recounted(smb_cloud, tenant) == 0, "updateResourceCount finds nothing held"
    tenant.client.deleteTemplate(id=template["id"], fetch_result=True)
    assert _agreed(smb_cloud, tenant) == 0

    set_limit(smb_cloud, tenant, 0)  # at the limit already: registration is refused before any download
    with pytest.raises(CloudStackApiException) as refused:
        _register(smb_cloud, tenant, "at-the-limit")
    assert refused.value.error["errorcode"] == 532 and "secondary_storage" in refused.value.error["errortext"]
    assert not tenant.client.listTemplates(templatefilter="self", name="at-the-limit", fetch_list=True)


def _export_file(smb_cloud: SmbCloud, volume_id: str) -> Path:  # noqa: F811
    return smb_cloud.share_file("images", f"volume/{volume_id}/{volume_id}.vhdx")


def _wait_gone(path: Path, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    return not path.exists()


def test_deleting_restoring_or_expunging_an_extracted_volume_removes_its_export(smb_cloud: SmbCloud,  # noqa: F811
                                                                      tenant: Tenant) -> None:
    set_limit(smb_cloud, tenant, 1)
    client, zone_id = tenant.client, smb_cloud.zones[0]["id"]
    # a data volume with content: uploaded onto the share, then copied onto a pool by attaching it
    data = client.uploadVolume(name="data-exported", format="VHDX", url=smb_cloud.images.template_url,
                               zoneid=zone_id, checksum=smb_cloud.images.md5, fetch_result=True)["volume"]
    uploaded = smb_cloud.share_file("images", f"template/tmpl/{data['id']}/{data['id']}.vhdx")
    client.attachVolume(id=data["id"], virtualmachineid=tenant.vm, fetch_result=True)
    data = client.detachVolume(id=data["id"], fetch_result=True)["volume"]
    assert data["state"] == "Ready", data
    assert _agreed(smb_cloud, tenant) == uploaded.stat().st_size > 0

    client.extractVolume(id=data["id"], mode="HTTP_DOWNLOAD", zoneid=zone_id, fetch_result=True)
    export = _export_file(smb_cloud, data["id"])
    assert _agreed(smb_cloud, tenant) == uploaded.stat().st_size + export.stat().st_size
    assert export.stat().st_size > 0
    client.deleteVolume(id=data["id"])
    assert not export.exists() and not uploaded.exists(), "deleteVolume removes the volume's export and upload"
    assert _agreed(smb_cloud, tenant) == 0

    client.extractVolume(id=tenant.root_volume, mode="HTTP_DOWNLOAD", zoneid=zone_id, fetch_result=True)
    replaced_export = _export_file(smb_cloud, tenant.root_volume)
    assert _agreed(smb_cloud, tenant) == replaced_export.stat().st_size > 0
    client.restoreVirtualMachine(virtualmachineid=tenant.vm, fetch_result=True)
    assert not replaced_export.exists(), "restoreVirtualMachine removes the export of the ROOT volume it replaces"
    assert _agreed(smb_cloud, tenant) == 0

    new_root = client.listVolumes(virtualmachineid=tenant.vm, type="ROOT", fetch_list=True)[0]["id"]
    assert new_root != tenant.root_volume
    client.startVirtualMachine(id=tenant.vm, fetch_result=True)  # the host creates the new ROOT disk
    client.stopVirtualMachine(id=tenant.vm, fetch_result=True)
    client.extractVolume(id=new_root, mode="HTTP_DOWNLOAD", zoneid=zone_id, fetch_result=True)
    root_export = _export_file(smb_cloud, new_root)
    assert _agreed(smb_cloud, tenant) == root_export.stat().st_size > 0
    smb_cloud.client.destroyVirtualMachine(id=tenant.vm, expunge=True, fetch_result=True)
    assert _wait_gone(root_export), "expunging the VM removes its ROOT volume's export"
    assert _agreed(smb_cloud, tenant) == 0

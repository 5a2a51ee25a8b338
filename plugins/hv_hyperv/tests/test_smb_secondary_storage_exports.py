"""Templates made from a volume and extractVolume exports count against the owner's `secondary_storage`,
end to end (`cirro serve` with Hyper-V hosts and real Samba shares, see smb_cloud.py), as a tenant in a
subdomain: over the limit both fail with 532 naming secondary_storage and leave nothing on the share;
within it the count follows the files on the share, an export replaced by the next one is given back
and deleteTemplate gives the template's copy back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cs import CloudStackApiException
from smb_cloud import SmbCloud, smb_cloud, wait_for_template  # noqa: F401  (module fixture)
from smb_tenant import Tenant, counted, new_tenant, set_limit
from smbd_server import smbd_server  # noqa: F401  (session smbd fixture)


@pytest.fixture(scope="module")
def tenant(smb_cloud: SmbCloud) -> Iterator[Tenant]:  # noqa: F811
    """An account in a subdomain owning a Stopped VM deployed from a template registered onto the share."""
    yield new_tenant(smb_cloud, "centos-counted", "Dave")


def _refusal(caught: pytest.ExceptionInfo[CloudStackApiException]) -> dict:
    return caught.value.error.get("jobresult", caught.value.error)


def test_over_the_limit_export_and_template_are_refused_and_removed(smb_cloud: SmbCloud,  # noqa: F811
                                                                      tenant: Tenant) -> None:
    set_limit(smb_cloud, tenant, 0)
    with pytest.raises(CloudStackApiException) as export:
        tenant.client.extractVolume(id=tenant.root_volume, mode="HTTP_DOWNLOAD", zoneid=smb_cloud.zones[0]["id"],
                                    fetch_result=True)
    assert _refusal(export)["errorcode"] == 532 and "secondary_storage" in _refusal(export)["errortext"]
    assert not smb_cloud.share_file("images", f"volume/{tenant.root_volume}/{tenant.root_volume}.vhdx").exists()
    with pytest.raises(CloudStackApiException) as template:
        tenant.client.createTemplate(volumeid=tenant.root_volume, name="over", displaytext="over",
                                     ostypeid=smb_cloud.os_type, fetch_result=True)
    assert _refusal(template)["errorcode"] == 532 and "secondary_storage" in _refusal(template)["errortext"]
    assert not tenant.client.listTemplates(templatefilter="self", name="over", fetch_list=True)
    assert counted(smb_cloud, tenant) == 0


def test_exports_and_templates_are_counted_at_their_size_and_given_back(smb_cloud: SmbCloud,  # noqa: F811
                                                                        tenant: Tenant) -> None:
    set_limit(smb_cloud, tenant, 1)
    zone_id = smb_cloud.zones[0]["id"]
    tenant.client.extractVolume(id=tenant.root_volume, mode="HTTP_DOWNLOAD", zoneid=zone_id, fetch_result=True)
    export = smb_cloud.share_file("images", f"volume/{tenant.root_volume}/{tenant.root_volume}.vhdx")
    assert counted(smb_cloud, tenant) == export.stat().st_size > 0
    tenant.client.extractVolume(id=tenant.root_volume, mode="HTTP_DOWNLOAD", zoneid=zone_id, fetch_result=True)
    assert counted(smb_cloud, tenant) == export.stat().st_size, "the replaced export is given back"
    made = tenant.client.createTemplate(volumeid=tenant.root_volume, name="counted", displaytext="counted",
                                        ostypeid=smb_cloud.os_type, fetch_result=True)["template"]
    copy = smb_cloud.share_file("images", f"template/tmpl/{made['id']}/{made['id']}.vhdx")
    assert counted(smb_cloud, tenant) == export.stat().st_size + copy.stat().st_size
    tenant.client.deleteTemplate(id=made["id"], fetch_result=True)
    assert not copy.exists()
    assert counted(smb_cloud, tenant) == export.stat().st_size, "deleteTemplate gives the template's copy back"

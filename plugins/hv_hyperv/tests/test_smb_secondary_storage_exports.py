"""Templates made from a volume and extractVolume exports count against the owner's `secondary_storage`,
end to end (`cirro serve` with Hyper-V hosts and real Samba shares, see smb_cloud.py), as a tenant in a
subdomain: over the limit both fail with 532 naming secondary_storage and leave nothing on the share;
within it the count follows the files on the share, an export replaced by the next one is given back
and deleteTemplate gives the template's copy back."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from cs import CloudStack, CloudStackApiException
from smb_cloud import SmbCloud, smb_cloud, wait_for_template  # noqa: F401  (module fixture)
from smbd_server import smbd_server  # noqa: F401  (session smbd fixture)
from sqlalchemy import select

from cirrostack.db.database import Database
from cirrostack.db.models import Account
from cirrostack.services import limits
from cirrostack.services.limits import ResourceType


@dataclass
class Tenant:
    client: CloudStack
    account: str
    domain_id: str
    root_volume: str


@pytest.fixture(scope="module")
def tenant(smb_cloud: SmbCloud) -> Iterator[Tenant]:  # noqa: F811
    """An account in a subdomain owning a Stopped VM deployed from a template registered onto the share."""
    admin, zone = smb_cloud.client, smb_cloud.zones[0]
    template = admin.registerTemplate(name="centos-counted", displaytext="CentOS", format="VHDX", hypervisor="Hyperv",
                                      ostypeid=smb_cloud.os_type, ispublic=True, url=smb_cloud.images.template_url,
                                      zoneid=zone["id"], checksum=smb_cloud.images.md5)["template"][0]
    wait_for_template(admin, template["id"], zone["id"])
    domain = admin.createDomain(name=f"tenants-{secrets.token_hex(3)}")["domain"]
    name = f"dave-{secrets.token_hex(3)}"
    user = admin.createAccount(accounttype=0, username=name, password=secrets.token_urlsafe(12), domainid=domain["id"],
                               email=f"{name}@example.org", firstname="Dave", lastname="Tester")["account"]["user"][0]
    keys = admin.registerUserKeys(id=user["id"])["userkeys"]
    client = CloudStack(endpoint=smb_cloud.server.endpoint, key=keys["apikey"], secret=keys["secretkey"], timeout=60)
    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=template["id"], serviceofferingid=smb_cloud.offering,
                                     fetch_result=True)["virtualmachine"]
    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", fetch_list=True)[0]
    yield Tenant(client, name, domain["id"], root["id"])


def _limit(smb_cloud: SmbCloud, tenant: Tenant, gib: int) -> None:  # noqa: F811
    smb_cloud.client.updateResourceLimit(resourcetype=11, max=gib, account=tenant.account, domainid=tenant.domain_id)


def _count(smb_cloud: SmbCloud, tenant: Tenant) -> int:  # noqa: F811
    database = Database(smb_cloud.server.db_url or f"sqlite:///{smb_cloud.server.data_dir / 'cirrostack.db'}")
    try:
        with database.session() as session:
            account = session.scalars(select(Account).where(Account.name == tenant.account)).one()
            return limits.count_of(session, limits.account_owner(account), ResourceType.SECONDARY_STORAGE)
    finally:
        database.dispose()


def _refusal(caught: pytest.ExceptionInfo[CloudStackApiException]) -> dict:
    return caught.value.error.get("jobresult", caught.value.error)


def test_over_the_limit_export_and_template_are_refused_and_removed(smb_cloud: SmbCloud,  # noqa: F811
                                                                      tenant: Tenant) -> None:
    _limit(smb_cloud, tenant, 0)
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
    assert _count(smb_cloud, tenant) == 0


def test_exports_and_templates_are_counted_at_their_size_and_given_back(smb_cloud: SmbCloud,  # noqa: F811
                                                                        tenant: Tenant) -> None:
    _limit(smb_cloud, tenant, 1)
    zone_id = smb_cloud.zones[0]["id"]
    tenant.client.extractVolume(id=tenant.root_volume, mode="HTTP_DOWNLOAD", zoneid=zone_id, fetch_result=True)
    export = smb_cloud.share_file("images", f"volume/{tenant.root_volume}/{tenant.root_volume}.vhdx")
    assert _count(smb_cloud, tenant) == export.stat().st_size > 0
    tenant.client.extractVolume(id=tenant.root_volume, mode="HTTP_DOWNLOAD", zoneid=zone_id, fetch_result=True)
    assert _count(smb_cloud, tenant) == export.stat().st_size, "the replaced export is given back"
    made = tenant.client.createTemplate(volumeid=tenant.root_volume, name="counted", displaytext="counted",
                                        ostypeid=smb_cloud.os_type, fetch_result=True)["template"]
    copy = smb_cloud.share_file("images", f"template/tmpl/{made['id']}/{made['id']}.vhdx")
    assert _count(smb_cloud, tenant) == export.stat().st_size + copy.stat().st_size
    tenant.client.deleteTemplate(id=made["id"], fetch_result=True)
    assert not copy.exists()
    assert _count(smb_cloud, tenant) == export.stat().st_size, "deleteTemplate gives the template's copy back"

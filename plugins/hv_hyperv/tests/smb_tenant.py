"""A tenant of the SMB cloud (smb_cloud.py) whose `secondary_storage` the counting tests follow: an account
in its own subdomain with API keys and a Stopped VM deployed from a public template of the admin."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cs import CloudStack
from smb_cloud import SmbCloud, wait_for_template
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
    vm: str
    root_volume: str


def new_tenant(smb_cloud: SmbCloud, template_name: str, first_name: str) -> Tenant:
    """Register `template_name` (public, the admin's) in the first zone, then a new account named after
    `first_name` in a new subdomain, and deploy and stop its VM from that template."""
    admin, zone = smb_cloud.client, smb_cloud.zones[0]
    template = admin.registerTemplate(name=template_name, displaytext="CentOS", format="VHDX", hypervisor="Hyperv",
                                      ostypeid=smb_cloud.os_type, ispublic=True, url=smb_cloud.images.template_url,
                                      zoneid=zone["id"], checksum=smb_cloud.images.md5)["template"][0]
    assert wait_for_template(admin, template["id"], zone["id"])["isready"] is True
    domain = admin.createDomain(name=f"tenants-{secrets.token_hex(3)}")["domain"]
    name = f"{first_name.lower()}-{secrets.token_hex(3)}"
    account = admin.createAccount(accounttype=0, username=name, password=secrets.token_urlsafe(12),
                                  domainid=domain["id"], email=f"{name}@example.org", firstname=first_name,
                                  lastname="Tester")["account"]
    user = account["user"][0]
    keys = admin.registerUserKeys(id=user["id"])["userkeys"]
    client = CloudStack(endpoint=smb_cloud.server.endpoint, key=keys["apikey"], secret=keys["secretkey"], timeout=60)
    vm = client.deployVirtualMachine(zoneid=zone["id"], templateid=template["id"], serviceofferingid=smb_cloud.offering,
                                     fetch_result=True)["virtualmachine"]
    client.stopVirtualMachine(id=vm["id"], fetch_result=True)
    root = client.listVolumes(virtualmachineid=vm["id"], type="ROOT", fetch_list=True)[0]
    return Tenant(client, name, domain["id"], vm["id"], root["id"])


def set_limit(smb_cloud: SmbCloud, tenant: Tenant, gib: int) -> None:
    """The tenant's secondary_storage limit, in GiB."""
    smb_cloud.client.updateResourceLimit(resourcetype=11, max=gib, account=tenant.account, domainid=tenant.domain_id)


def server_database(smb_cloud: SmbCloud) -> Database:
    """The server's database, for reading counts behind the API (dispose it after use)."""
    return Database(smb_cloud.server.db_url or f"sqlite:///{smb_cloud.server.data_dir / 'cirrostack.db'}")


def counted(smb_cloud: SmbCloud, tenant: Tenant, set_to: int | None = None) -> int:
    """The tenant's secondary_storage count (first overwritten with `set_to`, when given)."""
    database = server_database(smb_cloud)
    try:
        with database.session() as session:
            owner = limits.account_owner(session.scalars(select(Account).where(Account.name == tenant.account)).one())
            if set_to is not None:
                limits.set_count(session, owner, ResourceType.SECONDARY_STORAGE, set_to)
            return limits.count_of(session, owner, ResourceType.SECONDARY_STORAGE)
    finally:
        database.dispose()

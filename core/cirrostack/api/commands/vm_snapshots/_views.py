"""How a VM snapshot looks on the API (CloudStack 4.3's VMSnapshotResponse)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, Domain, VirtualMachine, Zone
from cirrostack.db.models.vm_snapshots import VMSnapshot
from cirrostack.db.timestamps import to_api
from cirrostack.services.vm_snapshots import service

VMSNAPSHOT_RESPONSE = Response("vmsnapshot", (
    Field("id", "string", "the ID of the vm snapshot"),
    Field("name", "string", "the name of the vm snapshot (<instancename>_VS_<yyyyMMddHHmmss>)"),
    Field("displayname", "string", "the display name of the vm snapshot"),
    Field("description", "string", "the description of the vm snapshot"),
    Field("state", "string", "the state of the vm snapshot: Allocated, Creating, Ready, Reverting, Expunging, "
                             "Removed or Error"),
    Field("type", "string", "VM Snapshot type: Disk or DiskAndMemory"),
    Field("current", "boolean", "indiates if this is current snapshot"),
    Field("parentName", "string", "the parent displayName of the vm snapshot"),
    Field("parent", "string", "the parent ID of the vm snapshot (declared, not filled in, as in CloudStack 4.3)"),
    Field("created", "date", "the create date of the vm snapshot"),
    Field("virtualmachineid", "string", "the vm ID of the vm snapshot"),
    Field("zoneid", "string", "the Zone ID of the vm snapshot"),
    Field("account", "string", "the account associated with the disk volume"),
    Field("domainid", "string", "the ID of the domain associated with the disk volume"),
    Field("domain", "string", "the domain associated with the disk volume"),
    Field("projectid", "string", "the project id of the vpn"),
    Field("project", "string", "the project name of the vpn"),
), instance_type="VMSnapshot")


def vm_snapshot_view(session: Session, snapshot: VMSnapshot) -> dict[str, Any]:
    """The API object for `snapshot`."""
    vm = session.get(VirtualMachine, snapshot.vm_id)
    account = session.get(Account, snapshot.account_id)
    domain = session.get(Domain, snapshot.domain_id)
    zone = session.get(Zone, snapshot.zone_id)
    view: dict[str, Any] = {
        "id": snapshot.uuid,
        "name": snapshot.name,
        "displayname": snapshot.display_name or snapshot.name,
        "description": snapshot.description,
        "state": snapshot.state,
        "type": snapshot.snapshot_type,
        "current": snapshot.current,
        "parentName": service.parent_name(session, snapshot),
        "created": to_api(snapshot.created),
        "virtualmachineid": vm.uuid,
        "zoneid": zone.uuid,
        "account": account.name,
        "domainid": domain.uuid,
        "domain": domain.name,
    }
    return {key: value for key, value in view.items() if value is not None}


#: listVMSnapshot's list key is spelled `vmSnapshot` in 4.3, unlike the job result's `vmsnapshot`.
VMSNAPSHOT_LIST_RESPONSE = Response("vmSnapshot", VMSNAPSHOT_RESPONSE.fields, instance_type="VMSnapshot")

"""How volumes look on the API (CloudStack 4.3's volume response), serialised a page at a time:
the related rows of a page (owners, VMs, pools, offerings, zones) are read once for the page."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models.accounts import Account, Domain
from cirrostack.db.models.compute import VirtualMachine, Volume, VolumeState
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.offerings import DiskOffering, ServiceOffering
from cirrostack.db.models.storage import StoragePool
from cirrostack.db.models.volume_uploads import VolumeUpload
from cirrostack.db.timestamps import to_api
from cirrostack.services.context import Caller

VOLUME_RESPONSE = Response("volume", (
    Field("id", "string", "ID of the disk volume"),
    Field("name", "string", "name of the disk volume"),
    Field("zoneid", "string", "ID of the availability zone"),
    Field("zonename", "string", "name of the availability zone"),
    Field("type", "string", "type of the disk volume (ROOT or DATADISK)"),
    Field("deviceid", "long", "the ID of the device on user vm the volume is attahed to. This tag is not returned "
                              "when the volume is detached."),
    Field("virtualmachineid", "string", "id of the virtual machine"),
    Field("vmname", "string", "name of the virtual machine"),
    Field("vmdisplayname", "string", "display name of the virtual machine"),
    Field("vmstate", "string", "state of the virtual machine"),
    Field("size", "long", "size of the disk volume"),
    Field("created", "date", "the date the disk volume was created"),
    Field("state", "string", "the state of the disk volume"),
    Field("status", "string", "the status of the volume: for an uploaded volume, how its upload went (the reason "
                              "of an UploadError)"),
    Field("account", "string", "the account associated with the disk volume"),
    Field("domainid", "string", "the ID of the domain associated with the disk volume"),
    Field("domain", "string", "the domain associated with the disk volume"),
    Field("storagetype", "string", "shared or local storage"),
    Field("hypervisor", "string", "Hypervisor the volume belongs to"),
    Field("diskofferingid", "string", "ID of the disk offering"),
    Field("diskofferingname", "string", "name of the disk offering"),
    Field("diskofferingdisplaytext", "string", "the display text of the disk offering"),
    Field("serviceofferingid", "string", "ID of the service offering for root disk"),
    Field("serviceofferingname", "string", "name of the service offering for root disk"),
    Field("serviceofferingdisplaytext", "string", "the display text of the service offering for root disk"),
    Field("storage", "string", "name of the primary storage hosting the disk volume (root admins only)"),
    Field("storageid", "string", "id of the primary storage hosting the disk volume (root admins only)"),
    Field("attached", "date", "the date the volume was attached to a VM instance"),
    Field("destroyed", "boolean", "the boolean state of whether the volume is destroyed or not"),
    Field("isextractable", "boolean", "true if the volume is extractable, false otherwise"),
    Field("displayvolume", "boolean", "an optional field whether to the display the volume to the end user or not"),
), instance_type="Volume")


def _by_id(session: Session, model: type, ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}


def volume_views(session: Session, caller: Caller, volumes: list[Volume]) -> list[dict[str, Any]]:
    """The API objects of `volumes`, in order. Pools are named to root admins only."""
    accounts = _by_id(session, Account, (v.account_id for v in volumes))
    domains = _by_id(session, Domain, (v.domain_id for v in volumes))
    zones = _by_id(session, Zone, (v.zone_id for v in volumes))
    vms = _by_id(session, VirtualMachine, (v.vm_id for v in volumes))
    pools = _by_id(session, StoragePool, (v.pool_id for v in volumes))
    disk_offerings = _by_id(session, DiskOffering, (v.disk_offering_id for v in volumes))
    service_offerings = _by_id(session, ServiceOffering, (vm.service_offering_id for vm in vms.values()))
    uploads = _upload_statuses(session, volumes)
    return [{**_view(volume, caller, accounts, domains, zones, vms, pools, disk_offerings, service_offerings),
             **({"status": uploads[volume.id]} if volume.id in uploads else {})}
            for volume in volumes]


def _upload_statuses(session: Session, volumes: list[Volume]) -> dict[int, str]:
    """The upload status of the uploaded volumes among `volumes` (uploadVolume), by volume id."""
    ids = [volume.id for volume in volumes]
    if not ids:
        return {}
    rows = session.execute(select(VolumeUpload.volume_id, VolumeUpload.status).where(VolumeUpload.volume_id.in_(ids)))
    return {row.volume_id: row.status for row in rows}


def volume_view(session: Session, caller: Caller, volume: Volume) -> dict[str, Any]:
    """The API object of one volume."""
    return volume_views(session, caller, [volume])[0]


def _view(volume: Volume, caller: Caller, accounts: dict, domains: dict, zones: dict, vms: dict, pools: dict,
          disk_offerings: dict, service_offerings: dict) -> dict[str, Any]:
    vm = vms.get(volume.vm_id) if volume.vm_id else None
    pool = pools.get(volume.pool_id) if volume.pool_id else None
    zone = zones.get(volume.zone_id)
    disk_offering = disk_offerings.get(volume.disk_offering_id) if volume.disk_offering_id else None
    service_offering = service_offerings.get(vm.service_offering_id) if vm and volume.volume_type == "ROOT" else None
    storage_type = (disk_offering.storage_type if disk_offering else
                    service_offering.storage_type if service_offering else "shared")
    view: dict[str, Any] = {
        "id": volume.uuid, "name": volume.name, "zoneid": zone.uuid if zone else None,
        "zonename": zone.name if zone else None, "type": volume.volume_type,
        "deviceid": volume.device_id if vm else None, "virtualmachineid": vm.uuid if vm else None,
        "vmname": vm.name if vm else None, "vmdisplayname": (vm.display_name or vm.name) if vm else None,
        "vmstate": vm.state if vm else None, "size": volume.size_bytes, "created": to_api(volume.created),
        "state": volume.state, "account": accounts[volume.account_id].name if volume.account_id in accounts else None,
        "domainid": domains[volume.domain_id].uuid if volume.domain_id in domains else None,
        "domain": domains[volume.domain_id].name if volume.domain_id in domains else None,
        "storagetype": storage_type, "hypervisor": (vm.hypervisor_type if vm else None) or
        (pool.hypervisor_type if pool else None) or "None",
        "diskofferingid": disk_offering.uuid if disk_offering else None,
        "diskofferingname": disk_offering.name if disk_offering else None,
        "diskofferingdisplaytext": disk_offering.display_text if disk_offering else None,
        "serviceofferingid": service_offering.uuid if service_offering else None,
        "serviceofferingname": service_offering.name if service_offering else None,
        "serviceofferingdisplaytext": service_offering.display_text if service_offering else None,
        "attached": to_api(volume.attached) if volume.attached and vm else None,
        "destroyed": volume.state == VolumeState.DESTROY.value, "isextractable": True, "displayvolume": True,
    }
    if caller.is_root_admin and pool is not None:
        view["storage"], view["storageid"] = pool.name, pool.uuid
    return {key: value for key, value in view.items() if value is not None}

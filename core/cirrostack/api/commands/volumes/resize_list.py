"""resizeVolume (async) and listVolumes."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.volumes._views import VOLUME_RESPONSE, volume_view, volume_views
from cirrostack.api.commands.volumes.create_delete import RELATED
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Long, String, Uuid
from cirrostack.db.models.accounts import Domain
from cirrostack.db.models.compute import VirtualMachine, Volume
from cirrostack.db.models.infrastructure import Host, Pod, Zone
from cirrostack.db.models.offerings import DiskOffering
from cirrostack.db.models.storage import StoragePool
from cirrostack.services import volumes
from cirrostack.services.context import ANY_ROLE, ROOT_ADMIN
from cirrostack.services.scope import list_scope

_PACKAGE = "org.apache.cloudstack.api.command.user.volume."

RESIZE_VOLUME = Command(
    "resizeVolume", "Resizes a volume", response=VOLUME_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "ResizeVolumeCmd", related=RELATED,
    params=(Param("id", Uuid("Volume"), "the ID of the disk volume", required=True),
            Param("diskofferingid", Uuid("DiskOffering"), "new disk offering id"),
            Param("size", Long(minimum=1), "New volume size in GiB (for a custom disk offering)"),
            Param("shrinkok", Boolean(), "Verify OK to Shrink")))

LIST_VOLUMES = Command(
    "listVolumes", "Lists all volumes.", kind=CommandKind.LIST, response=VOLUME_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "ListVolumesCmd", related=RELATED,
    params=(Param("id", Uuid("Volume", load=False), "the ID of the disk volume"),
            Param("name", String(), "the name of the disk volume"),
            Param("type", String(), "the type of disk volume (ROOT or DATADISK)"),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine"),
            Param("zoneid", Uuid("Zone"), "the ID of the availability zone"),
            Param("podid", Uuid("Pod"), "the pod id the disk volume belongs to", roles=ROOT_ADMIN),
            Param("hostid", Uuid("Host"), "list volumes on specified host", roles=ROOT_ADMIN),
            Param("storageid", Uuid("StoragePool"), "the ID of the storage pool, available to ROOT admin only",
                  roles=ROOT_ADMIN),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@RESIZE_VOLUME.handler
def resize_volume(call: Call, id: Volume, diskofferingid: DiskOffering | None = None, size: int | None = None,
                  shrinkok: bool = False) -> dict[str, Any]:
    volume = volumes.resize_volume(call.session, call.caller, id, offering=diskofferingid, size_gib=size,
                                   shrink_ok=shrinkok)
    return volume_view(call.session, call.caller, volume)


@LIST_VOLUMES.handler
def list_volumes(call: Call, id: str | None = None, name: str | None = None, type: str | None = None,
                 virtualmachineid: VirtualMachine | None = None, zoneid: Zone | None = None, podid: Pod | None = None,
                 hostid: Host | None = None, storageid: StoragePool | None = None, keyword: str | None = None,
                 account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                 listall: bool = False, **_paging: Any) -> ListResult:
    owners = list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                        listall=listall, by_id=id is not None or virtualmachineid is not None)
    rows, count = volumes.list_volumes(
        call.session, call.caller, owners, uuid=id, name=name, vm=virtualmachineid, volume_type=type,
        zone_id=zoneid.id if zoneid else None, pod_id=podid.id if podid else None,
        host_id=hostid.id if hostid else None, pool_id=storageid.id if storageid else None, keyword=keyword,
        page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult(volume_views(call.session, call.caller, rows), count)

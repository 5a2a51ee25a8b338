"""createVolume (async create) and deleteVolume."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.volumes._views import VOLUME_RESPONSE, volume_view
from cirrostack.api.declaration import Call, Command, CommandKind, Param
from cirrostack.api.params import Long, String, Uuid
from cirrostack.db.models.accounts import Account, Domain
from cirrostack.db.models.compute import Volume
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.offerings import DiskOffering
from cirrostack.db.models.snapshots import Snapshot
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services import scope, volumes
from cirrostack.services.context import ANY_ROLE, AccountType
from cirrostack.services.snapshots import volumes_from_snapshots
from cirrostack.services.vms.lifecycle import Drivers

_PACKAGE = "org.apache.cloudstack.api.command.user.volume."
RELATED = ("createVolume", "attachVolume", "detachVolume", "resizeVolume", "listVolumes")

CREATE_VOLUME = Command(
    "createVolume", "Creates a disk volume from a disk offering. This disk volume must still be attached to a virtual "
                    "machine to make use of it.",
    response=VOLUME_RESPONSE, is_async=True, creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "CreateVolumeCmd",
    related=RELATED[1:],
    params=(Param("name", String(), "the name of the disk volume", required=True),
            Param("zoneid", Uuid("Zone"), "the ID of the availability zone; required unless snapshotid is given"),
            Param("diskofferingid", Uuid("DiskOffering"), "the ID of the disk offering; required unless snapshotid "
                                                           "is given"),
            Param("snapshotid", Uuid("Snapshot"), "the snapshot ID for the disk volume. Either diskOfferingId or "
                                                  "snapshotId must be passed in."),
            Param("size", Long(minimum=1), "Arbitrary volume size in GiB; required for a custom disk offering"),
            Param("account", String(), "the account associated with the disk volume. Must be used with the domainId "
                                       "parameter."),
            Param("domainid", Uuid("Domain"), "the domain ID associated with the disk offering. If used with the "
                                              "account parameter returns the disk volume associated with the account "
                                              "for the specified domain.")))

DELETE_VOLUME = Command(
    "deleteVolume", "Deletes a detached disk volume.", kind=CommandKind.SUCCESS, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteVolumeCmd",
    params=(Param("id", Uuid("Volume"), "The ID of the disk volume", required=True),))


def _owner(call: Call, account: str | None, domainid: Domain | None) -> Account | None:
    if account is None:
        if domainid is not None:
            raise InvalidParameter("domainid", "give account together with domainid")
        return None
    if call.caller.account_type is AccountType.USER:
        raise PermissionDenied("account: only administrators can create volumes for another account")
    return scope.find_account(call.session, call.caller, account, domainid)


@CREATE_VOLUME.prepare
def prepare_volume(call: Call, name: str, zoneid: Zone | None = None, diskofferingid: DiskOffering | None = None,
                   size: int | None = None, account: str | None = None, domainid: Domain | None = None,
                   snapshotid: Snapshot | None = None) -> str:
    if snapshotid is not None:
        volume = volumes_from_snapshots.allocate_volume(call.session, call.caller, Drivers(call.registry, call.secrets),
                                                        snapshotid, name=name, owner=_owner(call, account, domainid))
        return volume.uuid
    if zoneid is None or diskofferingid is None:
        raise InvalidParameter("diskofferingid" if zoneid is not None else "zoneid",
                               "give zoneid and diskofferingid, or snapshotid to make the volume from a snapshot")
    volume = volumes.create_volume(call.session, call.caller, name=name, zone=zoneid, offering=diskofferingid,
                                   size_gib=size, owner=_owner(call, account, domainid))
    return volume.uuid


@CREATE_VOLUME.handler
def create_volume(call: Call, id: str, snapshotid: Snapshot | None = None, **_arguments: Any) -> dict[str, Any]:
    volume = call.session.scalars(select(Volume).where(Volume.uuid == id)).one()
    if snapshotid is not None:
        volumes_from_snapshots.make_volume(call.session, call.caller, Drivers(call.registry, call.secrets), volume,
                                           snapshotid)
    return volume_view(call.session, call.caller, volume)


@DELETE_VOLUME.handler
def delete_volume(call: Call, id: Volume) -> None:
    volumes.delete_volume(call.session, call.caller, id, Drivers(call.registry, call.secrets))

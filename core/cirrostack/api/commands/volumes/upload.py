"""uploadVolume (async create): a data volume fetched from a URL onto the zone's image store
(see services/volumes/upload.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.volumes._views import VOLUME_RESPONSE, volume_view
from cirrostack.api.commands.volumes.create_delete import RELATED, _owner
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import String, Uuid
from cirrostack.db.models.accounts import Domain
from cirrostack.db.models.compute import Volume
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.offerings import DiskOffering
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.volumes import upload

UPLOAD_VOLUME = Command(
    "uploadVolume", "Uploads a data disk.", response=VOLUME_RESPONSE, is_async=True, creates=True, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.volume.UploadVolumeCmd", related=RELATED,
    params=(Param("format", String(), "the format for the volume. Possible values include QCOW2, OVA, VHD and VHDX.",
                  required=True),
            Param("name", String(), "the name of the volume", required=True),
            Param("url", String(), "the URL of where the volume is hosted. Possible URL include http:// and "
                                   "https://", required=True),
            Param("zoneid", Uuid("Zone"), "the ID of the zone the volume is to be hosted on", required=True),
            Param("checksum", String(), "the MD5 checksum value of this volume ({ALG}hex for another algorithm)"),
            Param("account", String(), "an optional accountName. Must be used with domainId."),
            Param("domainid", Uuid("Domain"), "an optional domainId. If the account parameter is used, domainId must "
                                              "also be used."),
            Param("imagestoreuuid", String(), "Image store uuid; the zone's image store that holds copies when "
                                              "left out"),
            Param("diskofferingid", Uuid("DiskOffering"), "the ID of the disk offering. This must be a custom sized "
                                                          "offering since during uploadVolume volume size is "
                                                          "unknown.")))


@UPLOAD_VOLUME.prepare
def prepare_upload(call: Call, format: str, name: str, url: str, zoneid: Zone, checksum: str | None = None,
                   account: str | None = None, domainid: Domain | None = None, imagestoreuuid: str | None = None,
                   diskofferingid: DiskOffering | None = None) -> str:
    volume = upload.prepare_upload(call.session, call.caller, name=name, zone=zoneid, url=url, image_format=format,
                                   checksum=checksum, offering=diskofferingid,
                                   owner=_owner(call, account, domainid), image_store_uuid=imagestoreuuid)
    return volume.uuid


@UPLOAD_VOLUME.handler
def upload_volume(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    volume = call.session.scalars(select(Volume).where(Volume.uuid == id)).one()
    upload.run_upload(call.session, call.caller, volume)
    return volume_view(call.session, call.caller, volume)

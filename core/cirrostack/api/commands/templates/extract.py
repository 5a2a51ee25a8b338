"""extractTemplate, extractIso and extractVolume (async): a download URL for the image on the zone's image
store (a volume is first copied there by its host)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import Call, Command, Field, Param, Response
from cirrostack.api.params import String, Uuid
from cirrostack.db.models import Template, Zone
from cirrostack.db.models.compute import Volume
from cirrostack.db.timestamps import to_api
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.templates import extract

_FIELDS = (
    Field("id", "string", "the id of extracted object"),
    Field("name", "string", "the name of the extracted object"),
    Field("extractId", "string", "the upload id of extracted object"),
    Field("accountid", "string", "the account id to which the extracted object belongs"),
    Field("created", "date", "the time and date the object was created"),
    Field("extractMode", "string", "the mode of extraction - upload or download"),
    Field("state", "string", "the state of the extracted object"),
    Field("status", "string", "the status of the extraction"),
    Field("storagetype", "string", "type of the storage"),
    Field("uploadpercentage", "integer", "the percentage of the entity uploaded to the specified location"),
    Field("url", "string", "if mode = upload then url of the uploaded entity. if mode = download the url from "
                           "which the entity can be downloaded"),
    Field("zoneid", "string", "zone ID the object was extracted from"),
    Field("zonename", "string", "zone name the object was extracted from"),
)


def _params(kind: str, entity: str) -> tuple[Param, ...]:
    return (Param("id", Uuid(entity), f"the ID of the {kind}", required=True),
            Param("mode", String(), "the mode of extraction - HTTP_DOWNLOAD or FTP_UPLOAD (only HTTP_DOWNLOAD is "
                                    "offered)", required=True),
            Param("url", String(length=2048), f"the url to which the {kind} would be extracted (FTP_UPLOAD)",
                  length=2048),
            Param("zoneid", Uuid("Zone"), f"the ID of the zone where the {kind} is originally located"))


EXTRACT_TEMPLATE = Command(
    "extractTemplate", "Extracts a template: answers a URL, valid for extract.url.expiration.interval seconds, "
                       "from which the template's image on the zone's image store can be downloaded.",
    response=Response("template", _FIELDS, instance_type="Template"), is_async=True, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.template.ExtractTemplateCmd",
    params=_params("template", "Template"))

EXTRACT_ISO = Command(
    "extractIso", "Extracts an ISO: answers a URL, valid for extract.url.expiration.interval seconds, from which "
                  "the ISO on the zone's image store can be downloaded.",
    response=Response("iso", _FIELDS, instance_type="Iso"), is_async=True, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.iso.ExtractIsoCmd", params=_params("ISO", "Iso"))


EXTRACT_VOLUME = Command(
    "extractVolume", "Extracts volume: the hypervisor host copies the volume (detached, or of a stopped VM) to the "
                     "zone's image store, and the answer is a URL, valid for extract.url.expiration.interval "
                     "seconds, from which it can be downloaded.",
    response=Response("volume", _FIELDS, instance_type="Volume"), is_async=True, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.volume.ExtractVolumeCmd",
    params=(Param("id", Uuid("Volume"), "the ID of the volume", required=True),
            Param("mode", String(), "the mode of extraction - HTTP_DOWNLOAD or FTP_UPLOAD (only HTTP_DOWNLOAD is "
                                    "offered)", required=True),
            Param("zoneid", Uuid("Zone"), "the ID of the zone where the volume is located", required=True),
            Param("url", String(length=2048), "the url to which the volume would be extracted (FTP_UPLOAD)",
                  length=2048)))


def _view(extraction: extract.Extraction) -> dict[str, Any]:
    return {"id": extraction.uuid, "name": extraction.name, "extractId": extraction.uuid,
            "accountid": extraction.account_uuid, "created": to_api(extraction.created),
            "extractMode": extract.HTTP_DOWNLOAD, "state": "DOWNLOAD_URL_CREATED",
            "status": "Download URL created", "storagetype": "Image", "uploadpercentage": 0,
            "url": extraction.url, "zoneid": extraction.zone.uuid, "zonename": extraction.zone.name}


@EXTRACT_TEMPLATE.handler
def extract_template(call: Call, id: Template, mode: str, url: str | None = None,
                     zoneid: Zone | None = None) -> dict[str, Any]:
    return _view(extract.extract(call.session, call.caller, call.secrets, id, mode=mode, zone=zoneid))


@EXTRACT_ISO.handler
def extract_iso(call: Call, id: Template, mode: str, url: str | None = None,
                zoneid: Zone | None = None) -> dict[str, Any]:
    return _view(extract.extract(call.session, call.caller, call.secrets, id, mode=mode, zone=zoneid))


@EXTRACT_VOLUME.handler
def extract_volume(call: Call, id: Volume, mode: str, zoneid: Zone, url: str | None = None) -> dict[str, Any]:
    return _view(extract.extract_volume(call.session, call.caller, call.registry, call.secrets, id, mode=mode,
                                        zone=zoneid))

"""extractTemplate / extractIso / extractVolume with mode HTTP_DOWNLOAD: a download URL served by the
management server.

The URL is `<server>/client/extract/<token>`. The token is the template's uuid, the zone's uuid and
an expiry time, encrypted and authenticated with the server's secret key (Fernet), so it cannot be
made or changed without the key and says nothing readable. It stays valid for the setting
`extract.url.expiration.interval` seconds; until then anyone holding it may download (as with
CloudStack's secondary storage URLs). Each download reads the copy on the zone's image store at that
moment: a template deleted meanwhile is gone. Only a zone that keeps a copy on an image store that
holds data can extract (a direct-download template's image lives at its registered URL).
extractVolume first has a host write the volume to `volume/<uuid>/` on the zone's store (the driver's
`export_volume`); the token then names that store and path. An exported volume stays on the store until
the next extractVolume of that volume replaces it or the volume is deleted or expunged (which removes it,
see `secondary_storage.remove_volume_export`); it counts against the volume owner's `secondary_storage`
(the replaced export is given back; see secondary_storage.py).

FTP_UPLOAD, CloudStack's other mode, is refused naming `mode`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models import Account, Template, Zone
from cirrostack.db.models.compute import Volume
from cirrostack.db.models.storage import ImageStore
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter, PermissionDenied, ResourceLimitExceeded, ResourceUnavailable
from cirrostack.secrets import SecretKeyError
from cirrostack.services import settings
from cirrostack.services.context import Caller
from cirrostack.services.templates import secondary_storage, stores
from cirrostack.services.templates._access import check_may_change

EXTRACT_PATH = "/client/extract"
HTTP_DOWNLOAD = "HTTP_DOWNLOAD"
MODES = (HTTP_DOWNLOAD, "FTP_UPLOAD")


@dataclass(frozen=True)
class Extraction:
    """One extract request's answer: what (a template, ISO or volume), where it can be downloaded, until when."""

    uuid: str
    name: str
    account_uuid: str
    zone: Zone
    url: str
    created: datetime
    expires_at: float


@dataclass(frozen=True)
class ExtractSource:
    """What a valid token points at: the store copy to stream and a file name for the download."""

    copy: stores.StoreCopy
    path: str
    file_name: str


_public_base = ""


def use_public_base(base_url: str) -> None:
    """Where clients reach this management server (`http://host:port`), for the URLs extract answers."""
    global _public_base
    _public_base = base_url.rstrip("/")


def extract(session: Session, caller: Caller, secrets: Any, template: Template, *, mode: str,
            zone: Zone | None = None) -> Extraction:
    """A download URL for `template` (a template or ISO) from `zone` (None: the first zone holding a copy).

    Raises InvalidParameter for a mode other than HTTP_DOWNLOAD or a zone without a stored copy,
    PermissionDenied for a template that is not extractable (its owner and admins may still)."""
    kind = "ISO" if template.is_iso else "template"
    _check_mode(mode)
    if not template.is_extractable and not template.is_iso:
        try:
            check_may_change(session, caller, template, "extract")
        except PermissionDenied:
            raise PermissionDenied(f"{kind} {template.name} ({template.uuid}) is not extractable") from None
    ref = _stored_ref(template, zone, kind)
    expires_at = time.time() + int(settings.value(session, "extract.url.expiration.interval"))
    payload = json.dumps({"t": template.uuid, "z": ref.zone.uuid, "exp": int(expires_at)})
    token = secrets.encrypt(payload)
    return Extraction(template.uuid, template.name, template.account.uuid, ref.zone, download_url(token), utcnow(),
                      expires_at)


def extract_volume(session: Session, caller: Caller, registry: Any, secrets: Any, volume: Volume, *, mode: str,
                   zone: Zone | None = None) -> Extraction:
    """extractVolume: a host writes `volume` (detached, or of a Stopped VM) to `volume/<uuid>/` on its zone's
    image store, replacing an earlier export, and the answer is a download URL for that copy.

    Raises what `from_volume.export_to_store` raises, and InvalidParameter naming `mode` or `zoneid`."""
    from cirrostack.services.templates.from_volume import export_to_store

    _check_mode(mode)
    if zone is not None and zone.id != volume.zone_id:
        raise InvalidParameter("zoneid", f"volume {volume.name} ({volume.uuid}) is not in zone {zone.name}")
    exported = export_to_store(session, registry, secrets, volume, f"volume/{volume.uuid}", volume.uuid,
                               "Extracting a volume", measure_replaced=True)
    secondary_storage.give_back(session, volume.account_id, exported.replaced_bytes)
    try:
        secondary_storage.count_copy(session, volume.account_id, exported.target, exported.stored.path,
                                     exported.stored.size_bytes, f"the export of volume {volume.name} ({volume.uuid})")
    except ResourceLimitExceeded:
        session.commit()  # the export it replaced is gone either way, and so is its count
        raise
    lifetime = int(settings.value(session, "extract.url.expiration.interval"))
    file_name = f"{volume.name}.{exported.stored.path.rpartition('.')[2]}"
    token, expires_at = file_token(secrets, exported.target.ref.uuid, exported.stored.path, file_name, lifetime)
    account = session.get(Account, volume.account_id)
    return Extraction(volume.uuid, volume.name, account.uuid if account else "", exported.zone,
                      download_url(token), utcnow(), expires_at)


def _check_mode(mode: str) -> None:
    if mode.strip().upper() not in MODES:
        raise InvalidParameter("mode", f"{mode!r} is not an extract mode; use HTTP_DOWNLOAD")
    if mode.strip().upper() != HTTP_DOWNLOAD:
        raise InvalidParameter("mode", f"{mode} is not offered: this cloud extracts with HTTP_DOWNLOAD only")


def _stored_ref(template: Template, zone: Zone | None, kind: str) -> Any:
    refs = [ref for ref in template.zone_refs if zone is None or ref.zone_id == zone.id]
    if zone is not None and not refs:
        raise InvalidParameter("zoneid", f"{kind} {template.name} is not in zone {zone.name}")
    stored = [ref for ref in refs if ref.is_ready and ref.store_id is not None and ref.install_path]
    if stored:
        return stored[0]
    where = f"zone {zone.name}" if zone is not None else "any zone"
    raise InvalidParameter("zoneid" if zone is not None else "id",
                           f"{kind} {template.name} has no copy on an image store in {where}: extracting needs a "
                           "zone whose image store holds data (e.g. SMB); with NFS stores hosts download the "
                           "registered URL directly")


def file_token(secrets: Any, store_uuid: str, path: str, file_name: str, lifetime_seconds: int) -> tuple[str, float]:
    """A download token for the file `path` on the store `store_uuid` (extractVolume), and its expiry."""
    expires_at = time.time() + lifetime_seconds
    payload = json.dumps({"s": store_uuid, "p": path, "n": file_name, "exp": int(expires_at)})
    return secrets.encrypt(payload), expires_at


def download_url(token: str) -> str:
    return f"{_public_base}{EXTRACT_PATH}/{token}"


def redeem(session: Session, secrets: Any, token: str) -> ExtractSource:
    """The store copy a download token names. Raises InvalidParameter("token", ...) for a token this
    server did not make or that expired, ResourceUnavailable when the copy is gone."""
    try:
        payload = json.loads(secrets.decrypt(token))
    except (SecretKeyError, ValueError, UnicodeError):
        raise InvalidParameter("token", "this download link is not valid") from None
    if time.time() > float(payload.get("exp", 0)):
        raise InvalidParameter("token", "this download link has expired; extract it again")
    if "s" in payload:
        store = session.query(ImageStore).filter_by(uuid=payload["s"], removed=None).one_or_none()
        copy = stores.store_copy(store) if store is not None else None
        if copy is None:
            raise ResourceUnavailable(f"the image store behind this download link ({payload['s']}) is gone")
        return ExtractSource(copy, str(payload["p"]), str(payload["n"]))
    template = session.query(Template).filter_by(uuid=payload.get("t")).one_or_none()
    zone = session.query(Zone).filter_by(uuid=payload.get("z")).one_or_none()
    ref = next((ref for ref in template.zone_refs if zone is not None and ref.zone_id == zone.id), None) \
        if template is not None and template.removed is None else None
    found = stores.ref_copy(session, ref) if ref is not None else None
    if found is None:
        raise ResourceUnavailable(f"the image behind this download link ({payload.get('t')}) is no longer on an "
                                  "image store")
    copy, path = found
    return ExtractSource(copy, path, f"{template.name}.{path.rpartition('.')[2]}")

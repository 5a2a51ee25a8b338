"""The owner's `secondary_storage` count (resource type 11) for the copies of its images on image stores:
registered templates and ISOs, templates made from a volume (createTemplate volumeid=...), volume exports
(extractVolume) and uploaded volumes (uploadVolume). Counted in bytes, at their physical size.

- A USER template or ISO counts each zone's copy (its zone ref) at its physical size once that copy is
  ready: a registered image when its download job completes (also a direct download, whose zone keeps no
  copy on a store: the owner is charged per zone whatever the zone's store can hold, as CloudStack does),
  a template made from a volume when it is created, and a copyTemplate copy when its download completes.
  deleteTemplate gives back the copies it removes (one zone's, or every zone's). BUILTIN and SYSTEM
  images are the cloud's and count for nobody.
- registerTemplate / registerIso are refused early (532) while the owner or a domain above it already
  holds its limit (the size is not known before the download); copyTemplate is refused when the copy's
  known size would pass it.
- A volume export counts its size; the next extractVolume of the volume replaces the file and gives
  back what the old one held; deleting or expunging the volume removes the export and gives it back.
- An uploaded volume counts its copy's size when the upload completes and gives it back when
  deleteVolume removes the copy.

A copy that would pass a limit is removed again and the request (or download job) fails with 532 naming
secondary_storage. `held_bytes` recounts what an account holds, from the database for templates and ISOs
and from the stores for exports and uploads (it asks each store for the sizes); `held_bytes_for` does so
for the accounts of a recount (updateResourceCount).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, Template, TemplateZoneRef
from cirrostack.db.models.compute import Volume
from cirrostack.db.models.storage import ImageStore
from cirrostack.db.models.templates import TemplateType
from cirrostack.db.models.volume_uploads import VolumeUpload
from cirrostack.errors import CirroError, ResourceLimitExceeded, ResourceUnavailable
from cirrostack.services import limits
from cirrostack.services.limits import ResourceType
from cirrostack.services.templates import stores

#: The extensions an export of a volume can have (see from_volume.export_to_store).
EXPORT_EXTENSIONS = ("vhd", "vhdx", "qcow2", "img", "ova")
log = logging.getLogger(__name__)


def count_copy(session: Session, account_id: int, copy: stores.StoreCopy, path: str, size_bytes: int,
               subject: str) -> None:
    """Count `size_bytes` (the copy of `subject` at `path` on `copy`'s store) for the account and its domains.

    When that would pass a limit the copy is removed from the store and ResourceLimitExceeded (532,
    naming secondary_storage) is raised; nothing stays counted then."""
    try:
        limits.consume(session, account_id, ResourceType.SECONDARY_STORAGE, size_bytes)
    except ResourceLimitExceeded as exc:
        remove_quietly(copy, path, subject)
        raise ResourceLimitExceeded(f"{subject}: its copy of {size_bytes} bytes on image store {copy.ref.name} "
                                    f"was removed again: {exc.message}") from exc


def give_back(session: Session, account_id: int, size_bytes: int) -> None:
    """Give back `size_bytes` of secondary storage (a copy was removed from a store)."""
    limits.release(session, account_id, ResourceType.SECONDARY_STORAGE, size_bytes)


def size_on_store(copy: stores.StoreCopy, path: str) -> int:
    """The size of the file at `path`, or 0 when the store holds none there. Raises ResourceUnavailable
    when the store does not answer (the caller then cannot tell what it would replace)."""
    try:
        return copy.size(path)
    except ResourceUnavailable:
        copy.provider.capacity(copy.ref)  # "no such file" or "no answer"? capacity raises for the latter
        return 0


def remove_quietly(copy: stores.StoreCopy, path: str, subject: str) -> bool:
    """Delete the file at `path`; a store that does not answer keeps it (logged). True when it is gone."""
    try:
        copy.provider.delete_template(copy.ref, path)
    except CirroError as exc:
        log.warning("the copy %s of %s on image store %s was not removed: %s", path, subject, copy.ref.name, exc)
        return False
    return True


# -- templates and ISOs -------------------------------------------------------------------------------------

def is_counted_template(template: Template) -> bool:
    """USER templates and ISOs count for their owner; BUILTIN and SYSTEM images do not."""
    return template.template_type == TemplateType.USER.value


def ref_bytes(ref: TemplateZoneRef) -> int:
    """What one zone's copy counts: its physical size once it is ready, else nothing."""
    return int(ref.physical_size_bytes or 0) if ref.is_ready else 0


def counted_template_bytes(refs: list[TemplateZoneRef]) -> int:
    """What the zone copies `refs` of a counted template hold together."""
    return sum(ref_bytes(ref) for ref in refs)


def release_deleted_template(session: Session, template: Template, removed: list[TemplateZoneRef]) -> None:
    """deleteTemplate took the zone copies `removed` away from `template`: give back what they counted."""
    if is_counted_template(template):
        give_back(session, template.account_id, counted_template_bytes(removed))


def check_room(session: Session, account_id: int, subject: str, size_bytes: int | None = None) -> None:
    """Refuse (532, naming secondary_storage) a new copy of `size_bytes` for `account_id` that would pass the
    limit of the account or of a domain above it; with the size not known yet (a registration), refuse
    only when one of them already holds its limit. Nothing is counted here."""
    for owner in limits.owners_of(session, account_id):
        limit = limits.limit_of(session, owner, ResourceType.SECONDARY_STORAGE)
        if limit == limits.UNLIMITED:
            continue
        held = limits.count_of(session, owner, ResourceType.SECONDARY_STORAGE)
        if held + (size_bytes or 0) > limit * limits.GIB or (size_bytes is None and held >= limit * limits.GIB):
            asked = "a copy of a size not known yet" if size_bytes is None else f"{size_bytes} bytes more"
            raise ResourceLimitExceeded(
                f"{subject}: maximum number of resources of type 'secondary_storage' for {owner.describe()} has "
                f"been exceeded: the limit is {limit} GiB, {held} bytes are in use and {asked} were asked for")


# -- volume exports ------------------------------------------------------------------------------------------

def export_path(volume: Volume, extension: str) -> str:
    """Where extractVolume writes `volume` on its zone's store, for an export with `extension`."""
    return f"volume/{volume.uuid}/{volume.uuid}.{extension}"


def remove_volume_export(session: Session, volume: Volume) -> None:
    """`volume` is being deleted or expunged: remove its extractVolume export from the zone's store (if any)
    and give its size back. A store that does not answer keeps the file (logged); the volume goes anyway."""
    copy = stores.zone_copy(session, volume.zone_id)
    if copy is None:
        return
    subject = f"the export of volume {volume.name} ({volume.uuid})"
    for extension in EXPORT_EXTENSIONS:
        path = export_path(volume, extension)
        try:
            size = size_on_store(copy, path)
        except ResourceUnavailable as exc:
            log.warning("%s was left on image store %s, which does not answer: %s", subject, copy.ref.name, exc)
            return
        if not size:
            continue  # no export with this extension
        if remove_quietly(copy, path, subject):
            give_back(session, volume.account_id, size)
        return  # an export of a volume always has the same extension


# -- recount -------------------------------------------------------------------------------------------------

def held_bytes(session: Session, account_id: int) -> int:
    """What `account_id` holds on image stores by the rules above, measured now: the ready zone copies of its
    live templates and ISOs (from the database), and the exports and uploaded copies of its live volumes
    (asking the stores; one that does not answer raises ResourceUnavailable naming it)."""
    total = 0
    for template in session.scalars(select(Template).where(Template.account_id == account_id,
                                                           Template.removed.is_(None),
                                                           Template.template_type == TemplateType.USER.value)):
        total += counted_template_bytes(list(template.zone_refs))
    volumes = session.scalars(select(Volume).where(Volume.account_id == account_id, Volume.removed.is_(None))).all()
    for volume in volumes:
        upload = session.get(VolumeUpload, volume.id)
        if upload is not None and upload.store_id is not None and upload.install_path:
            copy = _store_copy(session, upload.store_id)
            total += size_on_store(copy, upload.install_path) if copy is not None else 0
        export = stores.zone_copy(session, volume.zone_id)
        if export is not None:
            total += sum(size_on_store(export, export_path(volume, extension))
                         for extension in EXPORT_EXTENSIONS)
    return total


def held_bytes_for(session: Session, account_ids: object) -> int:
    """`held_bytes` summed over the accounts `account_ids` selects (a subquery of account ids, as
    limits' recount passes for an account or a domain's subtree)."""
    ids = session.scalars(select(Account.id).where(Account.id.in_(account_ids), Account.removed.is_(None))).all()
    return sum(held_bytes(session, account_id) for account_id in ids)


def _store_copy(session: Session, store_id: int) -> stores.StoreCopy | None:
    store = session.get(ImageStore, store_id)
    return stores.store_copy(store) if store is not None and store.removed is None else None

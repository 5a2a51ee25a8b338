"""The owner's `secondary_storage` count (resource type 11) for the copies a host or a download puts on
an image store for one account: templates made from a volume (createTemplate volumeid=...), volume
exports (extractVolume) and uploaded volumes (uploadVolume). Counted in bytes as they lie on the store.

- A template made from a volume counts the size of its copy once, when it is created, and gives it
  back when the template is deleted from its last zone (its copies in other zones are the same image).
- A volume export counts its size; the next extractVolume of the volume replaces the file and gives
  back what the old one held.
- An uploaded volume counts its copy's size when the upload completes and gives it back when
  deleteVolume removes the copy.

A copy that would pass a limit is removed again and the request fails with 532 naming
secondary_storage. `held_bytes` recounts what an account holds, from the database for templates and
from the stores for exports and uploads (it asks each store for the sizes); `held_bytes_for` does so for
the accounts of a recount (updateResourceCount).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, Template, TemplateZoneRef
from cirrostack.db.models.compute import Volume
from cirrostack.db.models.storage import ImageStore
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


# -- templates made from a volume -----------------------------------------------------------------------------

def is_counted_template(template: Template) -> bool:
    """Templates made from a volume have no URL; registered ones and ISOs are not counted here."""
    return template.url is None and not template.is_iso


def counted_template_bytes(refs: list[TemplateZoneRef]) -> int:
    """What a template made from a volume counts: the size of its earliest copy among `refs`."""
    stored = [ref for ref in refs if ref.physical_size_bytes]
    return int(min(stored, key=lambda ref: ref.id or 0).physical_size_bytes) if stored else 0


def release_deleted_template(session: Session, template: Template, removed: list[TemplateZoneRef]) -> None:
    """deleteTemplate took `removed` away from `template`: once no zone is left, give back what it counted."""
    if is_counted_template(template) and not template.zone_refs:
        give_back(session, template.account_id, counted_template_bytes(removed))


# -- recount -------------------------------------------------------------------------------------------------

def held_bytes(session: Session, account_id: int) -> int:
    """What `account_id` holds on image stores by the rules above, measured now: its live templates made
    from a volume (from the database), and the exports and uploaded copies of its live volumes (asking
    the stores; one that does not answer raises ResourceUnavailable naming it)."""
    total = 0
    for template in session.scalars(select(Template).where(Template.account_id == account_id,
                                                           Template.removed.is_(None), Template.url.is_(None))):
        if is_counted_template(template):
            total += counted_template_bytes(list(template.zone_refs))
    volumes = session.scalars(select(Volume).where(Volume.account_id == account_id, Volume.removed.is_(None))).all()
    for volume in volumes:
        upload = session.get(VolumeUpload, volume.id)
        if upload is not None and upload.store_id is not None and upload.install_path:
            copy = _store_copy(session, upload.store_id)
            total += size_on_store(copy, upload.install_path) if copy is not None else 0
        export = stores.zone_copy(session, volume.zone_id)
        if export is not None:
            total += sum(size_on_store(export, f"volume/{volume.uuid}/{volume.uuid}.{extension}")
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

"""Template and ISO copies on image stores that hold data (e.g. the Hyper-V plugin's SMB stores).

The core's own NFS provider cannot mount, so a zone with only NFS stores keeps no copy: its templates
are direct downloads (see `download`). A zone whose image store comes from a storage plugin gets a
real copy: the download job spools the registered URL to a temporary file while checking it, then
hands it to the provider's `copy_template_in`, and the zone ref records the store and the path.
copyTemplate into such a zone copies store to store (`copy_template_out` from a zone that holds a copy,
then `copy_template_in`) and needs no URL, so a template made from a volume can be copied too.
Hypervisor hosts find the copy through `TemplateSpec.secondary_store_url` (`secondary_store_url`).

The download jobs run without a request, so the server hands its plugin registry and secret box to
this module when it starts (`use_store_access`, called by `server_wiring.connect_services`).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.storage import ImageStore, StoreRole
from cirrostack.db.models.templates import Template, TemplateZoneRef
from cirrostack.errors import CirroError
from cirrostack.hookspecs.storage import (
    DataObjectInfo,
    StorageProvider,
    StorageRole,
    StorageScope,
    StoreRef,
    TemplateRef,
)
from cirrostack.services.image_stores import BUILTIN_PROVIDER, decrypted_details, register_image_store_user
from cirrostack.services.templates._fetch import DownloadFailed, FetchedImage, FetchLimits, Progress, fetch_image
from cirrostack.services.templates.image_checks import ImageMismatch, ImageProbe, format_checksum, parse_checksum

CHUNK_BYTES = 1024 * 1024
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _StoreAccess:
    registry: Any
    secrets: Any


_access: _StoreAccess | None = None


def use_store_access(registry: Any, secrets: Any) -> None:
    """Let download jobs reach plugin image stores with `registry` and decrypt their details with
    `secrets` (None, None: stop; templates are then direct downloads again)."""
    global _access
    _access = _StoreAccess(registry, secrets) if registry is not None else None


def current_registry() -> Any:
    """The registry handed to `use_store_access`, or None."""
    return _access.registry if _access else None


@dataclass(frozen=True)
class StoreCopy:
    """One image store that holds data, resolved in a session and usable after it closed."""

    store_id: int
    ref: StoreRef
    provider: StorageProvider

    def copy_in(self, template: TemplateRef, source: BinaryIO) -> DataObjectInfo:
        return self.provider.copy_template_in(self.ref, template, source)

    def copy_out(self, path: str, target: BinaryIO) -> int:
        return self.provider.copy_template_out(self.ref, path, target)

    def size(self, path: str) -> int:
        return self.provider.template_size(self.ref, path)

    def open(self, path: str) -> BinaryIO:
        """The copy at `path` opened for streaming; the caller closes it."""
        return self.provider.open_template(self.ref, path)


def holds_data(store: ImageStore) -> bool:
    """A store of a plugin provider holds copies; the core's NFS provider does not."""
    return store.provider != BUILTIN_PROVIDER


def zone_store(session: Session, zone_id: int) -> ImageStore | None:
    """The image store that holds data for `zone_id`: one of the zone's own, else a region-wide one."""
    rows = session.scalars(select(ImageStore).where(ImageStore.removed.is_(None),
                                                    ImageStore.role == StoreRole.IMAGE.value,
                                                    (ImageStore.zone_id == zone_id) | ImageStore.zone_id.is_(None))
                           .order_by(ImageStore.zone_id.is_(None), ImageStore.id))
    return next((store for store in rows if holds_data(store)), None)


def store_copy(store: ImageStore) -> StoreCopy | None:
    """`store` ready to copy to and from; None when the server has handed over no registry."""
    if _access is None:
        return None
    ref = StoreRef(uuid=store.uuid, name=store.name, url=store.url, role=StorageRole.IMAGE,
                   scope=StorageScope(store.scope), zone_uuid=store.zone.uuid if store.zone else "",
                   details=decrypted_details(store, _access.secrets))
    return StoreCopy(store.id, ref, _access.registry.storage_provider(store.provider))


def zone_copy(session: Session, zone_id: int) -> StoreCopy | None:
    """Where a download into `zone_id` is stored, or None (direct download)."""
    store = zone_store(session, zone_id)
    return store_copy(store) if store is not None else None


def copy_elsewhere(session: Session, template: Template, zone_id: int) -> tuple[StoreCopy, str] | None:
    """A ready copy of `template` on a store of another zone (store and path), to copy from; or None."""
    for ref in template.zone_refs:
        if ref.zone_id == zone_id or not ref.is_ready or ref.store_id is None or not ref.install_path:
            continue
        store = session.get(ImageStore, ref.store_id)
        if store is not None and store.removed is None:
            copy = store_copy(store)
            if copy is not None:
                return copy, ref.install_path
    return None


def ref_copy(session: Session, ref: TemplateZoneRef) -> tuple[StoreCopy, str] | None:
    """The store and path of `ref`'s own copy, or None when it has none (direct download)."""
    if ref.store_id is None or not ref.install_path:
        return None
    store = session.get(ImageStore, ref.store_id)
    copy = store_copy(store) if store is not None and store.removed is None else None
    return (copy, ref.install_path) if copy is not None else None


def delete_copies(session: Session, refs: list[TemplateZoneRef]) -> None:
    """Remove the store copies of `refs` (zone refs being deleted). A store that cannot be reached keeps
    its file; that is logged, and the template is deleted all the same (as CloudStack does)."""
    for ref in refs:
        found = ref_copy(session, ref)
        if found is None:
            continue
        copy, path = found
        try:
            copy.provider.delete_template(copy.ref, path)
        except CirroError as exc:
            log.warning("the copy %s of template %s on image store %s was not removed: %s", path,
                        ref.template_id, copy.ref.name, exc)


def _templates_on(session: Session, store: ImageStore) -> str | None:
    """Why `store` cannot be deleted yet: the template copies it holds."""
    count = session.scalar(select(func.count()).select_from(TemplateZoneRef)
                           .join(Template, Template.id == TemplateZoneRef.template_id)
                           .where(TemplateZoneRef.store_id == store.id, Template.removed.is_(None)))
    return f"it holds {count} template or ISO copies; delete them first" if count else None


register_image_store_user(_templates_on)


def secondary_store_url(session: Session, template: Template, zone_id: int) -> str:
    """`<store url>/<path>` of the template's ready copy in `zone_id`, or "" (hosts use its URL)."""
    ref = next((ref for ref in template.zone_refs if ref.zone_id == zone_id), None)
    if ref is None or not ref.is_ready or ref.store_id is None or not ref.install_path:
        return ""
    store = session.get(ImageStore, ref.store_id)
    if store is None or store.removed is not None:
        return ""
    return f"{store.url.rstrip('/')}/{ref.install_path}"


def fill_store(target: StoreCopy, template: TemplateRef, *, url: str, image_format: str, checksum: str | None,
               limits: FetchLimits, on_progress: Progress,
               source: tuple[StoreCopy, str] | None = None) -> tuple[FetchedImage, DataObjectInfo]:
    """Put the image on `target`: copied from `source` (a store and path) when given, else fetched from
    `url`. Either way it is spooled to a temporary file and checked (checksum, format) before the store
    sees it. Raises DownloadFailed naming the reason."""
    with tempfile.TemporaryFile(prefix="cirro-template-") as spool:
        if source is not None:
            image = _copy_from_store(source, spool, image_format, checksum, limits)
        else:
            if not url:
                raise DownloadFailed("the template has no URL and no other zone holds a copy on an image store")
            image = fetch_image(url, image_format, checksum, limits, on_progress, sink=spool)
        spool.seek(0)
        try:
            stored = target.copy_in(template, spool)
        except CirroError as exc:
            raise DownloadFailed(f"copying it onto image store {target.ref.name} failed: {exc}") from exc
    if stored.size_bytes != image.physical_size:
        raise DownloadFailed(f"image store {target.ref.name} stored {stored.size_bytes} bytes of "
                             f"{image.physical_size}")
    return image, stored


def _copy_from_store(source: tuple[StoreCopy, str], spool: BinaryIO, image_format: str, checksum: str | None,
                     limits: FetchLimits) -> FetchedImage:
    store, path = source
    try:
        size = store.copy_out(path, spool)
    except CirroError as exc:
        raise DownloadFailed(f"reading {path} from image store {store.ref.name} failed: {exc}") from exc
    if size > limits.max_bytes:
        raise DownloadFailed(f"{path} on image store {store.ref.name} is {size} bytes, more than the "
                             f"{limits.max_bytes} bytes allowed (setting max.template.iso.size)")
    return probe_spool(spool, image_format, checksum, f"{path} on image store {store.ref.name}")


def probe_spool(spool: BinaryIO, image_format: str, checksum: str | None, subject: str) -> FetchedImage:
    """Check the bytes in `spool` against `checksum` (None: not checked) and `image_format`."""
    algorithm, expected = parse_checksum(checksum) if checksum else ("sha256", None)
    digest, probe = hashlib.new(algorithm), ImageProbe()
    spool.seek(0)
    while chunk := spool.read(CHUNK_BYTES):
        digest.update(chunk)
        probe.feed(chunk)
    received = format_checksum(algorithm, digest.hexdigest())
    if expected is not None and digest.hexdigest() != expected:
        raise DownloadFailed(f"checksum mismatch: registered {checksum}, but {subject} has {received}")
    try:
        virtual_size = probe.virtual_size(image_format)
    except ImageMismatch as exc:
        raise DownloadFailed(f"{subject}: {exc}") from exc
    return FetchedImage(physical_size=probe.physical_size, virtual_size=virtual_size, checksum=received)

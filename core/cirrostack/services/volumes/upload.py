"""uploadVolume: a data volume whose image is fetched from a URL onto the zone's image store.

CloudStack 4.3 keeps an uploaded volume on secondary storage until it is first attached; this does the
same. `prepare_upload` checks the request and creates the volume in state "UploadOp" with its
`VolumeUpload` row; `run_upload` (the async job) spools the URL to a temporary file with the template
download's checks (size limit `max.template.iso.size`, checksum, image header, `template.download.timeout`
and `.retries`), writes it to the zone's image store that holds data (e.g. SMB) and marks the volume
"Uploaded" with its virtual size; the copy's size counts against the owner's `secondary_storage` and the
virtual size against `primary_storage` (over a limit: 532, and the copy is removed). A failure leaves
the volume in "UploadError" with the reason in the upload's status, and nothing on the store (the store
writes through a temporary name).

A zone whose image stores are all the core's NFS provider keeps no copies, so it cannot take uploads:
that is refused up front, naming `zoneid`.

attachVolume of an Uploaded volume calls `import_to_pool` first: the volume is placed on a pool the VM
reaches and a host copies the store copy onto it (`driver.import_volume`, capability
`template_from_volume`); the volume is then Ready and attached as any other. deleteVolume removes the
store copy (`delete_store_copy`, which also removes any extractVolume export of the volume) and gives its
size back to `secondary_storage`.

The copy lives at `template/tmpl/<volume uuid>/<volume uuid>.<format>` on the store: the store providers'
contract writes images by that layout (`copy_template_in`), keyed by the uuid.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.accounts import Account, AsyncJob
from cirrostack.db.models.compute import VirtualMachine, Volume, VolumeState, VolumeType
from cirrostack.db.models.infrastructure import AllocationState, Host, Zone
from cirrostack.db.models.offerings import DiskOffering
from cirrostack.db.models.storage import ImageStore
from cirrostack.db.models.volume_uploads import VolumeUpload
from cirrostack.errors import CirroError, InvalidParameter, InvalidState, ResourceUnavailable
from cirrostack.hookspecs.storage import TemplateRef
from cirrostack.jobs import register_cleanup
from cirrostack.services import events, limits, settings, storage_planner
from cirrostack.services.context import Caller
from cirrostack.services.image_stores import register_image_store_user
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.limits import ResourceType
from cirrostack.services.templates import secondary_storage, stores
from cirrostack.services.templates._fetch import DownloadFailed, FetchLimits
from cirrostack.services.volumes._metering import charge_new, record_created
from cirrostack.services.volumes.disk_files import host_reaching
from cirrostack.services.volumes.vm_volumes import disk_spec

JOB_COMMAND = "uploadVolume"
UPLOAD_OP = "UploadOp"
UPLOADED = "Uploaded"
UPLOAD_ERROR = "UploadError"
FORMATS = ("VHD", "VHDX", "QCOW2", "RAW", "OVA")
UPLOAD_COMPLETE = "Upload Complete (on image store {store})"
ERROR_PREFIX = "Upload Error: "
log = logging.getLogger(__name__)


def prepare_upload(session: Session, caller: Caller, *, name: str, zone: Zone, url: str, image_format: str,
                   checksum: str | None = None, offering: DiskOffering | None = None, owner: Account | None = None,
                   image_store_uuid: str | None = None) -> Volume:
    """Create the volume (state UploadOp, size 0 until the bytes arrived) and its upload row; counts one
    volume against the owner's limit. Raises InvalidParameter naming format, url, zoneid or
    imagestoreuuid, InvalidState for a disabled zone, ResourceLimitExceeded."""
    fmt = image_format.strip().upper()
    if fmt not in FORMATS:
        raise InvalidParameter("format", f"{image_format!r} is not a volume format; use one of {', '.join(FORMATS)}")
    if not url.lower().startswith(("http://", "https://")):
        raise InvalidParameter("url", f"{url!r} is not an http:// or https:// URL")
    if zone.allocation_state == AllocationState.DISABLED.value and not caller.is_root_admin:
        raise InvalidState(f"zoneid: zone {zone.name} is Disabled; volumes can be uploaded to Enabled zones only")
    store = stores.zone_store(session, zone.id)
    if store is None:
        raise InvalidParameter("zoneid", f"zone {zone.name} has no image store that holds copies (its image stores, "
                                         f"if any, are NFS, which this server does not mount); volumes can be "
                                         f"uploaded only into a zone with an image store such as SMB")
    if image_store_uuid and image_store_uuid != store.uuid:
        raise InvalidParameter("imagestoreuuid", f"{image_store_uuid} is not the image store that holds copies in "
                                                 f"zone {zone.name} (that is {store.name}, {store.uuid})")
    if offering is not None and not offering.is_customized:
        raise InvalidParameter("diskofferingid", f"disk offering {offering.name} has a fixed size; an uploaded "
                                                 f"volume's size is its image's, so choose a custom offering")
    account_id = owner.id if owner is not None else caller.account_id
    domain_id = owner.domain_id if owner is not None else caller.domain_id
    charge_new(session, account_id, 0)
    volume = Volume(name=name, account_id=account_id, domain_id=domain_id, zone_id=zone.id,
                    volume_type=VolumeType.DATADISK.value, size_bytes=0,
                    disk_offering_id=offering.id if offering else None, state=UPLOAD_OP)
    session.add(volume)
    session.flush()
    session.add(VolumeUpload(volume_id=volume.id, url=url, format=fmt, checksum=checksum or None,
                             status="Upload queued"))
    session.flush()
    return volume


def run_upload(session: Session, caller: Caller, volume: Volume) -> Volume:
    """The uploadVolume job: fetch, check and store the image, then mark `volume` Uploaded (see the module
    docstring). On failure the UploadError state is committed and ResourceUnavailable raised with the reason."""
    upload = session.get(VolumeUpload, volume.id)
    store = stores.zone_store(session, volume.zone_id)
    target = stores.store_copy(store) if store is not None else None
    fetch_limits = FetchLimits(timeout_seconds=float(settings.value(session, "template.download.timeout")),
                               retries=int(settings.value(session, "template.download.retries")),
                               max_bytes=int(settings.value(session, "max.template.iso.size")) * 1024**3)
    image_ref = TemplateRef(volume.uuid, volume.name, upload.format)
    upload.status = "Upload In Progress"
    session.commit()  # nothing is held open while the bytes travel
    try:
        if target is None:
            raise DownloadFailed(f"zone {volume.zone_id} has no image store that holds copies any more")
        image, stored = stores.fill_store(target, image_ref, url=upload.url, image_format=upload.format,
                                          checksum=upload.checksum, limits=fetch_limits, on_progress=lambda *_: True)
    except DownloadFailed as exc:
        _fail(session, caller, volume, upload, str(exc))
        raise ResourceUnavailable(f"uploadVolume: volume {volume.name} ({volume.uuid}) from {upload.url} failed: "
                                  f"{exc}") from exc
    try:
        limits.consume(session, volume.account_id, ResourceType.SECONDARY_STORAGE, stored.size_bytes)
        limits.consume(session, volume.account_id, ResourceType.PRIMARY_STORAGE, image.virtual_size)
    except CirroError as exc:
        session.rollback()
        _delete_quietly(target, stored.path, volume)
        _fail(session, caller, volume, upload, str(exc))
        raise
    volume.size_bytes, volume.state = image.virtual_size, UPLOADED
    upload.store_id, upload.install_path = target.store_id, stored.path
    upload.status = UPLOAD_COMPLETE.format(store=target.ref.name)
    session.flush()
    record_created(session, volume, offering_id=volume.disk_offering_id)
    events.record(session, caller, "VOLUME.UPLOAD", f"Uploaded volume {volume.name} ({image.virtual_size} bytes, "
                                                   f"{image.checksum}) onto image store {target.ref.name}",
                  account_id=volume.account_id, domain_id=volume.domain_id, resource_type="Volume",
                  resource_uuid=volume.uuid)
    return volume


def _fail(session: Session, caller: Caller, volume: Volume, upload: VolumeUpload, reason: str) -> None:
    """End the upload in UploadError with `reason`, committed at once (the job then fails)."""
    volume.state, upload.status = UPLOAD_ERROR, ERROR_PREFIX + reason
    events.record(session, caller, "VOLUME.UPLOAD", f"Upload of volume {volume.name} failed: {reason}",
                  level="ERROR", account_id=volume.account_id, domain_id=volume.domain_id,
                  resource_type="Volume", resource_uuid=volume.uuid)
    session.commit()


def _interrupted(session: Session, job: AsyncJob) -> None:
    """Recovery after a crash: the volume this job was uploading says why it has no copy."""
    volume = session.scalars(select(Volume).where(Volume.uuid == job.instance_uuid, Volume.state == UPLOAD_OP)).first()
    upload = session.get(VolumeUpload, volume.id) if volume is not None else None
    if upload is not None:
        volume.state = UPLOAD_ERROR
        upload.status = f"{ERROR_PREFIX}the management server {job.server_id} stopped during the upload; upload again"


register_cleanup(JOB_COMMAND, _interrupted)


def import_to_pool(session: Session, registry: Any, secrets: Any, volume: Volume, vm: VirtualMachine) -> None:
    """Before an Uploaded volume is attached to `vm`: place it on a pool the VM reaches and have a host copy
    the store copy there (`driver.import_volume`). The volume is then Ready. Raises InvalidState when the
    copy is missing, InsufficientCapacity, ResourceUnavailable when no host reaches the pool, and the
    driver's errors (432 when the hypervisor lacks `template_from_volume`); the caller's transaction then
    rolls back."""
    upload = session.get(VolumeUpload, volume.id)
    store = session.get(ImageStore, upload.store_id) if upload and upload.store_id else None
    copy = stores.store_copy(store) if store is not None and store.removed is None else None
    if copy is None or not upload.install_path:
        raise InvalidState(f"id: volume {volume.name} has no copy on an image store to attach from")
    offering = session.get(DiskOffering, volume.disk_offering_id) if volume.disk_offering_id else None
    pool = storage_planner.pick_pool(session, vm.zone_id, vm.cluster_id, volume.size_bytes,
                                     storage_planner.split_tags(offering.tags if offering else None),
                                     vm.hypervisor_type)
    preferred = session.get(Host, vm.host_id or vm.last_host_id) if (vm.host_id or vm.last_host_id) else None
    host = host_reaching(session, pool, preferred)
    if host is None:
        raise ResourceUnavailable(f"id: volume {volume.name} cannot be copied onto primary storage pool {pool.name}: "
                                  f"no host that reaches it is Up")
    volume.pool_id, volume.path = pool.id, volume.uuid
    session.flush()
    registry.hypervisor(host.hypervisor_type).import_volume(host_ref(host, secrets), copy.ref, upload.install_path,
                                                            disk_spec(session, volume, secrets))
    volume.state = VolumeState.READY.value
    session.flush()


def delete_store_copy(session: Session, volume: Volume) -> None:
    """deleteVolume: remove the volume's copies on image stores, its extractVolume export and, for an uploaded
    volume, its uploaded copy, giving their sizes back. A store that does not answer keeps its file; that is
    logged and the volume is deleted all the same (as for templates)."""
    secondary_storage.remove_volume_export(session, volume)
    upload = session.get(VolumeUpload, volume.id)
    if upload is None or upload.store_id is None or not upload.install_path:
        return
    store = session.get(ImageStore, upload.store_id)
    copy = stores.store_copy(store) if store is not None and store.removed is None else None
    if copy is not None:
        subject = f"uploaded volume {volume.name} ({volume.uuid})"
        try:
            size = secondary_storage.size_on_store(copy, upload.install_path)
        except CirroError as exc:
            log.warning("the copy %s of %s on image store %s was not removed: %s", upload.install_path, subject,
                        copy.ref.name, exc)
        else:
            if secondary_storage.remove_quietly(copy, upload.install_path, subject):
                secondary_storage.give_back(session, volume.account_id, size)
    upload.store_id, upload.install_path = None, None
    session.flush()


def _delete_quietly(copy: stores.StoreCopy, path: str, volume: Volume) -> None:
    secondary_storage.remove_quietly(copy, path, f"uploaded volume {volume.name} ({volume.uuid})")


def upload_status(session: Session, volume: Volume) -> str | None:
    """The upload's status text of an uploaded volume, or None for any other volume."""
    upload = session.get(VolumeUpload, volume.id)
    return upload.status if upload is not None else None


def _uploads_on(session: Session, store: ImageStore) -> str | None:
    """Why `store` cannot be deleted yet: the uploaded volumes it holds."""
    count = session.scalar(select(func.count()).select_from(VolumeUpload).join(Volume)
                           .where(VolumeUpload.store_id == store.id, Volume.removed.is_(None)))
    return f"it holds {count} uploaded volume(s); delete them first" if count else None


register_image_store_user(_uploads_on)

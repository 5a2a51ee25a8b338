"""Making a registered template or ISO ready in a zone: one persisted download job per zone ref.

registerTemplate, registerIso and copyTemplate queue a job (command "downloadTemplate", instance
Template or Iso) through the server's JobExecutor once the request commits. The job streams the
registered URL (see `_fetch`), checks the checksum and the image header, and then marks the zone
ref ready with its virtual size (`size`) and physical size, counting the physical size against the
owner's `secondary_storage` in the same transaction (see `secondary_storage`). Its `status` goes:

    NOT_DOWNLOADED / NOT_COPIED                   queued
    "Download In Progress (35% Downloaded)"       while bytes arrive
    DOWNLOAD_COMPLETE                             ready
    "Download Error: <reason>"                    failed: unreachable, HTTP status, checksum,
                                                  format, size limit, server stopped, or the
                                                  owner's secondary_storage limit (the copy is
                                                  removed again and the job fails with 532)

Where the image lives: the core's image store provider is NFS, and this server does not mount NFS
exports, so with NFS stores no copy is written to secondary storage. A ready ref is then CloudStack's
"direct download": each hypervisor host fetches the image from the registered URL onto its primary
storage and checks the checksum itself (DOWNLOAD_COMPLETE says so). The download job is what vouches
for the URL. A zone whose image store comes from a storage plugin (e.g. SMB) gets a real copy, made
by this job (see `stores`): the ref then records the store and the path, and hosts copy from there.

A job cut short by a server stop or crash never stays "In Progress": a shutting-down server ends
its downloads with Download Error, and a crashed server's jobs are failed by the next server's
recovery, whose cleanup (registered here) writes the Download Error. To try again, copyTemplate
into the zone whose download failed starts a new download there (CloudStack has no retry API);
for an ISO, or for anyone, registering the image again is the other way.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import AsyncJob, TemplateZoneRef, Zone
from cirrostack.db.models.templates import Template
from cirrostack.errors import ResourceLimitExceeded, ResourceUnavailable
from cirrostack.hookspecs.storage import TemplateRef
from cirrostack.jobs import register_cleanup
from cirrostack.services import limits as resource_limits
from cirrostack.services import settings
from cirrostack.services.context import Caller
from cirrostack.services.templates import secondary_storage, stores
from cirrostack.services.templates._fetch import DownloadFailed, FetchLimits, fetch_image

log = logging.getLogger(__name__)

JOB_COMMAND = "downloadTemplate"
NOT_DOWNLOADED = "Not Downloaded: the download is queued"
NOT_COPIED = "Not Copied: the download into this zone is queued"
IN_PROGRESS = "Download In Progress"
DOWNLOAD_COMPLETE = "Download Complete (direct download: hosts fetch the image from its URL)"
ERROR_PREFIX = "Download Error: "
PROGRESS_INTERVAL_SECONDS = 1.0


def start_download(session: Session, caller: Caller, jobs: Any, ref: TemplateZoneRef) -> str | None:
    """Queue the download of `ref` (flushed, in `session`) once `session` commits; returns the job
    uuid. Without a job executor (`jobs` None: a caller outside the API server) nothing is queued and
    the ref keeps its queued status; the server's recovery does not see it either."""
    if jobs is None:
        return None
    template = ref.template
    params = {"id": template.uuid, "zoneid": ref.zone.uuid, "url": template.url}
    instance_type = "Iso" if template.is_iso else "Template"
    return jobs.submit(caller, JOB_COMMAND, JOB_COMMAND, params, instance_type, template.uuid,
                       _download_work(jobs, ref.id), session=session)


def retry_hint(is_iso: bool) -> str:
    """How to try a failed download again, for the end of its Download Error status."""
    return "register the ISO again to retry" if is_iso else "copyTemplate into this zone starts it again"


def is_failed(ref: TemplateZoneRef) -> bool:
    """The ref's last download ended in Download Error (a copy into its zone starts a new one)."""
    return not ref.is_ready and ref.status.startswith(ERROR_PREFIX)


def _download_work(jobs: Any, ref_id: int):
    database = jobs.database

    def work(_job_uuid: str) -> dict[str, Any] | None:
        with database.session() as session:
            ref = session.get(TemplateZoneRef, ref_id)
            if ref is None or ref.is_ready:
                return None  # deleted from the zone, or made ready meanwhile
            template: Template = ref.template
            url, image_format, checksum = template.url or "", template.format, template.checksum
            subject = f"{'ISO' if template.is_iso else 'template'} {template.name} ({template.uuid})"
            zone_name = ref.zone.name
            limits = _limits(session)
            hint = retry_hint(template.is_iso)
            target = stores.zone_copy(session, ref.zone_id)
            source = stores.copy_elsewhere(session, template, ref.zone_id) if target is not None else None
            template_ref = TemplateRef(template.uuid, template.name, image_format)
            owner_id = template.account_id if secondary_storage.is_counted_template(template) else None
        progress = _ProgressWriter(database, ref_id, jobs, hint)
        progress.write(IN_PROGRESS)
        try:
            if target is None:
                image, placed = fetch_image(url, image_format, checksum, limits, progress), {}
            else:
                image, stored = stores.fill_store(target, template_ref, url=url, image_format=image_format,
                                                  checksum=checksum, limits=limits, on_progress=progress,
                                                  source=source)
                placed = {"store_id": target.store_id, "install_path": stored.path}
        except DownloadFailed as exc:
            reason = progress.stop_reason or f"{exc}; {hint}"
            _write(database, ref_id, status=ERROR_PREFIX + reason)
            raise ResourceUnavailable(f"{subject}: download into zone {zone_name} failed: {reason}") from exc
        complete = f"Download Complete (on image store {target.ref.name})" if target else DOWNLOAD_COMPLETE
        values = {"status": complete, "is_ready": True, "size_bytes": image.virtual_size,
                  "physical_size_bytes": image.physical_size, **placed}
        copy = (target, placed["install_path"]) if target is not None else None
        try:
            _complete(database, ref_id, values, owner_id, copy, subject)
        except ResourceLimitExceeded as exc:
            _write(database, ref_id, status=f"{ERROR_PREFIX}{exc.message}; {hint}")
            raise ResourceLimitExceeded(f"{subject}: download into zone {zone_name} refused: {exc.message}") from exc
        log.info("%s is ready in zone %s: %d bytes (%d virtual), %s", subject, zone_name, image.physical_size,
                 image.virtual_size, image.checksum)
        return None

    return work


def _complete(database: Any, ref_id: int, values: dict[str, Any], owner_id: int | None,
              copy: tuple[stores.StoreCopy, str] | None, subject: str) -> None:
    """Mark the ref ready with `values` and count its physical size for `owner_id` (None: not counted) in
    one transaction. Over the limit the copy is removed and ResourceLimitExceeded raised, nothing counted;
    a ref deleted meanwhile has its copy removed too (nobody would find it), one made ready by another
    job keeps that job's state."""
    with database.session() as session:
        try:
            if owner_id is not None:
                resource_limits.consume(session, owner_id, resource_limits.ResourceType.SECONDARY_STORAGE,
                                        int(values["physical_size_bytes"]))
        except ResourceLimitExceeded:
            if copy is not None:
                secondary_storage.remove_quietly(copy[0], copy[1], subject)
            raise
        marked = session.execute(update(TemplateZoneRef)
                                 .where(TemplateZoneRef.id == ref_id, TemplateZoneRef.is_ready.is_(False))
                                 .values(**values)).rowcount == 1
        if not marked:
            session.rollback()  # nothing counted for a copy no ref records
            if copy is not None and session.get(TemplateZoneRef, ref_id) is None:
                secondary_storage.remove_quietly(copy[0], copy[1], subject)


def _limits(session: Session) -> FetchLimits:
    return FetchLimits(timeout_seconds=float(settings.value(session, "template.download.timeout")),
                       retries=int(settings.value(session, "template.download.retries")),
                       max_bytes=int(settings.value(session, "max.template.iso.size")) * 1024**3)


class _ProgressWriter:
    """Writes "Download In Progress (N% Downloaded)" at most once a second and tells the fetch to
    stop when the server shuts down or the ref is gone."""

    def __init__(self, database: Any, ref_id: int, jobs: Any, hint: str) -> None:
        self._database, self._ref_id, self._jobs, self._hint = database, ref_id, jobs, hint
        self._last_write = 0.0
        self._last_text = ""
        self.stop_reason = ""

    def __call__(self, received: int, total: int | None) -> bool:
        if self._jobs.is_stopping:
            self.stop_reason = f"the management server shut down during the download; {self._hint}"
            return False
        now = time.monotonic()
        if now - self._last_write < PROGRESS_INTERVAL_SECONDS:
            return True
        if total:
            text = f"{IN_PROGRESS} ({min(received * 100 // total, 100)}% Downloaded)"
        else:
            text = f"{IN_PROGRESS} ({received} bytes Downloaded)"
        if text != self._last_text and not self.write(text):
            self.stop_reason = "the template was removed from the zone during the download"
            return False
        self._last_write = now
        return True

    def write(self, text: str) -> bool:
        self._last_text = text
        return _write(self._database, self._ref_id, status=text)


def _write(database: Any, ref_id: int, **values: Any) -> bool:
    """Update the ref unless it is gone or already ready (someone else finished it); True if written."""
    with database.session() as session:
        result = session.execute(update(TemplateZoneRef)
                                 .where(TemplateZoneRef.id == ref_id, TemplateZoneRef.is_ready.is_(False))
                                 .values(**values))
        return result.rowcount == 1


def _interrupted(session: Session, job: AsyncJob) -> None:
    """Recovery after a crash: the ref this job was downloading says why it is not ready."""
    params = json.loads(job.cmd_info or "{}")
    template_id = select(Template.id).where(Template.uuid == params.get("id")).scalar_subquery()
    zone_id = select(Zone.id).where(Zone.uuid == params.get("zoneid")).scalar_subquery()
    reason = (f"{ERROR_PREFIX}the management server {job.server_id} stopped during the download; "
              f"{retry_hint(job.instance_type == 'Iso')}")
    session.execute(update(TemplateZoneRef)
                    .where(TemplateZoneRef.template_id == template_id, TemplateZoneRef.zone_id == zone_id,
                           TemplateZoneRef.is_ready.is_(False), ~TemplateZoneRef.status.startswith(ERROR_PREFIX))
                    .values(status=reason))


register_cleanup(JOB_COMMAND, _interrupted)

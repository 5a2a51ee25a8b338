"""Registering, updating, copying and deleting templates and ISOs.

Registering records the image's URL (http or https) and its checksum, adds one `TemplateZoneRef`
per zone (every zone for zoneid=-1) and queues a download job per ref (see `download`), which
makes the ref ready or says why not. copyTemplate adds a zone the same way, and copying into a
zone whose download failed starts that download again. Each zone's copy counts against the owner's
`secondary_storage` when its download completes; registering is refused while the owner already holds
its limit, copying when the copy would pass it (see `secondary_storage`). The simulator zone's BUILTIN template
(`create_builtin_template`) is ready at once, as with CloudStack's simulator.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, GuestOS, Template, TemplateZoneRef, Zone
from cirrostack.db.models.templates import TemplateType
from cirrostack.errors import InvalidParameter, PermissionDenied
from cirrostack.services import scope
from cirrostack.services.context import AccountType, Caller
from cirrostack.services.events import record
from cirrostack.services.infrastructure import _entities  # noqa: F401  (zones are loadable by uuid)
from cirrostack.services.seed import stable_uuid
from cirrostack.services.templates import secondary_storage, stores
from cirrostack.services.templates._access import ISO_FORMAT, check_may_change
from cirrostack.services.templates._formats import disk_format, hypervisor_type
from cirrostack.services.templates.download import NOT_COPIED, NOT_DOWNLOADED, is_failed, start_download
from cirrostack.services.templates.image_checks import parse_checksum

ALL_ZONES = "-1"

SIMULATOR_TEMPLATE_NAME = "CentOS 5.3(64-bit) no GUI (Simulator)"
SIMULATOR_TEMPLATE_OS = "CentOS 5.3 (64-bit)"
SIMULATOR_TEMPLATE_SIZE = 2 * 1024**3


def _kind(template: Template) -> str:
    return "ISO" if template.is_iso else "Template"


def check_url(url: str, param: str = "url") -> str:
    """An http or https URL with a host (the download job fetches it); else 431 naming `param`."""
    parsed = urlparse(url.strip())
    if parsed.scheme.lower() not in ("http", "https") or not parsed.hostname:
        raise InvalidParameter(param, f"{url!r} is not an http or https URL of the image")
    return url.strip()


def check_checksum(checksum: str | None, param: str = "checksum") -> str | None:
    """A checksum as CloudStack takes it ("{MD5}hex", "{SHA-256}hex", ... or bare MD5 hex), None
    when absent; else 431 naming `param`."""
    if checksum is None or not checksum.strip():
        return None
    parse_checksum(checksum, param)
    return checksum.strip()


def guest_os_by_uuid(session: Session, uuid: str, param: str = "ostypeid") -> GuestOS:
    found = session.scalars(select(GuestOS).where(GuestOS.uuid == uuid)).first()
    if found is None:
        raise InvalidParameter(param, f"OS type {uuid} does not exist (listOsTypes lists them)")
    return found


def zones_for(session: Session, caller: Caller, zoneid: str, param: str = "zoneid") -> tuple[list[Zone], bool]:
    """The zones a registration goes to and whether it is cross-zone: one zone by uuid, or every
    zone the caller may see for "-1"."""
    if zoneid.strip() == ALL_ZONES:
        return list(session.scalars(scope.visible(caller, "Zone").order_by(Zone.id))), True
    try:
        zone_uuid = str(uuid_module.UUID(zoneid.strip()))
    except ValueError:
        raise InvalidParameter(param, f"{zoneid!r} is neither a zone id nor -1 (every zone)") from None
    return [scope.load_visible(session, caller, "Zone", zone_uuid, param)], False


def _owner(session: Session, caller: Caller, account: str | None, domain: Any | None) -> Account:
    if account is None:
        return session.get(Account, caller.account_id)
    if caller.account_type is AccountType.USER:
        raise PermissionDenied("account: only administrators can register images for another account")
    return scope.find_account(session, caller, account, domain)


def _check_flags(caller: Caller, is_featured: bool) -> None:
    if is_featured and caller.account_type is AccountType.USER:
        raise PermissionDenied("isfeatured: only administrators can make a template or ISO featured")


def _add_refs(session: Session, caller: Caller, jobs: Any, template: Template, zones: list[Zone],
              status: str) -> None:
    """A not-ready ref per zone, each with its download job queued for when `session` commits."""
    refs = [TemplateZoneRef(zone_id=zone.id, status=status, is_ready=False) for zone in zones]
    template.zone_refs.extend(refs)
    session.flush()
    for ref in refs:
        start_download(session, caller, jobs, ref)


def register_template(session: Session, caller: Caller, registry: Any, *, name: str, displaytext: str,
                      format: str, hypervisor: str, ostype: GuestOS, url: str, zoneid: str,
                      ispublic: bool = False, isfeatured: bool = False, isextractable: bool = False,
                      passwordenabled: bool = False, sshkeyenabled: bool = False,
                      isdynamicallyscalable: bool = False, requireshvm: bool = True, bits: int = 64,
                      checksum: str | None = None, templatetag: str | None = None, account: str | None = None,
                      domain: Any | None = None, jobs: Any = None) -> Template:
    """A USER template from `url` for `hypervisor` in zone `zoneid` ("-1": every zone), with a
    download job per zone queued through `jobs` (the JobExecutor) once `session` commits.

    Raises 431 naming `hypervisor`, `format` (unknown, or not suitable for the hypervisor),
    `url`, `checksum`, `zoneid` or `bits`; 531 for `isfeatured` or `account` used by a plain user; 532
    naming secondary_storage while the owner (or a domain above it) already holds its limit."""
    hypervisor = hypervisor_type(registry, hypervisor)
    image_format = disk_format(format, hypervisor)
    if bits not in (32, 64):
        raise InvalidParameter("bits", f"{bits} is not 32 or 64")
    _check_flags(caller, isfeatured)
    zones, cross_zones = zones_for(session, caller, zoneid)
    owner = _owner(session, caller, account, domain)
    secondary_storage.check_room(session, owner.id, f"registering template {name}")
    template = Template(name=name, display_text=displaytext, format=image_format, hypervisor_type=hypervisor,
                        guest_os_id=ostype.id, account_id=owner.id, url=check_url(url),
                        checksum=check_checksum(checksum),
                        bits=bits, requires_hvm=requireshvm, is_public=ispublic, is_featured=isfeatured,
                        is_extractable=isextractable, password_enabled=passwordenabled,
                        sshkey_enabled=sshkeyenabled, is_dynamically_scalable=isdynamicallyscalable,
                        cross_zones=cross_zones, template_tag=templatetag)
    session.add(template)
    session.flush()
    _add_refs(session, caller, jobs, template, zones, NOT_DOWNLOADED)
    record(session, caller, "TEMPLATE.CREATE", f"registered template {name} from {template.url}",
           account_id=owner.id, domain_id=owner.domain_id, resource_type="Template", resource_uuid=template.uuid)
    return template


def register_iso(session: Session, caller: Caller, *, name: str, displaytext: str, url: str, zoneid: str,
                 ostype: GuestOS | None = None, bootable: bool = True, ispublic: bool = False,
                 isfeatured: bool = False, isextractable: bool = False, isdynamicallyscalable: bool = False,
                 checksum: str | None = None, account: str | None = None, domain: Any | None = None,
                 jobs: Any = None) -> Template:
    """An ISO from `url` in zone `zoneid` ("-1": every zone), downloaded like a template (see
    `register_template`); a bootable ISO needs `ostypeid`."""
    if bootable and ostype is None:
        raise InvalidParameter("ostypeid", "a bootable ISO needs an OS type (pass ostypeid, or bootable=false)")
    _check_flags(caller, isfeatured)
    zones, cross_zones = zones_for(session, caller, zoneid)
    owner = _owner(session, caller, account, domain)
    secondary_storage.check_room(session, owner.id, f"registering ISO {name}")
    iso = Template(name=name, display_text=displaytext, format=ISO_FORMAT, hypervisor_type=None,
                   guest_os_id=ostype.id if ostype is not None else None, account_id=owner.id, url=check_url(url),
                   checksum=check_checksum(checksum), bootable=bootable, is_public=ispublic, is_featured=isfeatured,
                   is_extractable=isextractable, is_dynamically_scalable=isdynamicallyscalable,
                   cross_zones=cross_zones)
    session.add(iso)
    session.flush()
    _add_refs(session, caller, jobs, iso, zones, NOT_DOWNLOADED)
    record(session, caller, "ISO.CREATE", f"registered ISO {name} from {iso.url}", account_id=owner.id,
           domain_id=owner.domain_id, resource_type="Iso", resource_uuid=iso.uuid)
    return iso


def update_template(session: Session, caller: Caller, template: Template, *, name: str | None = None,
                    displaytext: str | None = None, format: str | None = None, ostype: GuestOS | None = None,
                    passwordenabled: bool | None = None, bootable: bool | None = None, sortkey: int | None = None,
                    isdynamicallyscalable: bool | None = None) -> Template:
    """Change the descriptive attributes of a template or ISO (updateTemplate / updateIso)."""
    check_may_change(session, caller, template, "update")
    if format is not None:
        if template.is_iso:
            raise InvalidParameter("format", "the format of an ISO cannot be changed")
        template.format = disk_format(format, template.hypervisor_type or "")
    changes = {"name": name, "display_text": displaytext, "password_enabled": passwordenabled,
               "bootable": bootable, "sort_key": sortkey, "is_dynamically_scalable": isdynamicallyscalable}
    for column, value in changes.items():
        if value is not None:
            setattr(template, column, value)
    if ostype is not None:
        template.guest_os_id = ostype.id
    session.flush()
    session.refresh(template)
    kind = _kind(template)
    record(session, caller, f"{kind.upper()}.UPDATE", f"updated {kind.lower()} {template.name}",
           account_id=template.account_id, domain_id=template.account.domain_id, resource_type=kind,
           resource_uuid=template.uuid)
    return template


def delete_template(session: Session, caller: Caller, template: Template, zone: Zone | None = None) -> None:
    """Remove a template or ISO from `zone`, or from every zone; without zones left it is removed."""
    check_may_change(session, caller, template, "delete")
    kind = _kind(template)
    if zone is not None:
        ref = next((ref for ref in template.zone_refs if ref.zone_id == zone.id), None)
        if ref is None:
            raise InvalidParameter("zoneid", f"{kind.lower()} {template.name} is not in zone {zone.name}")
        removed = [ref]
        template.zone_refs.remove(ref)
    else:
        removed = list(template.zone_refs)
        template.zone_refs.clear()
    stores.delete_copies(session, removed)
    secondary_storage.release_deleted_template(session, template, removed)
    where = f" from zone {zone.name}" if zone is not None else ""
    if not template.zone_refs:
        template.mark_removed()
    session.flush()
    record(session, caller, f"{kind.upper()}.DELETE", f"deleted {kind.lower()} {template.name}{where}",
           account_id=template.account_id, domain_id=template.account.domain_id, resource_type=kind,
           resource_uuid=template.uuid)


def copy_template(session: Session, caller: Caller, template: Template, destination: Zone,
                  source: Zone | None = None, jobs: Any = None) -> Template:
    """Add `destination` to the zones of a template or ISO (copyTemplate / copyIso) and queue its
    download there; the image comes from the registered URL (no zone keeps a copy of its own).

    The source zone must hold it; the destination must not, unless the destination's download
    failed: then that download starts again (the source may then be the destination itself)."""
    check_may_change(session, caller, template, "copy")
    kind = _kind(template).lower()
    refs = {ref.zone_id: ref for ref in template.zone_refs}
    if source is not None and source.id not in refs:
        raise InvalidParameter("sourcezoneid", f"{kind} {template.name} is not in zone {source.name}")
    failed = refs.get(destination.id)
    if secondary_storage.is_counted_template(template) and (failed is None or is_failed(failed)):
        sizes = [ref.physical_size_bytes for ref in template.zone_refs if ref.is_ready and ref.physical_size_bytes]
        secondary_storage.check_room(session, template.account_id, f"copying {kind} {template.name} to zone "
                                     f"{destination.name}", max(sizes) if sizes else None)
    if failed is not None and is_failed(failed):
        failed.status = NOT_COPIED
        session.flush()
        start_download(session, caller, jobs, failed)
        what = f"restarted the download of {kind} {template.name} in zone {destination.name}"
    else:
        if source is not None and source.id == destination.id:
            raise InvalidParameter("destzoneid", "the destination zone is the source zone")
        if failed is not None:
            raise InvalidParameter("destzoneid", f"{kind} {template.name} is already in zone {destination.name} "
                                                 f"({failed.status})")
        _add_refs(session, caller, jobs, template, [destination], NOT_COPIED)
        what = f"copied {kind} {template.name} to zone {destination.name}"
    record(session, caller, f"{kind.upper()}.COPY", what, account_id=template.account_id,
           domain_id=template.account.domain_id, resource_type=_kind(template), resource_uuid=template.uuid)
    session.refresh(template)
    return template


def create_builtin_template(session: Session, zone: Zone, owner: Account) -> Template:
    """The simulator's BUILTIN template, public and featured, ready in `zone` (the demo zone
    builder calls this for a simulator zone). Idempotent: a second call for the same zone
    changes nothing; another zone gets its own ready zone ref. The id is the same on every install."""
    uuid = stable_uuid("template", SIMULATOR_TEMPLATE_NAME)
    template = session.scalars(select(Template).where(Template.uuid == uuid)).first()
    if template is None:
        os_type = session.scalars(select(GuestOS).where(GuestOS.display_name == SIMULATOR_TEMPLATE_OS)).one()
        template = Template(uuid=uuid, name=SIMULATOR_TEMPLATE_NAME, display_text=SIMULATOR_TEMPLATE_NAME,
                            format="VHD", template_type=TemplateType.BUILTIN.value, hypervisor_type="Simulator",
                            guest_os_id=os_type.id, account_id=owner.id, bits=64, requires_hvm=False,
                            is_public=True, is_featured=True, is_extractable=True, cross_zones=True,
                            is_dynamically_scalable=True, url="http://sim/templates/centos53-x86_64.vhd")
        session.add(template)
        session.flush()
    if all(ref.zone_id != zone.id for ref in template.zone_refs):
        template.zone_refs.append(TemplateZoneRef(zone_id=zone.id, status="Download Complete", is_ready=True,
                                                  size_bytes=SIMULATOR_TEMPLATE_SIZE,
                                                  physical_size_bytes=SIMULATOR_TEMPLATE_SIZE))
        session.flush()
    return template

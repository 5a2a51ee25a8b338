"""createTemplate from a volume: a host writes the volume to the zone's image store as a new template.

The volume is a ROOT volume of a Stopped VM or a data volume; the host that last ran the VM (else an
Up host reaching the volume's pool) copies it with the driver's `export_volume` (needs the capability
`template_from_volume`, else 432) onto the zone's image store that holds data (e.g. SMB). Only then
is the template recorded, ready in that zone, with the copy's SHA-256 as its checksum, so the export
holds no database lock while the bytes move. copyTemplate takes it to other zones store to store.

Events: TEMPLATE.CREATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.base import new_uuid
from cirrostack.db.models import GuestOS, Template, TemplateZoneRef, Zone
from cirrostack.db.models.compute import VirtualMachine, Volume, VolumeState, VolumeType
from cirrostack.db.models.infrastructure import Host
from cirrostack.db.models.storage import StoragePool
from cirrostack.db.models.templates import TemplateType
from cirrostack.errors import InvalidParameter, InvalidState, ResourceUnavailable
from cirrostack.hookspecs.storage import DataObjectInfo
from cirrostack.services import hypervisor_support
from cirrostack.services.context import Caller
from cirrostack.services.events import record
from cirrostack.services.templates import secondary_storage, stores
from cirrostack.services.templates.image_checks import format_checksum
from cirrostack.services.vms.lifecycle import Drivers
from cirrostack.services.volumes.disk_files import host_reaching
from cirrostack.services.volumes.vm_volumes import disk_spec

#: The disk format a hypervisor writes a volume in, for a volume not made from a template.
_NATIVE_FORMATS = {"Hyperv": "VHDX", "KVM": "QCOW2", "XenServer": "VHD", "VMware": "OVA", "Simulator": "RAW"}
_EXTENSIONS = {"VHD": "vhd", "VHDX": "vhdx", "QCOW2": "qcow2", "RAW": "img", "OVA": "ova"}


def create_from_volume(session: Session, caller: Caller, registry: Any, secrets: Any, volume: Volume, *,
                       name: str, displaytext: str, ostype: GuestOS, ispublic: bool = False,
                       isfeatured: bool = False, passwordenabled: bool = False, isdynamicallyscalable: bool = False,
                       requireshvm: bool = True, bits: int = 64, templatetag: str | None = None) -> Template:
    """A new USER template of the caller's account made from `volume`, ready in the volume's zone.

    Raises InvalidParameter naming `volumeid` (wrong type, not ready, no image store holding data in
    the zone) or `bits`; InvalidState when the volume's VM is not Stopped; UnsupportedOperation (432)
    when its hypervisor lacks `template_from_volume`; ResourceUnavailable when no host can do it; and
    whatever the driver raises (nothing is recorded then)."""
    if bits not in (32, 64):
        raise InvalidParameter("bits", f"{bits} is not 32 or 64")
    uuid = new_uuid()
    exported = export_to_store(session, registry, secrets, volume, f"template/tmpl/{uuid}", uuid,
                               "Creating a template from a volume")
    target, stored, zone, image_format = exported.target, exported.stored, exported.zone, exported.image_format
    subject = f"volume {volume.name} ({volume.uuid})"
    secondary_storage.count_copy(session, caller.account_id, target, stored.path, stored.size_bytes,
                                 f"template {name} from {subject}")
    template = Template(uuid=uuid, name=name, display_text=displaytext, format=image_format,
                        hypervisor_type=exported.hypervisor_type, guest_os_id=ostype.id, account_id=caller.account_id,
                        url=None, checksum=format_checksum("sha256", stored.sha256), bits=bits,
                        requires_hvm=requireshvm, is_public=ispublic, is_featured=isfeatured,
                        password_enabled=passwordenabled, is_dynamically_scalable=isdynamicallyscalable,
                        template_tag=templatetag, template_type=TemplateType.USER.value,
                        source_template_id=exported.source_template_id)
    template.zone_refs.append(TemplateZoneRef(zone_id=zone.id, is_ready=True, size_bytes=volume.size_bytes,
                                              physical_size_bytes=stored.size_bytes, store_id=target.store_id,
                                              install_path=stored.path,
                                              status=f"Download Complete (on image store {target.ref.name})"))
    try:
        session.add(template)
        session.flush()
    except Exception:  # a copy on the store must not outlive a template that was never recorded
        target.provider.delete_template(target.ref, stored.path)
        raise
    record(session, caller, "TEMPLATE.CREATE", f"created template {name} from {subject} in zone {zone.name}",
           account_id=caller.account_id, domain_id=caller.domain_id, resource_type="Template", resource_uuid=uuid)
    return template


@dataclass(frozen=True)
class ExportedVolume:
    """A volume written to a store by `export_to_store`."""

    target: stores.StoreCopy
    stored: DataObjectInfo
    zone: Zone
    hypervisor_type: str
    image_format: str
    source_template_id: int | None
    replaced_bytes: int = 0  # the size of the file the export replaced (only measured when asked for)


def export_to_store(session: Session, registry: Any, secrets: Any, volume: Volume, folder: str, name: str,
                    feature: str, *, measure_replaced: bool = False) -> ExportedVolume:
    """Have a host write `volume` to `<folder>/<name>.<ext>` on the image store of its zone that holds data.
    With `measure_replaced`, the size of the file already there (which the export replaces) is measured first.

    Raises InvalidParameter("volumeid", ...) for a volume of the wrong type or state or a zone without
    such a store; InvalidState when its VM is not Stopped; UnsupportedOperation (432, naming `feature`)
    when the host's hypervisor lacks `template_from_volume`; ResourceUnavailable when no host can."""
    subject = f"volume {volume.name} ({volume.uuid})"
    if volume.volume_type not in (VolumeType.ROOT.value, VolumeType.DATADISK.value):
        raise InvalidParameter("volumeid", f"{subject} is a {volume.volume_type} volume; use a ROOT or data volume")
    if volume.state != VolumeState.READY.value or volume.pool_id is None:
        raise InvalidParameter("volumeid", f"{subject} is {volume.state}; only a Ready volume that has a disk on "
                                           "primary storage can be copied")
    vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id is not None else None
    if vm is not None and vm.state != "Stopped":
        raise InvalidState(f"{subject} belongs to VM {vm.name}, which is {vm.state}; stop the VM first")
    pool = session.get(StoragePool, volume.pool_id)
    host = host_reaching(session, pool, session.get(Host, vm.last_host_id) if vm and vm.last_host_id else None)
    if host is None:
        raise ResourceUnavailable(f"no Up host reaches primary storage pool {pool.name} of {subject}")
    hypervisor_support.require_for_type(registry, host.hypervisor_type, "template_from_volume", feature)
    zone = session.get(Zone, volume.zone_id)
    target = stores.zone_copy(session, volume.zone_id)
    if target is None:
        raise InvalidParameter("volumeid", f"zone {zone.name} of {subject} has no image store that holds data "
                                           "(e.g. SMB); copying a volume to secondary storage needs one")
    source_template = session.get(Template, volume.template_id) if volume.template_id else None
    image_format = source_template.format if source_template is not None and not source_template.is_iso \
        else _NATIVE_FORMATS.get(host.hypervisor_type, "RAW")
    path = f"{folder}/{name}.{_EXTENSIONS.get(image_format, image_format.lower())}"
    replaced = secondary_storage.size_on_store(target, path) if measure_replaced else 0
    driver, host_ref = Drivers(registry, secrets).for_host(host)
    stored = driver.export_volume(host_ref, disk_spec(session, volume, secrets), target.ref, path)
    return ExportedVolume(target, stored, zone, host.hypervisor_type, image_format,
                          source_template.id if source_template is not None else None, replaced)

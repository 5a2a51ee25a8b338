"""A VM's volumes through its life: the ROOT volume made at deploy, what destroy, recover and
expunge do to its volumes, and the disks a start hands to the hypervisor.

Destroy keeps the ROOT volume (state Destroy, still on its pool, still counted) so recover can
bring it back; expunge removes it, frees its pool space and refunds the owner's limits. Data
volumes survive both: expunge detaches them, and they stay on their pool for their owner.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from cirrostack.db.base import new_uuid
from cirrostack.db.models.compute import VirtualMachine, Volume, VolumeState, VolumeType
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.storage import StoragePool
from cirrostack.db.models.templates import Template, TemplateZoneRef
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.hypervisor import DiskSpec, StoragePoolRef, TemplateSpec
from cirrostack.services import events, storage_planner
from cirrostack.services.context import Caller
from cirrostack.services.templates import secondary_storage
from cirrostack.services.templates import stores as template_stores
from cirrostack.services.volumes._metering import charge_new, record_created, refund_deleted

GIB = 1024 ** 3


def template_size_bytes(session: Session, template: Template, zone_id: int) -> int | None:
    """The virtual size of `template`'s image in the zone, None while the zone does not know it."""
    if "zone_refs" in template.__dict__:  # loaded already (a deploy checks them): no query
        return next((ref.size_bytes for ref in template.zone_refs if ref.zone_id == zone_id), None)
    return session.scalar(select(TemplateZoneRef.size_bytes).where(TemplateZoneRef.template_id == template.id,
                                                                  TemplateZoneRef.zone_id == zone_id))


def root_size_bytes(session: Session, template: Template, zone_id: int, requested_gib: int | None = None,
                    param: str = "rootdisksize") -> int:
    """The ROOT volume size for a VM from `template`: `requested_gib` GiB when given (never smaller
    than the template), else the template's size. Raises InvalidParameter naming `param`."""
    image = template_size_bytes(session, template, zone_id)
    if requested_gib is None:
        if not image:
            raise InvalidParameter("templateid", f"template {template.name} has no known size in this zone; "
                                                 f"give {param} in GiB")
        return image
    if requested_gib <= 0:
        raise InvalidParameter(param, f"{requested_gib} is not a size; give a positive number of GiB")
    if image and requested_gib * GIB < image:
        raise InvalidParameter(param, f"{requested_gib} GiB is smaller than template {template.name} "
                                      f"({image} bytes)")
    return requested_gib * GIB


def create_root_volume(session: Session, caller: Caller, vm: VirtualMachine, template: Template,
                       size_bytes: int | None = None, *, charged: bool = False) -> Volume:
    """Create `vm`'s ROOT volume (device 0) on a pool the storage planner picks in the VM's cluster
    or zone-wide, honouring the compute offering's storage tags; `size_bytes` None means the
    template's size. Counts it against the owner's limits and records VOLUME.CREATE (with the size,
    a custom root disk size included); `charged` when the caller counted it already (`charge_new`).
    Raises InsufficientCapacity, ResourceLimitExceeded."""
    if size_bytes is None:
        size_bytes = root_size_bytes(session, template, vm.zone_id)
    if not charged:
        charge_new(session, vm.account_id, size_bytes)
    offering = session.get(ServiceOffering, vm.service_offering_id)
    pool = storage_planner.pick_pool(session, vm.zone_id, vm.cluster_id, size_bytes,
                                     storage_planner.split_tags(offering.tags if offering else None),
                                     vm.hypervisor_type)
    volume_uuid, now = new_uuid(), utcnow()
    volume = Volume(uuid=volume_uuid, path=volume_uuid, created=now, attached=now, name=f"ROOT-{vm.id}",
                    account_id=vm.account_id, domain_id=vm.domain_id, zone_id=vm.zone_id, vm_id=vm.id, device_id=0,
                    volume_type=VolumeType.ROOT.value, size_bytes=size_bytes, pool_id=pool.id,
                    template_id=template.id, state=VolumeState.READY.value)
    session.add(volume)
    session.flush()
    record_created(session, volume, offering_id=vm.service_offering_id)
    events.record(session, caller, "VOLUME.CREATE", f"Created ROOT volume {volume.name} ({size_bytes} bytes) for "
                                                   f"VM {vm.name} on pool {pool.name}",
                  account_id=vm.account_id, domain_id=vm.domain_id, resource_type="Volume",
                  resource_uuid=volume.uuid)
    return volume


def vm_volumes(session: Session, vm: VirtualMachine) -> list[Volume]:
    """The live volumes attached to `vm`, ROOT first, then by device id."""
    return list(session.scalars(select(Volume).where(Volume.vm_id == vm.id, Volume.removed.is_(None))
                                .order_by(Volume.device_id, Volume.id)))


def disk_specs(session: Session, vm: VirtualMachine, secrets: Any = None) -> tuple[DiskSpec, ...]:
    """What the hypervisor gets as `VMSpec.disks`: every volume attached to `vm` now (attachments
    made while it was stopped, or while it ran, take effect at its next start), each with its pool
    and, for a ROOT volume made from a template, the template; then the VM's ISO, if one is
    attached. With `secrets` the pools' secret details (an SMB password) are decrypted for the call."""
    disks = [disk_spec(session, volume, secrets) for volume in vm_volumes(session, vm)]
    if vm.iso_id is not None:
        iso = session.get(Template, vm.iso_id)
        if iso is not None:
            disks.append(DiskSpec(uuid=iso.uuid, kind="ISO", path=iso.uuid, template_url=iso.url or "",
                                  device_id=3, template=template_spec(session, iso, vm.zone_id)))
    return tuple(disks)


def disk_spec(session: Session, volume: Volume, secrets: Any = None) -> DiskSpec:
    """One volume as a driver sees it (see `disk_specs`)."""
    template = session.get(Template, volume.template_id) if volume.template_id else None
    spec = template_spec(session, template, volume.zone_id) if template is not None else None
    return DiskSpec(uuid=volume.uuid, kind=volume.volume_type, size_bytes=volume.size_bytes,
                    path=volume.path or volume.uuid, device_id=volume.device_id or 0,
                    template_url=spec.url if spec else "", pool=pool_ref(session, volume.pool_id, secrets),
                    template=spec)


def pool_ref(session: Session, pool_id: int | None, secrets: Any = None) -> StoragePoolRef | None:
    """The pool as a driver reaches it; secret details only when `secrets` can decrypt them."""
    pool = session.get(StoragePool, pool_id, options=[lazyload("*")]) if pool_id is not None else None
    if pool is None:
        return None
    details = {d.name: (secrets.decrypt(d.value) if d.encrypted else d.value)
               for d in pool.details if secrets is not None or not d.encrypted}
    return StoragePoolRef(uuid=pool.uuid, name=pool.name, url=pool.url, protocol=pool.protocol.lower(),
                          path=pool.path, details=details)


def template_spec(session: Session, template: Template, zone_id: int) -> TemplateSpec:
    """A template or ISO as a driver fetches it."""
    return TemplateSpec(uuid=template.uuid, name=template.name, url=template.url or "", format=template.format,
                        checksum=template.checksum or "",
                        size_bytes=template_size_bytes(session, template, zone_id) or 0,
                        secondary_store_url=template_stores.secondary_store_url(session, template, zone_id))


def release_vm_volumes(session: Session, vm: VirtualMachine, expunge: bool) -> None:
    """On destroy (`expunge` False) mark the ROOT volume Destroy; on expunge remove it (freeing its
    pool space, refunding limits, recording VOLUME.DELETE, removing its extractVolume export) and detach the
    data volumes."""
    for volume in vm_volumes(session, vm):
        if volume.volume_type == VolumeType.ROOT.value:
            if expunge:
                volume.state = VolumeState.EXPUNGED.value
                volume.vm_id = None
                volume.mark_removed()
                refund_deleted(session, volume)
                secondary_storage.remove_volume_export(session, volume)
            else:
                volume.state = VolumeState.DESTROY.value
        elif expunge:
            volume.vm_id, volume.device_id, volume.attached = None, None, None
    session.flush()


def recover_vm_volumes(session: Session, vm: VirtualMachine) -> None:
    """recoverVirtualMachine: the destroyed VM's ROOT volume is Ready again."""
    for volume in vm_volumes(session, vm):
        if volume.state == VolumeState.DESTROY.value:
            volume.state = VolumeState.READY.value
    session.flush()

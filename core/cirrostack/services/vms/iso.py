"""ISOs and VMs: attachIso, detachIso and deploying a VM from a bootable ISO.

A VM holds at most one ISO (`vm.iso_id`), in the CD-ROM slot (device 3); `vm_volumes.disk_specs` hands
it to the hypervisor at every start. attachIso/detachIso on a Running VM plug the ISO in or out at once
when the hypervisor declares `hot_plug_volumes` (a driver error rolls the change back); otherwise the
VM sees the change at its next start, and the event says so.

Deploying from an ISO (deployVirtualMachine with `templateid` naming a bootable ISO) needs a
hypervisor that declares `boot_from_iso` (432 otherwise) and a size for the blank ROOT disk: a disk
offering (`diskofferingid`, with `size` for a custom one) or `rootdisksize`. The ROOT volume then
carries no template, and the VM boots from the ISO attached to it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState, Volume, VolumeType
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import DiskOffering
from cirrostack.db.models.templates import Template, TemplateZoneRef
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, hypervisor_support, scope
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.vms.spec import vm_ref
from cirrostack.services.vms.states import require_state
from cirrostack.services.volumes.attachment import hot_plugs
from cirrostack.services.volumes.data_volumes import offering_size_bytes
from cirrostack.services.volumes.vm_volumes import disk_specs

GIB = 1024 ** 3


def template_or_iso(session: Session, caller: Caller, uuid: str, param: str = "templateid") -> Template:
    """The template or ISO `uuid` names, if `caller` may use it. Raises InvalidParameter naming `param`."""
    for entity in ("Template", "Iso"):
        try:
            return scope.load_visible(session, caller, entity, uuid, param)
        except InvalidParameter:
            continue
    raise InvalidParameter(param, f"no template or ISO {uuid} exists")


def blank_root_bytes(iso: Template, disk_offering: DiskOffering | None, size_gib: int | None,
                     root_disk_bytes: int | None) -> int:
    """The size of the blank ROOT disk of a VM deployed from `iso`: the disk offering's (`size_gib` for a
    custom one), else `root_disk_bytes` (rootdisksize). Raises InvalidParameter when neither is given or
    the ISO cannot boot."""
    if not iso.bootable:
        raise InvalidParameter("templateid", f"ISO {iso.name} ({iso.uuid}) is not bootable; a VM can be deployed "
                                             "from a bootable ISO only")
    if disk_offering is not None:
        return offering_size_bytes(disk_offering, size_gib)
    if root_disk_bytes is not None:
        return root_disk_bytes
    raise InvalidParameter("diskofferingid", f"deploying from ISO {iso.name} needs a size for the blank ROOT disk: "
                                             "give diskofferingid (with size for a custom offering) or rootdisksize")


def require_boot_from_iso(session: Session, registry: PluginRegistry, zone: Zone, hypervisor: str | None) -> None:
    """432 unless the VM's hypervisor (every hypervisor of the zone when not chosen yet) declares boot_from_iso."""
    hypervisor_support.require_for_vm(session, registry, zone.id, hypervisor, "boot_from_iso",
                                      "Deploying a VM from an ISO", zone.name)


def boot_from(session: Session, vm: VirtualMachine, iso: Template, disk_offering: DiskOffering | None) -> None:
    """Right after a deploy from `iso`: the ISO is attached, the ROOT volume is blank (no template) and
    belongs to `disk_offering` when one was given."""
    vm.iso_id = iso.id
    for root in session.scalars(select(Volume).where(Volume.vm_id == vm.id, Volume.removed.is_(None),
                                                     Volume.volume_type == VolumeType.ROOT.value)):
        root.template_id = None
        if disk_offering is not None:
            root.disk_offering_id = disk_offering.id
    session.flush()


def attach_iso(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, iso: Template,
               vm: VirtualMachine) -> VirtualMachine:
    """Attach `iso` to a Running or Stopped VM that has none. The ISO must be ready in the VM's zone and
    usable by the VM's owner (public, or the owner's own). Records ISO.ATTACH."""
    if not iso.is_iso:
        raise InvalidParameter("id", f"{iso.name} ({iso.uuid}) is a template, not an ISO")
    require_state(vm, "attach an ISO to", VMState.RUNNING, VMState.STOPPED)
    if vm.iso_id is not None:
        attached = session.get(Template, vm.iso_id)
        raise InvalidState(f"virtualmachineid: VM {vm.name} already has ISO {attached.name if attached else ''} "
                           f"attached; detach it first")
    if not iso.is_public and iso.account_id != vm.account_id:
        raise InvalidParameter("id", f"ISO {iso.name} ({iso.uuid}) is private to another account than VM "
                                     f"{vm.name}'s owner")
    ready = session.scalar(select(TemplateZoneRef.is_ready).where(TemplateZoneRef.template_id == iso.id,
                                                                  TemplateZoneRef.zone_id == vm.zone_id))
    if not ready:
        zone = session.get(Zone, vm.zone_id)
        raise InvalidState(f"id: ISO {iso.name} ({iso.uuid}) is not ready in zone {zone.name}, where VM {vm.name} "
                           f"is; wait until it is downloaded there")
    vm.iso_id = iso.id
    session.flush()
    when = _plug(session, registry, secrets, vm, attach=True)
    events.record(session, caller, "ISO.ATTACH", f"Attached ISO {iso.name} to VM {vm.name}{when}",
                  account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VirtualMachine",
                  resource_uuid=vm.uuid)
    return vm


def detach_iso(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any,
               vm: VirtualMachine) -> VirtualMachine:
    """Detach the ISO of a Running or Stopped VM. Records ISO.DETACH."""
    require_state(vm, "detach an ISO from", VMState.RUNNING, VMState.STOPPED)
    if vm.iso_id is None:
        raise InvalidState(f"virtualmachineid: VM {vm.name} has no ISO attached")
    iso = session.get(Template, vm.iso_id)
    when = _plug(session, registry, secrets, vm, attach=False)
    vm.iso_id = None
    session.flush()
    events.record(session, caller, "ISO.DETACH", f"Detached ISO {iso.name if iso else ''} from VM {vm.name}{when}",
                  account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VirtualMachine",
                  resource_uuid=vm.uuid)
    return vm


def _plug(session: Session, registry: PluginRegistry, secrets: Any, vm: VirtualMachine, *, attach: bool) -> str:
    if vm.state != VMState.RUNNING.value or vm.host_id is None:
        return ""
    if not hot_plugs(registry, vm):
        return (f"; VM {vm.name} is Running and hypervisor {vm.hypervisor_type} does not declare hot_plug_volumes, "
                f"so the VM {'gets' if attach else 'loses'} the ISO at its next start")
    disk = next(spec for spec in disk_specs(session, vm, secrets) if spec.kind == "ISO")
    host = session.get(Host, vm.host_id)
    driver, ref = registry.hypervisor(host.hypervisor_type), host_ref(host, secrets)
    if attach:
        driver.attach_disk(ref, vm_ref(vm), disk)
    else:
        driver.detach_disk(ref, vm_ref(vm), disk)
    return f" while it runs on host {host.name}"

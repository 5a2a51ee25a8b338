"""restoreVirtualMachine: give a VM a fresh ROOT volume from its template (or another template).

A Running VM is stopped first and started again afterwards, on the capacity rules of any start.
The old ROOT volume is removed (its space, limits and usage given back) and a new one is created
from the template: the same size as before when the template is unchanged (a custom root disk
size is kept), else the new template's size. VM snapshots describe the old disk, so a VM that has
any is refused, as in CloudStack.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState, VolumeState, VolumeType
from cirrostack.db.models.templates import Template
from cirrostack.db.models.vm_snapshots import VMSnapshot
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.services import events
from cirrostack.services.context import Caller
from cirrostack.services.templates import secondary_storage
from cirrostack.services.vms import lifecycle
from cirrostack.services.vms.states import require_state
from cirrostack.services.volumes._metering import refund_deleted
from cirrostack.services.volumes.vm_volumes import create_root_volume, vm_volumes


def restore(session: Session, caller: Caller, vm: VirtualMachine, drivers: lifecycle.Drivers,
            template: Template | None = None) -> VirtualMachine:
    """Replace `vm`'s ROOT volume with a new one from `template` (default: its current template).

    Raises InvalidState unless the VM is Running or Stopped, InvalidParameter naming `templateid`
    for a template of another hypervisor or an ISO-only VM without one, and naming
    `virtualmachineid` when the VM has VM snapshots."""
    require_state(vm, "restore", VMState.RUNNING, VMState.STOPPED)
    template = template or (session.get(Template, vm.template_id) if vm.template_id else None)
    if template is None:
        raise InvalidParameter("templateid", f"VM {vm.name} was not created from a template; give templateid")
    if template.hypervisor_type is None:
        raise InvalidParameter("templateid", f"{template.name} is an ISO; restoring needs a template")
    if vm.hypervisor_type and template.hypervisor_type not in (vm.hypervisor_type, "None"):
        raise InvalidParameter("templateid", f"template {template.name} is for {template.hypervisor_type}, "
                                             f"VM {vm.name} runs on {vm.hypervisor_type}")
    snapshots = session.scalar(select(func.count()).select_from(VMSnapshot)
                               .where(VMSnapshot.vm_id == vm.id, VMSnapshot.removed.is_(None)))
    if snapshots:
        raise InvalidParameter("virtualmachineid", f"VM {vm.name} has {snapshots} VM snapshot(s); delete them "
                                                   "before restoring it")
    was_running = vm.state == VMState.RUNNING
    if was_running:
        lifecycle.stop(session, caller, vm, drivers)
    if vm.state != VMState.STOPPED:
        raise InvalidState(f"Unable to restore VM {vm.name} ({vm.uuid}): it is {vm.state} after stopping")
    old_root = next((volume for volume in vm_volumes(session, vm)
                     if volume.volume_type == VolumeType.ROOT.value), None)
    same_template = old_root is not None and old_root.template_id == template.id
    size = old_root.size_bytes if same_template else None
    if old_root is not None:
        old_root.vm_id, old_root.state = None, VolumeState.EXPUNGED.value
        old_root.mark_removed()
        refund_deleted(session, old_root)
        secondary_storage.remove_volume_export(session, old_root)
        session.flush()
    new_root = create_root_volume(session, caller, vm, template, size)
    vm.template_id = template.id
    events.record(session, caller, "VM.RESTORE", f"Restored VM {vm.name} from template {template.name} onto ROOT "
                  f"volume {new_root.name}", account_id=vm.account_id, domain_id=vm.domain_id,
                  resource_type="VirtualMachine", resource_uuid=vm.uuid)
    session.commit()
    if was_running:
        lifecycle.start(session, caller, vm, drivers)
    return vm


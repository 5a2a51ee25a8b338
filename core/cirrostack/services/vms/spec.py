"""What a hypervisor driver is told about a VM: its VMSpec and VMRef."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from cirrostack.db.models.compute import VirtualMachine, VMDetail
from cirrostack.db.models.templates import GuestOS, Template
from cirrostack.hookspecs.hypervisor import VMRef, VMSpec
from cirrostack.services.compute_offerings import live_scaling_ceiling
from cirrostack.services.networks.vm_networks import nic_specs
from cirrostack.services.volumes.vm_volumes import disk_specs


def vm_spec(session: Session, vm: VirtualMachine, secrets: Any = None, registry: Any = None) -> VMSpec:
    """The VM as the driver's start_vm needs it: size, every attached disk (pool secrets decrypted
    with `secrets`), its NICs (plumbed on its host through `registry`'s isolation methods), OS type and details."""
    template = session.get(Template, vm.template_id, options=[lazyload("*")]) if vm.template_id else None
    if vm.guest_os_id:
        guest_os = session.get(GuestOS, vm.guest_os_id, options=[lazyload("*")])
    else:
        guest_os = template.guest_os if template else None
    os_type = guest_os.display_name if guest_os is not None else ""
    rows = session.execute(select(VMDetail.name, VMDetail.value).where(VMDetail.vm_id == vm.id))
    details = {name: value for name, value in rows}
    max_cpus, max_memory_mb = live_scaling_ceiling(session, vm)
    return VMSpec(uuid=vm.uuid, instance_name=vm.instance_name or f"i-{vm.account_id}-{vm.id}-VM", cpus=vm.cpus,
                  cpu_speed_mhz=vm.cpu_speed_mhz, memory_mb=vm.memory_mb, disks=disk_specs(session, vm, secrets),
                  os_type=os_type, details=details, max_cpus=max_cpus, max_memory_mb=max_memory_mb,
                  nics=nic_specs(session, vm, registry, secrets))


def vm_ref(vm: VirtualMachine) -> VMRef:
    """How a driver finds an existing VM on its host."""
    return VMRef(uuid=vm.uuid, instance_name=vm.instance_name or f"i-{vm.account_id}-{vm.id}-VM")

"""updateVirtualMachine: the VM's display name, group, HA flag, user data, visibility, details, OS type
and dynamic scaling flag.

None of these touch the hypervisor; user data, details and the OS type take effect at the VM's next
start (the virtual router serves user data), so the OS type changes only while the VM is Stopped, as in
CloudStack. `isdynamicallyscalable` says whether the guest has the tools to be scaled while it runs
(scaleVirtualMachine refuses a running VM without it); it starts as the template's flag.
The size details a custom offering recorded (cpuNumber, cpuSpeed,
memory, rootdisksize) are changed only by scaling, so `details` may not set them.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMDetail, VMState
from cirrostack.db.models.templates import GuestOS
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.services import events
from cirrostack.services.context import Caller
from cirrostack.services.userdata import validate_userdata
from cirrostack.services.vms.states import require_state

SIZE_DETAILS = frozenset({"cpuNumber", "cpuSpeed", "memory", "rootdisksize"})


def update_vm(session: Session, caller: Caller, vm: VirtualMachine, *, displayname: str | None = None,
              group: str | None = None, haenable: bool | None = None, userdata: str | None = None,
              displayvm: bool | None = None, details: dict[str, str] | None = None, ostypeid: GuestOS | None = None,
              isdynamicallyscalable: bool | None = None) -> VirtualMachine:
    """Change the given attributes of a VM that is not destroyed; `details` replaces its other details.

    Raises InvalidState for a Destroyed/Expunging VM or an OS type change of a VM that is not Stopped,
    InvalidParameter naming `userdata` (not base64, too long) or `details[<key>]` (a size detail)."""
    require_state(vm, "update", VMState.STOPPED, VMState.STARTING, VMState.RUNNING, VMState.STOPPING,
                  VMState.MIGRATING, VMState.ERROR)
    if ostypeid is not None and vm.state != VMState.STOPPED.value:
        raise InvalidState(f"ostypeid: VM {vm.name} ({vm.uuid}) is {vm.state}; stop it to change its OS type")
    if displayname is not None:
        vm.display_name = displayname
    if group is not None:
        vm.group_name = group or None
    if haenable is not None:
        vm.ha_enabled = haenable
    if userdata is not None:
        # The request's method is not known here; the wire layer already bounds a GET's length.
        vm.userdata = validate_userdata(userdata, "POST")
    if displayvm is not None:
        vm.display_vm = displayvm
    if details is not None:
        _replace_details(session, vm, details)
    if ostypeid is not None:
        vm.guest_os_id = ostypeid.id
    if isdynamicallyscalable is not None:
        vm.dynamically_scalable = isdynamicallyscalable
    events.record(session, caller, "VM.UPDATE", f"Updated VM {vm.name}", account_id=vm.account_id,
                  domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
    session.flush()
    return vm


def _replace_details(session: Session, vm: VirtualMachine, details: dict[str, str]) -> None:
    for key in details:
        if key in SIZE_DETAILS:
            raise InvalidParameter(f"details[{key}]", f"{key} is part of the VM's size; change it with "
                                                      "scaleVirtualMachine or changeServiceForVirtualMachine")
    session.execute(delete(VMDetail).where(VMDetail.vm_id == vm.id, VMDetail.name.not_in(SIZE_DETAILS))
                    .execution_options(synchronize_session=False))
    kept = set(session.scalars(select(VMDetail.name).where(VMDetail.vm_id == vm.id)))
    for key, value in details.items():
        if key not in kept:
            session.add(VMDetail(vm_id=vm.id, name=key, value=value))

"""The states a user VM passes through and the moves CloudStack allows between them.

    Stopped -> Starting -> Running -> Stopping -> Stopped
    Starting -> Error (a failed start; its reservations are released)
    Stopped | Error -> Destroyed -> Expunging -> Expunged (row removed)
    Destroyed -> Stopped (recoverVirtualMachine)
    Running -> Migrating -> Running
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.errors import InvalidState

_ALLOWED: dict[VMState, frozenset[VMState]] = {
    VMState.STOPPED: frozenset({VMState.STARTING, VMState.DESTROYED, VMState.EXPUNGING}),
    VMState.STARTING: frozenset({VMState.RUNNING, VMState.STOPPED, VMState.ERROR}),
    VMState.RUNNING: frozenset({VMState.STOPPING, VMState.MIGRATING, VMState.RUNNING}),
    VMState.STOPPING: frozenset({VMState.STOPPED, VMState.RUNNING}),
    VMState.MIGRATING: frozenset({VMState.RUNNING}),
    VMState.ERROR: frozenset({VMState.DESTROYED, VMState.EXPUNGING, VMState.STARTING}),
    VMState.DESTROYED: frozenset({VMState.STOPPED, VMState.EXPUNGING}),
    VMState.EXPUNGING: frozenset({VMState.EXPUNGED}),
    VMState.EXPUNGED: frozenset(),
}


def can_move(current: str, target: VMState) -> bool:
    """Whether a VM in state `current` may move to `target`."""
    return target in _ALLOWED.get(VMState(current), frozenset())


def require_state(vm: VirtualMachine, action: str, *allowed: VMState) -> None:
    """Raise InvalidState (431) naming the VM, its state and the action unless it is in one of `allowed`."""
    if VMState(vm.state) not in allowed:
        wanted = " or ".join(state.value for state in allowed)
        raise InvalidState(f"Unable to {action} VM {vm.name} ({vm.uuid}): it is in state {vm.state}, "
                           f"it must be {wanted}")


def move(vm: VirtualMachine, target: VMState, action: str) -> None:
    """Set `vm.state` to `target`, raising InvalidState naming the current state if the move is not allowed."""
    if not can_move(vm.state, target):
        raise InvalidState(f"Unable to {action} VM {vm.name} ({vm.uuid}): it is in state {vm.state}, "
                           f"which cannot become {target.value}")
    vm.state = target.value


def claim(session: Session, vm: VirtualMachine, target: VMState, action: str, *allowed: VMState) -> None:
    """Move `vm` to `target` only if the database still holds it in one of `allowed`.

    One conditional UPDATE, so of two concurrent requests on the same VM (two stops, a start and a
    destroy) exactly one proceeds; the other gets InvalidState naming the state it found."""
    require_state(vm, action, *allowed)
    result = session.execute(
        update(VirtualMachine)
        .where(VirtualMachine.id == vm.id, VirtualMachine.state.in_([state.value for state in allowed]))
        .values(state=target.value)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.refresh(vm)
        require_state(vm, action, *allowed)
        raise InvalidState(f"Unable to {action} VM {vm.name} ({vm.uuid}): another operation changed it first")
    set_committed_value(vm, "state", target.value)  # the UPDATE above wrote it; no second UPDATE at the next flush

"""Which affinity groups a VM is in: chosen at deploy (`affinitygroupids` / `affinitygroupnames`) and
replaced while it is stopped (updateVMAffinityGroup).

The groups must belong to the VM's account, and the VM's hypervisor must declare `affinity_groups`: on
one that does not (Hyper-V in 4.3) the request is refused with 432 before anything is recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cirrostack.db.models import Account, VirtualMachine, VMState
from cirrostack.db.models.affinity import AffinityGroup, AffinityGroupVMMap
from cirrostack.errors import InvalidParameter
from cirrostack.services import events, hypervisor_support
from cirrostack.services.affinity.groups import require_by_name
from cirrostack.services.context import Caller
from cirrostack.services.vms.states import claim

CAPABILITY = "affinity_groups"
FEATURE = "Placement by affinity and anti-affinity groups"


def chosen_groups(session: Session, owner: Account, ids: Sequence[AffinityGroup] | None,
                  names: Sequence[str] | None) -> list[AffinityGroup]:
    """The groups named by `affinitygroupids` (already loaded) or `affinitygroupnames`, all `owner`'s.

    Raises InvalidParameter when both are given, a name is unknown in the account, or a group belongs to
    another account."""
    if ids and names:
        raise InvalidParameter("affinitygroupids", "give either affinitygroupids or affinitygroupnames, not both")
    if names:
        groups = [require_by_name(session, owner, name, "affinitygroupnames") for name in names]
    else:
        groups = list(ids or [])
    for group in groups:
        if group.account_id != owner.id:
            raise InvalidParameter("affinitygroupids", f"affinity group {group.name} ({group.uuid}) does not belong "
                                                       f"to account {owner.name}, which owns the VM")
    return list({group.id: group for group in groups}.values())


def require_supported(session: Session, registry: Any, zone: Any, hypervisor_type: str | None) -> None:
    """Refuse affinity groups for a VM of `hypervisor_type` in `zone` (any of the zone's hypervisors when
    the type is not known yet) unless it declares `affinity_groups`. Raises UnsupportedOperation (432)."""
    hypervisor_support.require_for_vm(session, registry, zone.id, hypervisor_type, CAPABILITY, FEATURE, zone.name)


def join_at_deploy(session: Session, vm: VirtualMachine, groups: Sequence[AffinityGroup]) -> None:
    """Make the just-allocated `vm` a member of `groups` (in the deploy's transaction)."""
    _add_memberships(session, vm, groups)


def replace_groups(session: Session, caller: Caller, vm: VirtualMachine, groups: Sequence[AffinityGroup],
                   registry: Any) -> VirtualMachine:
    """Make `groups` the stopped `vm`'s only groups (updateVMAffinityGroup; an empty list leaves it in none).

    The VM is claimed in state Stopped for the change, so a concurrent start either sees the old groups or
    waits for the new ones. Raises InvalidState unless the VM is Stopped, UnsupportedOperation when its
    hypervisor does not declare `affinity_groups`."""
    if groups:
        hypervisor_support.require_for_vm(session, registry, vm.zone_id, vm.hypervisor_type, CAPABILITY, FEATURE)
    claim(session, vm, VMState.STOPPED, "update the affinity groups of", VMState.STOPPED)
    session.execute(delete(AffinityGroupVMMap).where(AffinityGroupVMMap.vm_id == vm.id))
    _add_memberships(session, vm, groups)
    names = ", ".join(group.name for group in groups) or "none"
    events.record(session, caller, "VM.AG.UPDATE", f"Affinity groups of VM {vm.name}: {names}",
                  account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VirtualMachine",
                  resource_uuid=vm.uuid)
    return vm


def groups_of(session: Session, vm_id: int) -> list[AffinityGroup]:
    """The live groups `vm_id` is in, oldest first."""
    return list(session.scalars(select(AffinityGroup).join(AffinityGroupVMMap, AffinityGroupVMMap.group_id ==
                                                           AffinityGroup.id)
                                .where(AffinityGroupVMMap.vm_id == vm_id, AffinityGroup.removed.is_(None))
                                .order_by(AffinityGroup.id)))


def _add_memberships(session: Session, vm: VirtualMachine, groups: Sequence[AffinityGroup]) -> None:
    for group in groups:
        session.add(AffinityGroupVMMap(group_id=group.id, vm_id=vm.id))
    session.flush()

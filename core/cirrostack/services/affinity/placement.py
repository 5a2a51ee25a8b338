"""What affinity groups ask of the planner: the hosts a VM must avoid because other members of its groups
run there or hold a reservation there (their `host_id` is set from the moment their room is reserved, and a
member being live-migrated also holds its target, recorded by `note_migration` with the target's reservation).

Under concurrency: the caller has already claimed the VM (a conditional UPDATE of its row) when it calls
`restrict_placement` or `require_host_allowed`. Those lock the VM's group rows (SELECT ... FOR UPDATE, in
id order so two VMs sharing groups cannot deadlock) and only then read where the members are; the caller
reserves a host, records it on the VM and commits, which releases the locks. A second placement into the
same group waits for that commit and then sees the first member's host, so two members never pick the same
host. On SQLite, which has no row locks, the claim's UPDATE already holds the database's single write lock
until that commit, which serialises the same steps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import Host, VirtualMachine
from cirrostack.db.models.affinity import AffinityGroup, AffinityGroupVMMap
from cirrostack.errors import InsufficientCapacity
from cirrostack.services.affinity.membership import groups_of
from cirrostack.services.affinity.types import affinity_type
from cirrostack.services.planner import Placement


@dataclass(frozen=True)
class AvoidedHost:
    """A host a VM must not go to, and why: the group and the member VM found there."""

    host_id: int
    group: AffinityGroup
    member_name: str
    migrating: bool = False

    @property
    def reason(self) -> str:
        where = "is being migrated there" if self.migrating else "is there"
        return f"VM {self.member_name} of {self.group.type} group {self.group.name} {where}"


def lock_groups(session: Session, vm_id: int) -> list[AffinityGroup]:
    """The live groups of `vm_id`, their rows locked until the transaction ends, in id order."""
    group_ids = select(AffinityGroupVMMap.group_id).where(AffinityGroupVMMap.vm_id == vm_id)
    return list(session.scalars(select(AffinityGroup).where(AffinityGroup.id.in_(group_ids),
                                                            AffinityGroup.removed.is_(None))
                                .order_by(AffinityGroup.id).with_for_update()))


def avoided_hosts(session: Session, vm: VirtualMachine, groups: list[AffinityGroup],
                  candidate_ids: list[int]) -> dict[int, AvoidedHost]:
    """The hosts among `candidate_ids` that `vm` must avoid by the rules of `groups`, by host id."""
    if not groups:
        return {}
    by_id = {group.id: group for group in groups}
    # group id -> host id -> (a member's name, whether it is only migrating there)
    occupied: dict[int, dict[int, tuple[str, bool]]] = defaultdict(dict)
    rows = session.execute(select(AffinityGroupVMMap.group_id, VirtualMachine.host_id,
                                  AffinityGroupVMMap.migration_host_id, VirtualMachine.name)
                           .join(VirtualMachine, VirtualMachine.id == AffinityGroupVMMap.vm_id)
                           .where(AffinityGroupVMMap.group_id.in_(list(by_id)), VirtualMachine.id != vm.id,
                                  or_(VirtualMachine.host_id.is_not(None),
                                      AffinityGroupVMMap.migration_host_id.is_not(None)),
                                  VirtualMachine.removed.is_(None))
                           .order_by(VirtualMachine.id))
    for group_id, host_id, migration_host_id, member_name in rows:
        if host_id is not None:
            occupied[group_id].setdefault(host_id, (member_name, False))
        if migration_host_id is not None:
            occupied[group_id].setdefault(migration_host_id, (member_name, True))
    avoided: dict[int, AvoidedHost] = {}
    for group_id, hosts in occupied.items():
        group = by_id[group_id]
        for host_id in affinity_type(group.type).avoid(set(hosts), candidate_ids):
            if host_id in hosts:
                avoided.setdefault(host_id, AvoidedHost(host_id, group, *hosts[host_id]))
    return avoided


def restrict_placement(session: Session, vm: VirtualMachine, placement: Placement) -> None:
    """Lock `vm`'s groups and drop the hosts their rules exclude from `placement`.

    Raises InsufficientCapacity (533) naming the groups and hosts when every candidate is excluded."""
    groups = lock_groups(session, vm.id)
    if not groups or not placement.hosts:
        return
    avoided = avoided_hosts(session, vm, groups, [host.id for host in placement.hosts])
    if not avoided:
        return
    left_out = [host for host in placement.hosts if host.id in avoided]
    placement.hosts = [host for host in placement.hosts if host.id not in avoided]
    why = "; ".join(f"host {host.name}: {avoided[host.id].reason}" for host in left_out)
    group_names = ", ".join(sorted({entry.group.name for entry in avoided.values()}))
    if not placement.hosts:
        raise InsufficientCapacity(f"Unable to place VM {vm.name}: insufficient capacity for affinity group(s) "
                                   f"{group_names}: every host with room already holds a member ({why})")
    placement.refusal += f"; left out for affinity group(s) {group_names}: {why}"


def require_host_allowed(session: Session, vm: VirtualMachine, host: Host, param: str = "hostid") -> None:
    """Lock `vm`'s groups and refuse `host` when their rules exclude it (a migration's target).

    Raises InsufficientCapacity (533) naming `param`, the host, the group and the member found there."""
    groups = lock_groups(session, vm.id)
    avoided = avoided_hosts(session, vm, groups, [host.id])
    if host.id in avoided:
        raise InsufficientCapacity(f"{param}: insufficient capacity on host {host.name} for VM {vm.name}: "
                                   f"{avoided[host.id].reason}")


def note_migration(session: Session, vm: VirtualMachine, target_id: int | None) -> None:
    """Record that `vm` is being live-migrated to host `target_id` (None: the migration ended), so that its
    groups' other members avoid the target too; commits with the caller's transaction."""
    session.execute(update(AffinityGroupVMMap).where(AffinityGroupVMMap.vm_id == vm.id)
                    .values(migration_host_id=target_id).execution_options(synchronize_session=False))


def hosts_to_avoid(session: Session, vm: VirtualMachine, candidate_ids: list[int]) -> dict[int, AvoidedHost]:
    """Without locking: the hosts among `candidate_ids` that `vm`'s groups exclude (for listings such as
    findHostsForMigration, which reserve nothing)."""
    return avoided_hosts(session, vm, groups_of(session, vm.id), candidate_ids)

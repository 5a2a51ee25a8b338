"""Pushing rule sets to the hosts that run member VMs.

`refresh_groups` runs after a rule change has committed (the authorize/revoke job), after a deploy
put a VM into groups and after a member was destroyed (`refresh_after_commit`): every running member of
the changed groups, and of groups whose rules name them, gets its whole rule set again. `apply_to_vm`
runs when a member VM has started on its host (or moved to it). Each set's `seq` commits before the
host is called, so a slower, older push can never replace a newer set.

A host that fails to take a set keeps its previous one; the failure is logged and recorded as an
ERROR event (SG.APPLY) naming the VM and the host, and the other hosts still get theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import Host, SecurityGroupRule, SecurityGroupVmMap, VirtualMachine, VMState
from cirrostack.errors import CirroError
from cirrostack.services import events, hypervisor_support
from cirrostack.services._after_commit import after_commit
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.security_groups import rule_sets

log = logging.getLogger(__name__)


def affected_vms(session: Session, group_ids: Iterable[int]) -> list[VirtualMachine]:
    """Running VMs whose rule set depends on `group_ids`: their members, and the members of groups
    with rules naming them. Ordered by id."""
    changed = list(group_ids)
    if not changed:
        return []
    naming = select(SecurityGroupRule.security_group_id).where(SecurityGroupRule.allowed_group_id.in_(changed))
    member_of = select(SecurityGroupVmMap.vm_id).where(SecurityGroupVmMap.security_group_id.in_(changed)
                                                       | SecurityGroupVmMap.security_group_id.in_(naming))
    return list(session.scalars(select(VirtualMachine).where(
        VirtualMachine.id.in_(member_of), VirtualMachine.state == VMState.RUNNING.value,
        VirtualMachine.host_id.is_not(None), VirtualMachine.removed.is_(None)).order_by(VirtualMachine.id)))


def refresh_groups(session: Session, registry: Any, secrets: Any, group_ids: Iterable[int]) -> list[str]:
    """Push the current rule set of every VM `affected_vms` finds; commits. Returns the failures, one
    line each (empty when every host took its set)."""
    session.commit()
    return [problem for vm in affected_vms(session, group_ids)
            if (problem := apply_to_vm(session, registry, secrets, vm)) is not None]


def apply_to_vm(session: Session, registry: Any, secrets: Any, vm: VirtualMachine) -> str | None:
    """Push `vm`'s rule set to its host when it belongs to a group and runs there; commits.
    Returns None on success (or when there is nothing to push), else the failure as one line."""
    if vm.host_id is None or not rule_sets.group_ids_of(session, vm.id):
        return None
    host = session.get(Host, vm.host_id)
    if not hypervisor_support.supports(registry, host.hypervisor_type, "security_groups"):
        return _failed(session, vm, host, f"hypervisor {host.hypervisor_type} does not declare security_groups")
    rules = rule_sets.compute(session, vm, rule_sets.next_seq(session, vm.id))
    session.commit()
    try:
        registry.hypervisor(host.hypervisor_type).apply_security_rules(host_ref(host, secrets), rules)
    except CirroError as error:
        session.rollback()
        return _failed(session, vm, host, str(error))
    return None


def remove_from_host(registry: Any, secrets: Any, host: Host, instance_name: str) -> None:
    """Tell `host` to stop enforcing rules for `instance_name` (its VM stopped or left); a host whose
    hypervisor has no security groups is left alone. Failures are logged, never raised."""
    if not hypervisor_support.supports(registry, host.hypervisor_type, "security_groups"):
        return
    try:
        registry.hypervisor(host.hypervisor_type).remove_security_rules(host_ref(host, secrets), instance_name)
    except CirroError:
        log.warning("host %s: could not remove the security rules of %s", host.name, instance_name, exc_info=True)


def remove_after_stop(session: Session, registry: Any, secrets: Any, host: Host | None, vm: VirtualMachine) -> None:
    """`vm` stopped on `host`: the host stops enforcing its rules (its next start applies them again)."""
    if host is not None and rule_sets.group_ids_of(session, vm.id):
        remove_from_host(registry, secrets, host, vm.instance_name)


def _failed(session: Session, vm: VirtualMachine, host: Host, reason: str) -> str:
    problem = f"security rules of VM {vm.name} were not applied on host {host.name}: {reason}"
    log.warning("%s", problem)
    events.record(session, None, "SG.APPLY", problem, level="ERROR", account_id=vm.account_id,
                  domain_id=vm.domain_id, resource_type="VirtualMachine", resource_uuid=vm.uuid)
    session.commit()
    return problem


def refresh_after_commit(session: Session, registry: Any, secrets: Any, vm: VirtualMachine) -> None:
    """`vm` stops counting as a member address (it is being destroyed): once that change has committed,
    push again the rule sets of the groups whose rules name its groups, in a session of its own."""
    group_ids = rule_sets.group_ids_of(session, vm.id)
    if not group_ids:
        return
    bind = session.get_bind()

    def push() -> None:
        with Session(bind) as fresh:
            refresh_groups(fresh, registry, secrets, group_ids)

    after_commit(session, push)

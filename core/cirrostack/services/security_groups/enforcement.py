"""Pushing rule sets to the hosts that run member VMs.

`refresh_groups` runs after a rule change has committed (the authorize/revoke job), after a deploy
put a VM into groups and after a member was destroyed (`refresh_after_commit`): every running member of
the changed groups, and of groups whose rules name them, gets its whole rule set again. `apply_to_vm`
runs when a member VM has started on its host (or moved to it). Each set's `seq` commits before the
host is called, so a slower, older push can never replace a newer set.

A host that fails to take a set keeps its previous one; the failure is logged and recorded as an
ERROR event (SG.APPLY) naming the VM and the host, and the other hosts still get theirs. As in CloudStack,
the rules stay recorded and the set is pushed again later: each VM's `applied_seq` says which set its host
took last, and `retry_on_host` pushes a newer set to every VM on a host whose host is behind. It runs when a
host answers again (the host monitor, reconnectHost) and after any push a host took (`refresh_groups`).
`require_applied` turns the failures of a rule change into the job's error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    Host,
    SecurityGroupRule,
    SecurityGroupVmMap,
    SecurityRuleSetVersion,
    VirtualMachine,
    VMState,
)
from cirrostack.errors import CirroError, ResourceUnavailable
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
    """Push the current rule set of every VM `affected_vms` finds, then retry the VMs still behind on
    the hosts that took a set; commits. Returns the failures, one line each (empty when every host took
    its set)."""
    session.commit()
    problems: dict[int, tuple[int, str]] = {}  # VM id -> (host id, failure)
    answering: set[int] = set()
    for vm in affected_vms(session, group_ids):
        problem = apply_to_vm(session, registry, secrets, vm)
        if problem is None:
            answering.add(vm.host_id)
        else:
            problems[vm.id] = (vm.host_id, problem)
    for host_id in sorted(answering):
        host = session.get(Host, host_id)
        retry_on_host(session, registry, secrets, host)
        still_behind = {vm.id for vm in behind_on_host(session, host)}
        for vm_id in [vm_id for vm_id, (on, _) in problems.items() if on == host_id and vm_id not in still_behind]:
            del problems[vm_id]  # the retry got it there
    return [problem for _host_id, problem in problems.values()]


def require_applied(problems: list[str], change: str) -> None:
    """Raise ResourceUnavailable when a rule change (`change`, e.g. "authorizing 1 ingress rule(s) in
    security group web") reached the database but not every host: the job must not report plain success.
    The message names each VM and host; the hosts get the sets again when they answer."""
    if problems:
        raise ResourceUnavailable(f"{change} is recorded, but {'; '.join(problems)}; the host gets the rules "
                                  f"again when it answers again (or with the next push to it)")


def behind_on_host(session: Session, host: Host) -> list[VirtualMachine]:
    """Running VMs on `host` whose host has not taken their newest rule set, ordered by id."""
    behind = select(SecurityRuleSetVersion.vm_id).where(SecurityRuleSetVersion.applied_seq < SecurityRuleSetVersion.seq)
    return list(session.scalars(select(VirtualMachine).where(
        VirtualMachine.id.in_(behind), VirtualMachine.host_id == host.id,
        VirtualMachine.state == VMState.RUNNING.value, VirtualMachine.removed.is_(None)).order_by(VirtualMachine.id)))


def retry_on_host(session: Session, registry: Any, secrets: Any, host: Host | None) -> list[str]:
    """Push a fresh rule set to each VM on `host` that is behind (`behind_on_host`); commits. Returns
    the failures, one line each (each also an ERROR event, as for any push)."""
    if host is None:
        return []
    vms = behind_on_host(session, host)
    if vms:
        log.info("host %s: pushing the security rules of %d VM(s) again", host.name, len(vms))
    return [problem for vm in vms if (problem := apply_to_vm(session, registry, secrets, vm)) is not None]


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
    # A False answer means the host holds a newer set already: it is not behind either.
    session.execute(update(SecurityRuleSetVersion).where(SecurityRuleSetVersion.vm_id == vm.id,
                                                         SecurityRuleSetVersion.applied_seq < rules.seq)
                    .values(applied_seq=rules.seq).execution_options(synchronize_session=False))
    session.commit()
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

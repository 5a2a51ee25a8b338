"""createVMSnapshot, revertToVMSnapshot, deleteVMSnapshot and listVMSnapshot.

Each request is checked (VM state, the hypervisor's declared capabilities, vmsnapshot.max) before
any driver call, then handed to the strategy `registry.vm_snapshot_strategy_for` chooses. The row's
state is committed before the strategy runs, so a failing call leaves the snapshot in Error rather
than silently gone, and no database transaction stays open while the hypervisor works.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from cirrostack.db.models.accounts import Domain
from cirrostack.db.models.compute import VirtualMachine, VMState, Volume
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.storage import StoragePool
from cirrostack.db.models.vm_snapshots import VMSnapshot, VMSnapshotState, VMSnapshotType
from cirrostack.db.paging import fetch_page
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter, InvalidState, UnsupportedOperation
from cirrostack.hookspecs.hypervisor import PowerState, SnapshotSpec
from cirrostack.hookspecs.vm_snapshot import SnapshotTarget
from cirrostack.plugins import PluginRegistry
from cirrostack.services import events, planner, scope, settings
from cirrostack.services.context import Caller
from cirrostack.services.infrastructure.hosts import host_ref
from cirrostack.services.usage.events import record_usage_event
from cirrostack.services.vms.spec import vm_ref

_SNAPSHOTTABLE = (VMState.RUNNING, VMState.STOPPED)

scope.register_entity("VMSnapshot", VMSnapshot, scope.account_owned(VMSnapshot.account_id))


def allocate(session: Session, caller: Caller, registry: PluginRegistry, vm: VirtualMachine, *,
             display_name: str | None = None, description: str | None = None, memory: bool = False) -> VMSnapshot:
    """Check the request and record a new snapshot in state Allocated (createVMSnapshot's first step).

    Raises InvalidState naming the VM's state unless it is Running or Stopped (memory snapshots need
    Running), UnsupportedOperation (432) when its hypervisor does not declare `vm_snapshots` (or
    `vm_snapshot_memory` for `snapshotmemory=true`), InvalidParameter when the VM already has
    vmsnapshot.max snapshots or a snapshot with this display name."""
    if VMState(vm.state) not in _SNAPSHOTTABLE:
        raise InvalidState(f"Unable to snapshot VM {vm.name} ({vm.uuid}): it is in state {vm.state}, "
                           "it must be Running or Stopped")
    _require_hypervisor_support(registry, vm, memory=memory)
    if vm.host_id is None and vm.last_host_id is None:
        raise InvalidState(f"VM {vm.name} ({vm.uuid}) has never run on a host; start it before taking a VM snapshot")
    if memory and vm.state != VMState.RUNNING:
        raise InvalidParameter("snapshotmemory", f"VM {vm.name} is {vm.state}; a snapshot with memory needs a "
                                                 "Running VM")
    live = select(func.count()).select_from(VMSnapshot).where(VMSnapshot.vm_id == vm.id, VMSnapshot.removed.is_(None))
    limit = int(settings.value(session, "vmsnapshot.max"))
    if session.scalar(live) >= limit:
        raise InvalidParameter("virtualmachineid", f"VM {vm.name} already has {limit} VM snapshots, the most "
                                                   "vmsnapshot.max allows; delete one first")
    if display_name and session.scalar(live.where(VMSnapshot.display_name == display_name)):
        raise InvalidParameter("name", f"VM {vm.name} already has a VM snapshot named {display_name!r}")
    instance_name = vm_ref(vm).instance_name
    snapshot = VMSnapshot(name=f"{instance_name}_VS_{utcnow():%Y%m%d%H%M%S}", display_name=display_name,
                          description=description, vm_id=vm.id, account_id=vm.account_id, domain_id=vm.domain_id,
                          zone_id=vm.zone_id, state=VMSnapshotState.ALLOCATED.value,
                          snapshot_type=(VMSnapshotType.DISK_AND_MEMORY if memory else VMSnapshotType.DISK).value)
    if session.scalar(live.where(VMSnapshot.name == snapshot.name)):
        raise InvalidParameter("virtualmachineid", f"VM {vm.name} already has the snapshot {snapshot.name} taken "
                                                   "this second; try again")
    session.add(snapshot)
    session.flush()
    events.record(session, caller, "VMSNAPSHOT.CREATE", f"creating VM snapshot {snapshot.name} of VM {vm.name}",
                 account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VMSnapshot",
                 resource_uuid=snapshot.uuid, state="Scheduled")
    return snapshot


def take(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, snapshot: VMSnapshot,
         *, quiesce: bool = False) -> VMSnapshot:
    """Take the allocated `snapshot` through the chosen strategy; it becomes the VM's current one.
    On failure the snapshot is left in state Error and the error is raised."""
    vm = session.get(VirtualMachine, snapshot.vm_id)
    if snapshot.state != VMSnapshotState.ALLOCATED:
        raise InvalidState(f"VM snapshot {snapshot.name} is {snapshot.state}; only an Allocated one can be taken")
    try:
        target = _target(session, registry, secrets, vm)
        strategy = registry.vm_snapshot_strategy_for(target)
    except Exception:
        snapshot.state = VMSnapshotState.ERROR.value
        session.commit()
        raise
    parent = _current(session, vm)
    snapshot.state = VMSnapshotState.CREATING.value
    snapshot.strategy_name = strategy.strategy_name
    session.commit()
    memory = snapshot.snapshot_type == VMSnapshotType.DISK_AND_MEMORY
    spec = SnapshotSpec(snapshot.name, with_memory=memory, quiesce=quiesce, description=snapshot.description or "")
    _run(session, snapshot, VMSnapshotState.ERROR, strategy.take_snapshot, target, spec)
    _set_current(session, vm, snapshot)
    snapshot.parent_id = parent.id if parent is not None else None
    snapshot.state = VMSnapshotState.READY.value
    events.record(session, caller, "VMSNAPSHOT.CREATE", f"created VM snapshot {snapshot.name} of VM {vm.name}",
                 account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VMSnapshot",
                 resource_uuid=snapshot.uuid)
    return snapshot


def revert(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any,
           snapshot: VMSnapshot) -> VirtualMachine:
    """Return the VM to `snapshot`. Afterwards it runs when the snapshot holds memory (capacity is
    reserved on its host first when it was stopped) and is stopped otherwise (its reservation is
    released). Raises InvalidState naming the snapshot's or the VM's state."""
    vm = session.get(VirtualMachine, snapshot.vm_id)
    if snapshot.state != VMSnapshotState.READY:
        raise InvalidState(f"VM snapshot {snapshot.name} is {snapshot.state}; only a Ready one can be reverted to")
    if VMState(vm.state) not in _SNAPSHOTTABLE:
        raise InvalidState(f"Unable to revert VM {vm.name} ({vm.uuid}) to {snapshot.name}: it is in state "
                           f"{vm.state}, it must be Running or Stopped")
    _require_hypervisor_support(registry, vm, memory=False)
    target = _target(session, registry, secrets, vm)
    strategy = registry.vm_snapshot_strategy(snapshot.strategy_name or "")
    was_running = vm.state == VMState.RUNNING
    host_id = vm.host_id or vm.last_host_id
    with_memory = snapshot.snapshot_type == VMSnapshotType.DISK_AND_MEMORY
    if with_memory and not was_running:
        planner.reserve_host(session, zone=session.get(Zone, vm.zone_id), cpus=vm.cpus,
                             cpu_speed_mhz=vm.cpu_speed_mhz, memory_mb=vm.memory_mb,
                             required_host=session.get(Host, host_id), hypervisor=vm.hypervisor_type)
    snapshot.state = VMSnapshotState.REVERTING.value
    session.commit()
    try:
        power = strategy.revert_snapshot(target, snapshot.name)
    except Exception:
        session.rollback()
        snapshot.state = VMSnapshotState.READY.value
        if with_memory and not was_running:
            planner.release_host(session, host_id, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb)
        session.commit()
        raise
    if power is PowerState.RUNNING:
        vm.state, vm.host_id = VMState.RUNNING.value, host_id
        if not was_running:
            _metered(session, vm, "VM.START")
    else:
        if was_running:
            planner.release_host(session, host_id, vm.cpus, vm.cpu_speed_mhz, vm.memory_mb)
            _metered(session, vm, "VM.STOP")
        vm.state, vm.host_id, vm.last_host_id = VMState.STOPPED.value, None, host_id
    _set_current(session, vm, snapshot)
    snapshot.state = VMSnapshotState.READY.value
    events.record(session, caller, "VMSNAPSHOT.REVERTTO", f"reverted VM {vm.name} to VM snapshot {snapshot.name}",
                 account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VMSnapshot",
                 resource_uuid=snapshot.uuid)
    return vm


def delete(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, snapshot: VMSnapshot) -> None:
    """Remove `snapshot`; its children get its parent, and its parent becomes current if it was.
    A snapshot that never became Ready (Allocated or Error) is removed without a strategy call."""
    vm = session.get(VirtualMachine, snapshot.vm_id)
    if snapshot.state in (VMSnapshotState.CREATING, VMSnapshotState.REVERTING, VMSnapshotState.EXPUNGING):
        raise InvalidState(f"VM snapshot {snapshot.name} is {snapshot.state}; wait until that finishes")
    if snapshot.state == VMSnapshotState.READY:
        target = _target(session, registry, secrets, vm)
        strategy = registry.vm_snapshot_strategy(snapshot.strategy_name or "")
        snapshot.state = VMSnapshotState.EXPUNGING.value
        session.commit()
        _run(session, snapshot, VMSnapshotState.READY, strategy.delete_snapshot, target, snapshot.name)
    session.execute(update(VMSnapshot).where(VMSnapshot.parent_id == snapshot.id)
                    .values(parent_id=snapshot.parent_id).execution_options(synchronize_session=False))
    if snapshot.current and snapshot.parent_id is not None:
        session.get(VMSnapshot, snapshot.parent_id).current = True
    snapshot.current = False
    snapshot.state = VMSnapshotState.REMOVED.value
    snapshot.mark_removed()
    events.record(session, caller, "VMSNAPSHOT.DELETE", f"deleted VM snapshot {snapshot.name} of VM {vm.name}",
                 account_id=vm.account_id, domain_id=vm.domain_id, resource_type="VMSnapshot",
                 resource_uuid=snapshot.uuid)


def list_snapshots(session: Session, caller: Caller, *, snapshot: VMSnapshot | None = None,
                   vm: VirtualMachine | None = None, state: str | None = None, name: str | None = None,
                   keyword: str | None = None, account: str | None = None, domain: Domain | None = None,
                   isrecursive: bool = False, listall: bool = False, page: int = 1,
                   pagesize: int | None = None) -> tuple[list[VMSnapshot], int]:
    """The VM snapshots the caller may see, newest first, filtered as listVMSnapshot's parameters say.
    Snapshots of an expunged VM went with it and are not listed."""
    owners = scope.list_scope(session, caller, account=account, domain=domain, isrecursive=isrecursive,
                              listall=listall, by_id=snapshot is not None or vm is not None)
    statement = owners.apply(scope.visible(caller, "VMSnapshot"), VMSnapshot.account_id).where(
        VMSnapshot.vm_id.in_(select(VirtualMachine.id).where(VirtualMachine.removed.is_(None))))
    if snapshot is not None:
        statement = statement.where(VMSnapshot.id == snapshot.id)
    if vm is not None:
        statement = statement.where(VMSnapshot.vm_id == vm.id)
    if state is not None:
        statement = statement.where(func.lower(VMSnapshot.state) == state.lower())
    if name is not None:
        statement = statement.where(or_(VMSnapshot.display_name == name, VMSnapshot.name == name))
    if keyword:
        pattern = f"%{keyword}%"
        statement = statement.where(or_(VMSnapshot.name.like(pattern), VMSnapshot.display_name.like(pattern)))
    return fetch_page(session, statement.order_by(VMSnapshot.id.desc()), page, pagesize)


def parent_name(session: Session, snapshot: VMSnapshot) -> str | None:
    """The name of the snapshot `snapshot` was taken on top of, if any."""
    return session.scalar(select(VMSnapshot.name).where(VMSnapshot.id == snapshot.parent_id)) \
        if snapshot.parent_id else None


# -- internals ---------------------------------------------------------------------------------------


def _require_hypervisor_support(registry: PluginRegistry, vm: VirtualMachine, *, memory: bool) -> None:
    hypervisor_type = vm.hypervisor_type or ""
    capabilities = registry.hypervisor_class(hypervisor_type).capabilities
    if not capabilities.vm_snapshots:
        raise UnsupportedOperation(f"hypervisor {hypervisor_type}", "vm_snapshots",
                                   f"VM {vm.name} cannot have VM snapshots on this hypervisor")
    if memory and not capabilities.vm_snapshot_memory:
        raise UnsupportedOperation(f"hypervisor {hypervisor_type}", "vm_snapshot_memory",
                                   "snapshotmemory=true is not available; take a disk-only snapshot")


def _target(session: Session, registry: PluginRegistry, secrets: Any, vm: VirtualMachine) -> SnapshotTarget:
    host = session.get(Host, vm.host_id or vm.last_host_id) if (vm.host_id or vm.last_host_id) else None
    if host is None:
        raise InvalidState(f"VM {vm.name} ({vm.uuid}) has never run on a host; start it before using VM snapshots")
    providers = frozenset(session.scalars(
        select(StoragePool.provider).where(StoragePool.id.in_(_pool_ids(vm)))))
    return SnapshotTarget(vm_ref(vm), host_ref(host, secrets), vm.hypervisor_type or "", providers,
                          registry.hypervisor(vm.hypervisor_type or ""))


def _pool_ids(vm: VirtualMachine) -> Any:
    return select(Volume.pool_id).where(Volume.vm_id == vm.id, Volume.removed.is_(None), Volume.pool_id.is_not(None))


def _current(session: Session, vm: VirtualMachine) -> VMSnapshot | None:
    return session.scalars(select(VMSnapshot).where(VMSnapshot.vm_id == vm.id, VMSnapshot.current.is_(True),
                                                    VMSnapshot.removed.is_(None))).first()


def _set_current(session: Session, vm: VirtualMachine, snapshot: VMSnapshot) -> None:
    session.execute(update(VMSnapshot).where(VMSnapshot.vm_id == vm.id, VMSnapshot.id != snapshot.id)
                    .values(current=False).execution_options(synchronize_session=False))
    snapshot.current = True


def _metered(session: Session, vm: VirtualMachine, event_type: str) -> None:
    """A revert that starts or stops the VM is metered like startVirtualMachine / stopVirtualMachine."""
    offering = session.get(ServiceOffering, vm.service_offering_id)
    details = ({"cpuNumber": vm.cpus, "cpuSpeed": vm.cpu_speed_mhz, "memory": vm.memory_mb}
               if offering is not None and offering.is_customized else None)
    record_usage_event(session, event_type, account_id=vm.account_id, domain_id=vm.domain_id, zone_id=vm.zone_id,
                       resource_id=vm.id, resource_uuid=vm.uuid, resource_name=vm.name,
                       offering_id=vm.service_offering_id, template_id=vm.template_id, details=details)


def _run(session: Session, snapshot: VMSnapshot, on_failure: VMSnapshotState, method: Any, *args: Any) -> Any:
    """Call a strategy method; on failure record `on_failure` as the snapshot's state, commit, re-raise."""
    try:
        return method(*args)
    except Exception:
        session.rollback()
        snapshot.state = on_failure.value
        session.commit()
        raise


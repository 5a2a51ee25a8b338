"""createVMSnapshot (async create), listVMSnapshot and deleteVMSnapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.vm_snapshots._views import VMSNAPSHOT_LIST_RESPONSE, VMSNAPSHOT_RESPONSE, vm_snapshot_view
from cirrostack.api.declaration import (
    ACCOUNT_SCOPE_PARAMS,
    LIST_PARAMS,
    Call,
    Command,
    CommandKind,
    ListResult,
    Param,
)
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain, VirtualMachine
from cirrostack.db.models.vm_snapshots import VMSnapshot
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vm_snapshots import service

_PACKAGE = "org.apache.cloudstack.api.command.user.vmsnapshot."
RELATED = ("createVMSnapshot", "listVMSnapshot", "revertToVMSnapshot", "deleteVMSnapshot")

CREATE_VM_SNAPSHOT = Command(
    "createVMSnapshot", "Creates snapshot for a vm.", response=VMSNAPSHOT_RESPONSE, is_async=True, creates=True,
    roles=ANY_ROLE, since="4.2.0", java_class=_PACKAGE + "CreateVMSnapshotCmd", related=RELATED,
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "The ID of the vm", required=True),
            Param("name", String(), "The display name of the snapshot"),
            Param("description", String(), "The description of the snapshot"),
            Param("snapshotmemory", Boolean(), "snapshot memory if true (the VM must be Running and its hypervisor "
                                               "must declare memory snapshots)"),
            Param("quiescevm", Boolean(), "quiesce vm if true")))

LIST_VM_SNAPSHOT = Command(
    "listVMSnapshot", "List virtual machine snapshot by conditions", kind=CommandKind.LIST,
    response=VMSNAPSHOT_LIST_RESPONSE, roles=ANY_ROLE, since="4.2.0",
    java_class=_PACKAGE + "ListVMSnapshotCmd", related=RELATED,
    params=(Param("vmsnapshotid", Uuid("VMSnapshot"), "The ID of the VM snapshot"),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the vm"),
            Param("state", String(), "state of the virtual machine snapshot"),
            Param("name", String(), "lists snapshot by snapshot name or display name"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))

DELETE_VM_SNAPSHOT = Command(
    "deleteVMSnapshot", "Deletes a vmsnapshot.", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    since="4.2.0", java_class=_PACKAGE + "DeleteVMSnapshotCmd",
    params=(Param("vmsnapshotid", Uuid("VMSnapshot"), "The ID of the VM snapshot", required=True),))


@CREATE_VM_SNAPSHOT.prepare
def prepare_vm_snapshot(call: Call, virtualmachineid: VirtualMachine, name: str | None = None,
                        description: str | None = None, snapshotmemory: bool = False, **_later: Any) -> str:
    snapshot = service.allocate(call.session, call.caller, call.registry, virtualmachineid, display_name=name,
                                description=description, memory=snapshotmemory)
    return snapshot.uuid


@CREATE_VM_SNAPSHOT.handler
def create_vm_snapshot(call: Call, id: str, quiescevm: bool = False, **_arguments: Any) -> dict[str, Any]:
    snapshot = call.session.scalars(select(VMSnapshot).where(VMSnapshot.uuid == id)).one()
    service.take(call.session, call.caller, call.registry, call.secrets, snapshot, quiesce=quiescevm)
    return vm_snapshot_view(call.session, snapshot)


@LIST_VM_SNAPSHOT.handler
def list_vm_snapshots(call: Call, vmsnapshotid: VMSnapshot | None = None,
                      virtualmachineid: VirtualMachine | None = None,
                      state: str | None = None, name: str | None = None, keyword: str | None = None,
                      account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                      listall: bool = False, **_ignored: Any) -> ListResult:
    rows, count = service.list_snapshots(
        call.session, call.caller, snapshot=vmsnapshotid, vm=virtualmachineid, state=state, name=name,
        keyword=keyword, account=account, domain=domainid, isrecursive=isrecursive, listall=listall,
        page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([vm_snapshot_view(call.session, row) for row in rows], count)


@DELETE_VM_SNAPSHOT.handler
def delete_vm_snapshot(call: Call, vmsnapshotid: VMSnapshot) -> None:
    service.delete(call.session, call.caller, call.registry, call.secrets, vmsnapshotid)

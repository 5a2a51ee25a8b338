"""migrateVirtualMachine (async, root admin): live-migrate a running VM to another host."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Host
from cirrostack.db.models.storage import StoragePool
from cirrostack.errors import MissingParameter
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.vms import migration

MIGRATE_VM = Command(
    "migrateVirtualMachine", "Attempts Migration of a VM to a different host or Root volume of the vm to a different "
                             "storage pool",
    response=VM_RESPONSE, is_async=True, roles=ROOT_ADMIN,
    java_class="org.apache.cloudstack.api.command.admin.vm.MigrateVMCmd",
    related=("findHostsForMigration", "listVirtualMachines"),
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine", required=True),
            Param("hostid", Uuid("Host"), "Destination Host ID to migrate VM to. Required for live migrating a VM "
                                          "from host to host"),
            Param("storageid", Uuid("StoragePool"), "Destination storage pool ID to migrate VM volumes to. Required "
                                                    "for migrating the root disk volume")))


@MIGRATE_VM.handler
def migrate_vm(call: Call, virtualmachineid: VirtualMachine, hostid: Host | None = None,
               storageid: StoragePool | None = None) -> dict[str, Any]:
    if storageid is not None:
        migration.refuse_stopped_vm_storage_move(virtualmachineid)
    if hostid is None:
        raise MissingParameter("migrateVirtualMachine", "hostid")
    vm = migration.migrate(call.session, call.caller, virtualmachineid, hostid, call.registry, call.secrets)
    return vm_response(call.session, vm, call.caller)

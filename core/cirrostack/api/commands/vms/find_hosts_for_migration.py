"""findHostsForMigration (root admin): the hosts a running VM could be live-migrated to."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.infrastructure._views import HOST_RESPONSE, host_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Uuid
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.vms import migration
from cirrostack.services.vms.migration import MigrationCandidate

MIGRATION_HOST_RESPONSE = Response("host", (
    *HOST_RESPONSE.fields,
    Field("suitableformigration", "boolean", "true if this host has enough CPU and RAM capacity to migrate a VM "
                                             "to it, false otherwise"),
    Field("requiresStorageMotion", "boolean", "true if migrating a vm to this host requires storage motion, false "
                                              "otherwise"),
    Field("cpuallocated", "string", "the amount of the host's CPU currently allocated"),
    Field("memoryallocated", "long", "the amount of the host's memory currently allocated"),
), instance_type="Host")

FIND_HOSTS_FOR_MIGRATION = Command(
    "findHostsForMigration", "Find hosts suitable for migrating a virtual machine.", kind=CommandKind.LIST,
    response=MIGRATION_HOST_RESPONSE, roles=ROOT_ADMIN,
    java_class="org.apache.cloudstack.api.command.admin.host.FindHostsForMigrationCmd",
    related=("migrateVirtualMachine",),
    params=(Param("virtualmachineid", Uuid("VirtualMachine"), "find hosts to which this VM can be migrated and "
                                                              "flag the hosts with enough CPU/RAM to host the VM",
                  required=True),
            *LIST_PARAMS))


def _candidate_view(candidate: MigrationCandidate) -> dict[str, Any]:
    view = host_view(candidate.host)
    percent = 100.0 * candidate.cpu_used_mhz / candidate.cpu_total_mhz if candidate.cpu_total_mhz else 0.0
    view.update({"suitableformigration": candidate.suitable,
                 "requiresStorageMotion": candidate.requires_storage_motion,
                 "cpuallocated": f"{percent:.2f}%",
                 "memorytotal": candidate.memory_total_bytes,
                 "memoryallocated": candidate.memory_used_bytes})
    return view


@FIND_HOSTS_FOR_MIGRATION.handler
def find_hosts_for_migration(call: Call, virtualmachineid: VirtualMachine, **_ignored: Any) -> ListResult:
    candidates = migration.find_hosts_for_migration(call.session, virtualmachineid)
    page, size = call.paging.page, call.paging.pagesize
    shown = candidates if size is None else candidates[(page - 1) * size:page * size]
    return ListResult([_candidate_view(candidate) for candidate in shown], len(candidates))

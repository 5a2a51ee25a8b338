"""listCpuSockets: cirrostack's command for the CPU-socket report (not a CloudStack 4.3 command).

CloudStack 4.3 had no API for it; its UI summed `cpusockets` over listHosts per hypervisor.
This command returns the same figures in one call: per hypervisor type (every installed one,
and any type a host still has), the number of hypervisor hosts and of their CPU sockets.
"""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Uuid
from cirrostack.db.models.infrastructure import Zone
from cirrostack.services.context import RESOURCE_ADMIN, ROOT_ADMIN
from cirrostack.services.sockets_report import sockets_report

CPU_SOCKETS_RESPONSE = Response("cpusockets", (
    Field("hypervisor", "string", "the hypervisor type"),
    Field("hosts", "integer", "the number of hypervisor hosts of this type"),
    Field("cpusockets", "integer", "the number of CPU sockets of those hosts"),
))

LIST_CPU_SOCKETS = Command(
    "listCpuSockets", "Reports, per hypervisor type, the number of hosts and of their CPU sockets "
                      "(a cirrostack command; CloudStack 4.3's UI computed it from listHosts).",
    kind=CommandKind.LIST, response=CPU_SOCKETS_RESPONSE, roles=ROOT_ADMIN | RESOURCE_ADMIN,
    params=(Param("zoneid", Uuid("Zone"), "count only the hosts of this zone"), *LIST_PARAMS))


@LIST_CPU_SOCKETS.handler
def list_cpu_sockets(call: Call, zoneid: Zone | None = None, keyword: str | None = None,
                     **_paging: Any) -> ListResult:
    report = sockets_report(call.session, call.registry.hypervisor_types(), zone_id=zoneid.id if zoneid else None)
    rows = [{"hypervisor": row.hypervisor, "hosts": row.hosts, "cpusockets": row.sockets} for row in report
            if not keyword or keyword.lower() in row.hypervisor.lower()]
    return ListResult(call.paging.slice(rows), len(rows))

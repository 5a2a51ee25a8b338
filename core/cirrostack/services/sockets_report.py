"""The CPU-socket report: per hypervisor type, how many hosts and CPU sockets the cloud has.

CloudStack 4.3's UI summed `cpusockets` over listHosts per hypervisor; this is the same count
in one query, used by the listCpuSockets command and `cirro report sockets`. Hypervisor hosts
(type Routing) that are not removed count, whatever their state.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Host, HostType


@dataclass(frozen=True)
class SocketCount:
    hypervisor: str
    hosts: int
    sockets: int


def sockets_report(session: Session, hypervisor_types: Iterable[str] = (),
                   zone_id: int | None = None) -> list[SocketCount]:
    """One row per hypervisor type in `hypervisor_types` (the installed ones, shown even with no
    host) and per type any host has, sorted by type."""
    statement = (select(Host.hypervisor_type, func.count(Host.id), func.coalesce(func.sum(Host.cpu_sockets), 0))
                 .where(Host.removed.is_(None), Host.type == HostType.ROUTING.value)
                 .group_by(Host.hypervisor_type))
    if zone_id is not None:
        statement = statement.where(Host.zone_id == zone_id)
    counted = {hypervisor: (int(hosts), int(sockets)) for hypervisor, hosts, sockets in session.execute(statement)}
    names = {name.lower(): name for name in hypervisor_types}
    for hypervisor in counted:
        names.setdefault(hypervisor.lower(), hypervisor)
    rows = []
    for key in sorted(names):
        hosts = sockets = 0
        for hypervisor, (host_count, socket_count) in counted.items():
            if hypervisor.lower() == key:
                hosts, sockets = hosts + host_count, sockets + socket_count
        rows.append(SocketCount(names[key], hosts, sockets))
    return rows

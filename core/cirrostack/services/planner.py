"""The deployment planner: choose a host with room for a VM and reserve that room atomically.

A host is a candidate when it is a live Routing host in the zone, Up, with resource state Enabled,
in a pod and cluster whose allocation state is Enabled, of the requested hypervisor type, carrying
every requested host tag, and not in `avoid`. Its total CPU (cores x MHz) and memory are multiplied by
the cluster's `cpu.overprovisioning.factor` / `mem.overprovisioning.factor`.

Reservations live in `host_reservations`, one row per host. A reservation is one conditional UPDATE:

    UPDATE host_reservations SET cpu_mhz = cpu_mhz + :cpu, memory_bytes = memory_bytes + :mem
    WHERE host_id = :host AND cpu_mhz + :cpu <= :cpu_total AND memory_bytes + :mem <= :mem_total

The database evaluates the condition and the write under the row's write lock (InnoDB row lock on
MariaDB, the database write lock on SQLite), so a row count of 1 means the room was there and is now
ours; 0 means someone else took it and the next candidate is tried. No host is ever overcommitted,
however many deploys run at once. The reservation commits with the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, bindparam, case, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, lazyload

from cirrostack.db.models.compute import HostReservation
from cirrostack.db.models.infrastructure import (
    AllocationState,
    Cluster,
    Host,
    HostState,
    HostTag,
    HostType,
    Pod,
    ResourceState,
    Zone,
)
from cirrostack.errors import InsufficientCapacity
from cirrostack.services import capacity, settings

MIB = 1024 * 1024


def candidate_hosts(session: Session, *, zone: Zone, host_tags: Iterable[str] = (), hypervisor: str | None = None,
                    avoid: Iterable[int] = (), cluster_id: int | None = None) -> list[Host]:
    """Hosts of `zone` (of `cluster_id` when given) that may take a new VM, least reserved memory first."""
    statement = (
        select(Host)
        .join(Cluster, Cluster.id == Host.cluster_id)
        .join(Pod, Pod.id == Host.pod_id)
        .outerjoin(HostReservation, HostReservation.host_id == Host.id)
        .where(Host.zone_id == zone.id, Host.removed.is_(None), Host.type == HostType.ROUTING.value,
               Host.state == HostState.UP.value, Host.resource_state == ResourceState.ENABLED.value,
               Cluster.allocation_state == AllocationState.ENABLED.value,
               Pod.allocation_state == AllocationState.ENABLED.value)
        .order_by(HostReservation.memory_bytes.is_not(None), HostReservation.memory_bytes, Host.id)
        .options(lazyload("*"))  # the planner reads host columns only; relations load on demand
    )
    if hypervisor:
        statement = statement.where(Host.hypervisor_type == hypervisor)
    if cluster_id is not None:
        statement = statement.where(Host.cluster_id == cluster_id)
    for tag in {tag for tag in host_tags if tag}:
        statement = statement.where(select(HostTag.id).where(HostTag.host_id == Host.id, HostTag.tag == tag).exists())
    avoided = set(avoid)
    return [host for host in session.scalars(statement) if host.id not in avoided]


@dataclass
class Placement:
    """Where a VM may go, read before anything is locked (`plan`): the candidate hosts in the order to try
    them, the room to reserve, and the refusal to raise when none has it. `reserve` then only writes."""

    hosts: list[Host]
    cpu_mhz: int
    memory_bytes: int
    refusal: str
    factors: dict[int, tuple[float, float]] = field(default_factory=dict)


def plan(session: Session, *, zone: Zone, cpus: int, cpu_speed_mhz: int, memory_mb: int,
         host_tags: Iterable[str] = (), hypervisor: str | None = None, avoid: Iterable[int] = (),
         required_host: Host | None = None, cluster_id: int | None = None,
         preferred_host_id: int | None = None) -> Placement:
    """Read where `cpus` x `cpu_speed_mhz` MHz and `memory_mb` MiB may be reserved in `zone` (see
    `reserve_host` for the conditions); `preferred_host_id` (the host a VM last ran on) is tried first.
    Nothing is written, so callers read this before their transaction takes its first lock."""
    tags = list(host_tags)
    hosts = candidate_hosts(session, zone=zone, host_tags=tags, hypervisor=hypervisor, avoid=avoid,
                            cluster_id=cluster_id)
    if required_host is not None:
        hosts = [host for host in hosts if host.id == required_host.id]
    if preferred_host_id is not None:
        hosts.sort(key=lambda host: host.id != preferred_host_id)  # stable: the rest keep their order
    where = f"host {required_host.name}" if required_host is not None else f"zone {zone.name}"
    where += f" (cluster id {cluster_id}, where the VM's ROOT volume is)" if cluster_id is not None else ""
    extra = f" with host tags {', '.join(tags)}" if any(tags) else ""
    extra += f" of hypervisor {hypervisor}" if hypervisor else ""
    refusal = (f"Unable to deploy a VM of {cpus} CPU x {cpu_speed_mhz} MHz and {memory_mb} MB: insufficient "
               f"capacity in {where}{extra} (no enabled host that is up has that much free CPU and memory)")
    placement = Placement(hosts, cpus * cpu_speed_mhz, memory_mb * MIB, refusal)
    if hosts:  # the first candidate is the likely choice: its cluster's factors are read now, the rest on demand
        placement.factors[hosts[0].cluster_id] = _factors(session, hosts[0].cluster_id)
    return placement


def reserve(session: Session, placement: Placement) -> Host:
    """Reserve the placement's room on the first of its hosts that still has it, and return that host.
    Raises InsufficientCapacity with the placement's refusal when none has."""
    for host in placement.hosts:
        if host.cluster_id not in placement.factors:
            placement.factors[host.cluster_id] = _factors(session, host.cluster_id)
        if _try_reserve(session, host, placement.cpu_mhz, placement.memory_bytes, placement.factors[host.cluster_id]):
            return host
    raise InsufficientCapacity(placement.refusal)


def reserve_host(session: Session, *, zone: Zone, cpus: int, cpu_speed_mhz: int, memory_mb: int,
                 host_tags: Iterable[str] = (), hypervisor: str | None = None, avoid: Iterable[int] = (),
                 required_host: Host | None = None, cluster_id: int | None = None) -> Host:
    """Reserve `cpus` x `cpu_speed_mhz` MHz and `memory_mb` MiB on a fitting host of `zone` and return it.

    `required_host` (a root admin's `hostid`) restricts the choice to that host, which must still meet
    every condition; `cluster_id` to one cluster (where a VM's cluster-scoped ROOT volume lives).
    Raises InsufficientCapacity naming the zone and the size when no host fits.
    """
    return reserve(session, plan(session, zone=zone, cpus=cpus, cpu_speed_mhz=cpu_speed_mhz, memory_mb=memory_mb,
                                 host_tags=host_tags, hypervisor=hypervisor, avoid=avoid,
                                 required_host=required_host, cluster_id=cluster_id))


def release_host(session: Session, host_id: int, cpus: int, cpu_speed_mhz: int, memory_mb: int) -> None:
    """Give back a reservation made by reserve_host (never below zero)."""
    cpu, memory = cpus * cpu_speed_mhz, memory_mb * MIB
    session.execute(
        update(HostReservation)
        .where(HostReservation.host_id == host_id)
        .values(cpu_mhz=_at_least_zero(HostReservation.cpu_mhz - cpu),
                memory_bytes=_at_least_zero(HostReservation.memory_bytes - memory))
        .execution_options(synchronize_session=False))


def reserve_beyond_room(session: Session, host_id: int, cpus: int, cpu_speed_mhz: int, memory_mb: int) -> None:
    """Add a VM's size to the host's reservation even when that exceeds the host's room: for a VM found
    running there outside cirrostack, which holds the capacity whether or not it fits. `release_host`
    gives it back as usual."""
    _ensure_row(session, host_id)
    session.execute(
        update(HostReservation)
        .where(HostReservation.host_id == host_id)
        .values(cpu_mhz=HostReservation.cpu_mhz + cpus * cpu_speed_mhz,
                memory_bytes=HostReservation.memory_bytes + memory_mb * MIB)
        .execution_options(synchronize_session=False))


def reserved_usage(session: Session, host_ids: list[int]) -> dict[int, capacity.HostUsage]:
    """What VMs hold on each host: the capacity usage source for listCapacity and capacity alerts."""
    if not host_ids:
        return {}
    rows = session.execute(select(HostReservation.host_id, HostReservation.cpu_mhz, HostReservation.memory_bytes)
                           .where(HostReservation.host_id.in_(host_ids)))
    return {host_id: capacity.HostUsage(int(cpu), int(memory)) for host_id, cpu, memory in rows}


def _factors(session: Session, cluster_id: int) -> tuple[float, float]:
    """The cluster's CPU and memory overprovisioning factors."""
    return (float(settings.value(session, "cpu.overprovisioning.factor", cluster_id=cluster_id)),
            float(settings.value(session, "mem.overprovisioning.factor", cluster_id=cluster_id)))


def _try_reserve(session: Session, host: Host, cpu_mhz: int, memory_bytes: int,
                 factors: tuple[float, float]) -> bool:
    cpu_factor, memory_factor = factors
    cpu_total = int(host.cpu_cores * host.cpu_speed_mhz * cpu_factor)
    memory_total = int(host.memory_bytes * memory_factor)
    if cpu_mhz > cpu_total or memory_bytes > memory_total:
        return False
    values = {"host": host.id, "cpu": cpu_mhz, "memory": memory_bytes, "cpu_total": cpu_total,
              "memory_total": memory_total}
    if session.execute(_RESERVE, values).rowcount == 1:
        return True
    # No room, or no row yet (the host's first reservation; another deploy may be creating it right now)
    _ensure_row(session, host.id)
    return session.execute(_RESERVE, values).rowcount == 1


#: The conditional UPDATE of the module docstring, built once (planning runs it for every deploy).
_RESERVE = (
    update(HostReservation)
    .where(HostReservation.host_id == bindparam("host"),
           HostReservation.cpu_mhz + bindparam("cpu") <= bindparam("cpu_total"),
           HostReservation.memory_bytes + bindparam("memory") <= bindparam("memory_total"))
    .values(cpu_mhz=HostReservation.cpu_mhz + bindparam("cpu"),
            memory_bytes=HostReservation.memory_bytes + bindparam("memory"))
    .execution_options(synchronize_session=False))


def _ensure_row(session: Session, host_id: int) -> None:
    """Create the host's reservation row if it is missing. Runs only after the reservation UPDATE matched
    no row, so a reservation on a host with room needs no SELECT first.

    On MariaDB a plain INSERT that hits a duplicate takes a shared lock that the UPDATE then has to upgrade,
    which deadlocks concurrent deploys; INSERT ... ON DUPLICATE KEY UPDATE takes the exclusive lock at once."""
    if session.scalar(select(HostReservation.host_id).where(HostReservation.host_id == host_id)) is not None:
        return
    values = {"host_id": host_id, "cpu_mhz": 0, "memory_bytes": 0}
    if session.get_bind().dialect.name == "mysql":
        statement = mysql_insert(HostReservation).values(**values)
        session.execute(statement.on_duplicate_key_update(host_id=statement.inserted.host_id))
    else:
        session.execute(sqlite_insert(HostReservation).values(**values).on_conflict_do_nothing())


def _at_least_zero(expression: ColumnElement[int]) -> ColumnElement[int]:
    return case((expression < 0, 0), else_=expression)


capacity.register_host_usage(reserved_usage)

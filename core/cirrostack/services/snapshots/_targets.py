"""Where a volume snapshot request goes: the volume's hypervisor type (checked for `volume_snapshots`
before anything else happens) and an Up host that reaches the pool holding the volume or the snapshot."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState, Volume
from cirrostack.db.models.infrastructure import Cluster, Host
from cirrostack.db.models.snapshots import Snapshot
from cirrostack.db.models.storage import StoragePool
from cirrostack.errors import InvalidState, ResourceUnavailable, UnsupportedOperation
from cirrostack.hookspecs.hypervisor_volume_snapshots import VolumeSnapshotRef
from cirrostack.plugins import PluginRegistry
from cirrostack.services.volumes.disk_files import host_reaching
from cirrostack.services.volumes.vm_volumes import pool_ref

FEATURE = "volume_snapshots"


def volume_hypervisor(session: Session, volume: Volume) -> str:
    """The hypervisor type whose hosts hold `volume`: its VM's, else its pool's (or the pool's cluster's).
    Raises InvalidState for a volume on no pool yet (Allocated)."""
    vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id is not None else None
    if vm is not None and vm.hypervisor_type:
        return vm.hypervisor_type
    pool = session.get(StoragePool, volume.pool_id) if volume.pool_id is not None else None
    if pool is None:
        raise InvalidState(f"volumeid: volume {volume.name} is {volume.state} and on no primary storage yet; "
                           "attach it to a VM first")
    if pool.hypervisor_type:
        return pool.hypervisor_type
    cluster = session.get(Cluster, pool.cluster_id) if pool.cluster_id is not None else None
    if cluster is None:
        raise InvalidState(f"volumeid: the hypervisor of volume {volume.name} on zone-wide pool {pool.name} is "
                           "unknown; attach it to a VM first")
    return cluster.hypervisor_type


def require_volume_snapshots(registry: PluginRegistry, hypervisor_type: str, what: str) -> None:
    """Refuse (432, naming the hypervisor and `volume_snapshots`) unless its driver declares volume snapshots."""
    if not registry.hypervisor_class(hypervisor_type).capabilities.volume_snapshots:
        raise UnsupportedOperation(f"hypervisor {hypervisor_type}", FEATURE, what)


def host_for_volume(session: Session, volume: Volume) -> Host:
    """The host to ask about `volume`: its VM's host while the VM runs, else an Up host reaching its pool
    (the VM's last host first). Raises ResourceUnavailable naming the pool when none is Up."""
    vm = session.get(VirtualMachine, volume.vm_id) if volume.vm_id is not None else None
    if vm is not None and vm.state == VMState.RUNNING.value and vm.host_id is not None:
        return session.get(Host, vm.host_id)
    preferred = session.get(Host, vm.last_host_id) if vm is not None and vm.last_host_id else None
    return _host_reaching(session, volume.pool_id, preferred, f"volume {volume.name}")


def host_for_snapshot(session: Session, snapshot: Snapshot) -> Host:
    """An Up host reaching the pool that holds `snapshot`."""
    return _host_reaching(session, snapshot.pool_id, None, f"snapshot {snapshot.name}")


def snapshot_ref(session: Session, snapshot: Snapshot, secrets: Any) -> VolumeSnapshotRef:
    """The snapshot as its driver took it."""
    return VolumeSnapshotRef(name=snapshot.uuid, path=snapshot.path or "",
                             pool=pool_ref(session, snapshot.pool_id, secrets), size_bytes=snapshot.size_bytes)


def _host_reaching(session: Session, pool_id: int | None, preferred: Host | None, what: str) -> Host:
    pool = session.get(StoragePool, pool_id) if pool_id is not None else None
    if pool is None:
        raise InvalidState(f"{what} is on no primary storage pool")
    host = host_reaching(session, pool, preferred)
    if host is None:
        raise ResourceUnavailable(f"no host that reaches primary storage pool {pool.name} of {what} is Up; "
                                  "retry once one is")
    return host

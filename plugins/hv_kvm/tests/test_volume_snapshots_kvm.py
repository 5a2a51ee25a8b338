"""Volume snapshots of KvmHypervisor against a real libvirtd with QEMU/TCG: a copy of a running VM's
ROOT overlay (flattened, no backing file), a volume made from it, revert refused while the domain runs
and done once it is stopped, and deletion; checked with qemu-img and the pool's directory."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest

from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import DiskSpec, VMRef
from cirrostack.hookspecs.hypervisor_volume_snapshots import VolumeSnapshotRef, VolumeSnapshotRequest
from plugins.hv_kvm.tests.test_libvirtd_driver import backing_of, driver, host, made, new_spec, pool, template  # noqa: F401  (fixtures)


def test_a_snapshot_is_a_flat_copy_that_outlives_its_disk(driver, host, pool, template, made) -> None:  # noqa: F811
    spec = new_spec(pool, template)
    made.append(spec)
    driver.start_vm(host, spec)
    root = spec.disks[0]
    vm = VMRef(spec.uuid, spec.instance_name)
    name = str(uuid.uuid4())
    info = driver.take_volume_snapshot(host, root, VolumeSnapshotRequest(name, vm=vm))
    copy = Path(pool.path) / info.path
    assert info.path == f"snapshot-{name}.qcow2" and copy.exists()
    assert backing_of(str(copy)) == ("", 128 * 2**20) and info.size_bytes == 128 * 2**20
    assert info.physical_size_bytes > 0
    with pytest.raises(InvalidParameter, match="already holds snapshot"):
        driver.take_volume_snapshot(host, root, VolumeSnapshotRequest(name, vm=vm))
    snapshot = VolumeSnapshotRef(name, info.path, pool, info.size_bytes)

    # a new data volume from the snapshot, larger than the snapshot when asked
    data = DiskSpec(str(uuid.uuid4()), "DATADISK", size_bytes=256 * 2**20, pool=pool, device_id=1)
    made.append(dataclasses.replace(spec, uuid=str(uuid.uuid4()), instance_name="i-0-0-none", disks=(data,)))
    assert driver.create_volume_from_snapshot(host, snapshot, data) == 256 * 2**20
    assert backing_of(str(Path(pool.path) / f"{data.uuid}.qcow2")) == ("", 256 * 2**20)
    assert driver.create_volume_from_snapshot(host, snapshot, data) == 256 * 2**20  # already made: kept

    with pytest.raises(InvalidState, match="stop it before reverting"):
        driver.revert_volume_snapshot(host, root, snapshot)
    driver.stop_vm(host, vm, force=True)
    driver.revert_volume_snapshot(host, root, snapshot)
    assert backing_of(str(Path(pool.path) / f"{root.uuid}.qcow2")) == ("", 128 * 2**20)  # now a copy of it

    driver.delete_disk(host, root)
    assert copy.exists()  # the snapshot does not depend on its disk
    driver.delete_volume_snapshot(host, snapshot)
    driver.delete_volume_snapshot(host, snapshot)  # gone already: fine
    assert not copy.exists()
    with pytest.raises(InvalidParameter, match="is not on pool"):
        driver.create_volume_from_snapshot(host, snapshot, dataclasses.replace(data, uuid=str(uuid.uuid4())))


def test_a_disk_without_a_file_has_nothing_to_snapshot(driver, host, pool) -> None:  # noqa: F811
    blank = DiskSpec(str(uuid.uuid4()), "DATADISK", size_bytes=2**20, pool=pool, device_id=1)
    with pytest.raises(InvalidState, match="has no file on pool"):
        driver.take_volume_snapshot(host, blank, VolumeSnapshotRequest(str(uuid.uuid4())))

"""Live migration between two real libvirtd hosts (own network, mount and UTS namespaces each),
peer to peer over qemu+tcp, with the disk on a directory pool both hosts see."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from cirrostack_hv_kvm.driver import KvmHypervisor

from cirrostack.errors import HostUnreachable, InvalidState, VMNotFound
from cirrostack.hookspecs.hypervisor import (
    DiskSpec,
    HostRef,
    PowerState,
    SnapshotSpec,
    StoragePoolRef,
    VMRef,
    VMSpec,
)

SETTINGS = {"kvm.guest.domain.type": "qemu", "kvm.stop.timeout": 1}


def _spec(pool: StoragePoolRef) -> VMSpec:
    number = uuid.uuid4()
    root = DiskSpec(str(uuid.uuid4()), "ROOT", size_bytes=64 * 2**20, pool=pool)
    return VMSpec(str(number), f"i-2-{number.int % 10**6}-VM", 1, 500, 64, disks=(root,), max_cpus=2,
                  max_memory_mb=128)


def test_a_running_vm_moves_to_the_other_host_and_leaves_the_source(libvirtd_pair, tmp_path: Path) -> None:
    driver = KvmHypervisor(SETTINGS)
    source = HostRef("host-a", "kvm-a", libvirtd_pair.source.uri)
    target = HostRef("host-b", "kvm-b", libvirtd_pair.target.uri)
    pool = StoragePoolRef(str(uuid.uuid4()), "shared", f"file://{tmp_path}", "filesystem", str(tmp_path))
    spec = _spec(pool)
    vm = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(source, spec)

    status = driver.migrate_vm(source, vm, target)

    assert (status.power_state, status.host_uuid, status.memory_mb) == (PowerState.RUNNING, "host-b", 64)
    assert spec.instance_name not in libvirtd_pair.source.domain_names()
    assert libvirtd_pair.target.dominfo(spec.instance_name)["State"] == "running"
    assert libvirtd_pair.target.dominfo(spec.instance_name)["Persistent"] == "yes"
    assert pool.uuid in libvirtd_pair.target.virsh("pool-list", "--name").split()  # started there first
    with pytest.raises(VMNotFound):
        driver.vm_status(source, vm)
    with pytest.raises(VMNotFound):
        driver.migrate_vm(source, vm, target)
    driver.destroy_vm(target, vm)
    driver.delete_disk(source, spec.disks[0])


def test_a_migration_to_an_unreachable_host_keeps_the_vm_running_on_the_source(libvirtd_pair,
                                                                                tmp_path: Path) -> None:
    driver = KvmHypervisor(SETTINGS)
    source = HostRef("host-a", "kvm-a", libvirtd_pair.source.uri)
    nowhere = HostRef("host-x", "kvm-x", "qemu+tcp://127.0.0.1:1/system")
    pool = StoragePoolRef(str(uuid.uuid4()), "shared", f"file://{tmp_path}", "filesystem", str(tmp_path))
    spec = _spec(pool)
    vm = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(source, spec)
    with pytest.raises(HostUnreachable):
        driver.migrate_vm(source, vm, nowhere)
    assert driver.vm_status(source, vm).power_state is PowerState.RUNNING
    driver.destroy_vm(source, vm)
    driver.delete_disk(source, spec.disks[0])


def test_a_vm_with_snapshots_is_refused_naming_them_and_keeps_running(libvirtd_pair, tmp_path: Path) -> None:
    driver = KvmHypervisor(SETTINGS)
    source = HostRef("host-a", "kvm-a", libvirtd_pair.source.uri)
    target = HostRef("host-b", "kvm-b", libvirtd_pair.target.uri)
    pool = StoragePoolRef(str(uuid.uuid4()), "shared", f"file://{tmp_path}", "filesystem", str(tmp_path))
    spec = _spec(pool)
    vm = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(source, spec)
    driver.create_vm_snapshot(source, vm, SnapshotSpec("before-move", with_memory=True))
    with pytest.raises(InvalidState) as refused:
        driver.migrate_vm(source, vm, target)
    assert "before-move" in str(refused.value)
    assert driver.vm_status(source, vm).power_state is PowerState.RUNNING
    driver.destroy_vm(source, vm)
    driver.delete_disk(source, spec.disks[0])

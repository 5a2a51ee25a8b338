"""KvmHypervisor against a real libvirtd with QEMU/TCG: templates, overlays, domain XML, live
scaling, snapshots, hot plug, events and clean-up, checked with virsh and qemu-img."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from cirrostack_hv_kvm.driver import KvmHypervisor

from cirrostack.errors import CirroError, InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import (
    DiskSpec,
    HostRef,
    NicSpec,
    PowerState,
    SnapshotSpec,
    StoragePoolRef,
    TemplateSpec,
    VMRef,
    VMSpec,
)

SETTINGS = {"kvm.guest.domain.type": "qemu", "kvm.stop.timeout": 1}


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory, libvirtd) -> Iterator[StoragePoolRef]:
    directory = tmp_path_factory.mktemp("kvm-pool")
    ref = StoragePoolRef(str(uuid.uuid4()), "kvm-pool", f"file://{directory}", "filesystem", str(directory))
    yield ref
    libvirtd.forget_pool(ref.uuid)


@pytest.fixture(scope="module")
def host(libvirtd) -> HostRef:
    return HostRef(str(uuid.uuid4()), "kvm-local", libvirtd.uri)


@pytest.fixture(scope="module")
def template(image_server) -> TemplateSpec:
    return TemplateSpec(str(uuid.uuid4()), "tiny", image_server.template_url, "QCOW2", checksum=image_server.md5)


@pytest.fixture
def driver() -> KvmHypervisor:
    return KvmHypervisor(SETTINGS)


@pytest.fixture
def made(driver: KvmHypervisor, host: HostRef) -> Iterator[list[VMSpec]]:
    """VMs a test started; destroyed, with their disks, afterwards."""
    specs: list[VMSpec] = []
    yield specs
    for spec in specs:
        driver.destroy_vm(host, VMRef(spec.uuid, spec.instance_name))
        for disk in spec.disks:
            driver.delete_disk(host, disk)


def new_spec(pool: StoragePoolRef, template: TemplateSpec | None, **overrides) -> VMSpec:
    number = uuid.uuid4()
    disks = (DiskSpec(str(uuid.uuid4()), "ROOT", size_bytes=128 * 2**20, pool=pool, template=template),)
    fields = {"uuid": str(number), "instance_name": f"i-2-{number.int % 10**6}-VM", "cpus": 1,
              "cpu_speed_mhz": 500, "memory_mb": 64, "max_cpus": 2, "max_memory_mb": 128, "disks": disks,
              "nics": (NicSpec(str(uuid.uuid4()), "02:00:00:00:00:01", is_default=True),)}
    fields.update(overrides)
    return VMSpec(**fields)


def backing_of(path: str) -> tuple[str, int]:
    info = json.loads(subprocess.run(["qemu-img", "info", "-U", "--output=json", path], capture_output=True,
                                     text=True, check=True).stdout)
    return info.get("full-backing-filename") or info.get("backing-filename", ""), info["virtual-size"]


def test_connect_host_reports_what_libvirt_reports(driver, host, libvirtd) -> None:
    info = driver.connect_host(host)
    nodeinfo = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in
                                                  libvirtd.virsh("nodeinfo").splitlines() if ":" in line)}
    assert info.cores_per_socket == int(nodeinfo["Core(s) per socket"])
    assert info.threads_per_core == int(nodeinfo["Thread(s) per core"])
    assert info.memory_bytes // 2**20 == int(nodeinfo["Memory size"].split()[0]) // 1024  # libvirt reports MiB
    assert info.hypervisor_version.startswith("QEMU 7.") and "libvirt 9." in info.hypervisor_version
    assert info.details["qemu.version"].startswith("7.") and info.cpu_model


def test_a_vm_from_a_template_runs_on_an_overlay_of_one_pool_copy(driver, host, pool, template, made, libvirtd,
                                                                  image_server) -> None:
    first, second = new_spec(pool, template), new_spec(pool, template)
    made.extend([first, second])
    downloads_before = image_server.hits.get("/tiny.qcow2", 0)
    for spec in (first, second):
        assert driver.start_vm(host, spec).power_state is PowerState.RUNNING
    assert image_server.hits["/tiny.qcow2"] == downloads_before + 1  # downloaded once for the pool
    info = libvirtd.dominfo(first.instance_name)
    assert (info["State"], info["CPU(s)"], info["Used memory"]) == ("running", "1", "65536 KiB")
    root = Path(pool.path) / f"{first.disks[0].uuid}.qcow2"
    backing, size = backing_of(str(root))
    assert backing == str(Path(pool.path) / f"template-{template.uuid}")
    assert size == 128 * 2**20
    xml = libvirtd.virsh("dumpxml", first.instance_name)
    assert f'uuid="{first.uuid}"' in xml and "<shares>500</shares>" in xml and "type='pty'" in xml


def test_concurrent_first_deploys_on_a_new_pool_define_it_once_and_fetch_the_template_once(
        driver, host, template, made, libvirtd, image_server, tmp_path: Path, request) -> None:
    fresh = StoragePoolRef(str(uuid.uuid4()), "kvm-pool-race", f"file://{tmp_path}", "filesystem", str(tmp_path))
    request.addfinalizer(lambda: libvirtd.forget_pool(fresh.uuid))
    fresh_template = dataclasses.replace(template, uuid=str(uuid.uuid4()))
    specs = [new_spec(fresh, fresh_template) for _ in range(4)]
    made.extend(specs)
    downloads_before = image_server.hits.get("/tiny.qcow2", 0)
    problems: list[BaseException] = []

    def deploy(spec: VMSpec) -> None:
        try:
            driver.start_vm(host, spec)
        except BaseException as exc:  # reported in the test thread
            problems.append(exc)

    threads = [threading.Thread(target=deploy, args=(spec,)) for spec in specs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert image_server.hits["/tiny.qcow2"] == downloads_before + 1
    assert all(libvirtd.dominfo(spec.instance_name)["State"] == "running" for spec in specs)


def test_scale_running_vm_hot_plugs_vcpus_and_memory_within_the_maximums(driver, host, pool, template, made,
                                                                          libvirtd) -> None:
    spec = new_spec(pool, template)
    made.append(spec)
    vm = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(host, spec)
    status = driver.scale_vm(host, vm, 2, 1000, 128)
    assert (status.cpus, status.memory_mb, status.power_state) == (2, 128, PowerState.RUNNING)
    info = libvirtd.dominfo(spec.instance_name)
    assert (info["CPU(s)"], info["Used memory"]) == ("2", "131072 KiB")
    assert "<shares>2000</shares>" in libvirtd.virsh("dumpxml", spec.instance_name)
    with pytest.raises(InvalidParameter) as beyond:
        driver.scale_vm(host, vm, 2, 1000, 256)
    assert beyond.value.param == "memory" and "at most 128 MiB" in str(beyond.value)
    with pytest.raises(InvalidState) as refused:  # QEMU could not load it (see the plugin README)
        driver.create_vm_snapshot(host, vm, SnapshotSpec("after-hot-plug", with_memory=True))
    assert "vCPUs hot-plugged" in str(refused.value)
    driver.stop_vm(host, vm)
    restarted = driver.start_vm(host, dataclasses.replace(spec, cpus=2, cpu_speed_mhz=1000, memory_mb=128))
    assert (restarted.cpus, restarted.memory_mb) == (2, 128)  # the next start carries the new size
    assert driver.create_vm_snapshot(host, vm, SnapshotSpec("after-restart", with_memory=True)).with_memory


def test_memory_snapshot_reverts_a_stopped_vm_to_running(driver, host, pool, template, made, libvirtd) -> None:
    spec = new_spec(pool, template)
    made.append(spec)
    vm = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(host, spec)
    assert driver.create_vm_snapshot(host, vm, SnapshotSpec("with-memory", with_memory=True)).with_memory
    assert driver.stop_vm(host, vm).power_state is PowerState.STOPPED  # ACPI is ignored: forced after 1 s
    assert driver.revert_vm_snapshot(host, vm, "with-memory").power_state is PowerState.RUNNING
    assert libvirtd.dominfo(spec.instance_name)["State"] == "running"
    driver.delete_vm_snapshot(host, vm, "with-memory")
    assert driver.list_vm_snapshots(host, vm) == []
    assert libvirtd.virsh("snapshot-list", spec.instance_name, "--name").split() == []


def test_data_volume_is_made_on_first_attach_and_hot_plugged(driver, host, pool, template, made, libvirtd) -> None:
    spec = new_spec(pool, template)
    data = DiskSpec(str(uuid.uuid4()), "DATADISK", size_bytes=32 * 2**20, device_id=1, pool=pool)
    made.append(dataclasses.replace(spec, disks=(*spec.disks, data)))
    vm = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(host, spec)
    driver.attach_disk(host, vm, data)
    driver.attach_disk(host, vm, data)  # idempotent
    targets = libvirtd.virsh("domblklist", spec.instance_name)
    assert "sdb" in targets and f"{data.uuid}.qcow2" in targets
    driver.detach_disk(host, vm, data)
    assert "sdb" not in libvirtd.virsh("domblklist", spec.instance_name)
    assert (Path(pool.path) / f"{data.uuid}.qcow2").exists()  # detaching keeps the volume


def test_a_vm_from_an_iso_boots_from_the_pools_copy_of_it(driver, host, pool, made, libvirtd, image_server) -> None:
    iso = TemplateSpec(str(uuid.uuid4()), "tiny-iso", image_server.iso_url, "ISO")
    spec = new_spec(pool, None)
    spec = dataclasses.replace(spec, disks=(*spec.disks, DiskSpec(str(uuid.uuid4()), "ISO", device_id=3,
                                                                   template=iso)))
    made.append(spec)
    assert driver.start_vm(host, spec).power_state is PowerState.RUNNING
    root = ET.fromstring(libvirtd.virsh("dumpxml", spec.instance_name))
    assert [boot.get("dev") for boot in root.findall("os/boot")] == ["cdrom", "hd"]
    cdrom = root.find("devices/disk[@device='cdrom']/source").get("file")
    assert cdrom == str(Path(pool.path) / f"template-{iso.uuid}")
    assert backing_of(str(Path(pool.path) / f"{spec.disks[0].uuid}.qcow2"))[0] == ""  # a blank ROOT disk


def test_an_iso_attached_to_a_running_vm_is_a_media_change_of_its_cdrom(driver, host, pool, template, made,
                                                                         libvirtd, image_server) -> None:
    spec = new_spec(pool, template)
    made.append(spec)
    vm = VMRef(spec.uuid, spec.instance_name)
    iso = DiskSpec(str(uuid.uuid4()), "ISO", device_id=3,
                   template=TemplateSpec(str(uuid.uuid4()), "tiny-iso", image_server.iso_url, "ISO"))
    driver.start_vm(host, spec)
    assert "hdd" in libvirtd.virsh("domblklist", spec.instance_name)  # the empty drive
    driver.attach_disk(host, vm, iso)
    driver.attach_disk(host, vm, iso)  # idempotent
    assert f"template-{iso.template.uuid}" in libvirtd.virsh("domblklist", spec.instance_name)
    driver.detach_disk(host, vm, iso)
    drives = libvirtd.virsh("domblklist", spec.instance_name)
    assert f"template-{iso.template.uuid}" not in drives and "hdd" in drives


def test_nics_are_plugged_into_the_linux_bridge_the_spec_names(driver, host, pool, template, made, libvirtd,
                                                               request) -> None:
    bridge = f"kvmt{os.getpid() % 100000}"
    subprocess.run(["ip", "link", "add", bridge, "type", "bridge"], check=True, timeout=30)
    request.addfinalizer(lambda: subprocess.run(["ip", "link", "del", bridge], check=False, timeout=30))
    nic = NicSpec(str(uuid.uuid4()), "02:00:00:aa:bb:01", bridge=bridge, is_default=True)
    spec = dataclasses.replace(new_spec(pool, template), nics=(nic,))
    made.append(spec)
    driver.start_vm(host, spec)
    interfaces = libvirtd.virsh("domiflist", spec.instance_name)
    assert bridge in interfaces and "02:00:00:aa:bb:01" in interfaces
    tap = interfaces.strip().splitlines()[-1].split()[0]  # the vnetN device libvirt made for the NIC
    assert f"master {bridge}" in subprocess.run(["ip", "-o", "link", "show", tap], capture_output=True, text=True,
                                                check=True).stdout


def test_destroy_and_delete_disk_leave_no_domain_and_only_the_template_copy(driver, host, pool, template,
                                                                            libvirtd) -> None:
    spec = new_spec(pool, template)
    vm = VMRef(spec.uuid, spec.instance_name)
    driver.start_vm(host, spec)
    driver.destroy_vm(host, vm)
    driver.delete_disk(host, spec.disks[0])
    driver.delete_disk(host, spec.disks[0])  # idempotent
    assert spec.instance_name not in libvirtd.domain_names()
    assert not (Path(pool.path) / f"{spec.disks[0].uuid}.qcow2").exists()
    assert (Path(pool.path) / f"template-{template.uuid}").exists()


def test_a_template_with_a_wrong_checksum_is_refused_and_not_kept(driver, host, pool, image_server) -> None:
    bad = TemplateSpec(str(uuid.uuid4()), "tiny-bad", image_server.template_url, "QCOW2", checksum="0" * 32)
    spec = new_spec(pool, bad)
    with pytest.raises(CirroError) as refused:
        driver.start_vm(host, spec)
    assert "registered checksum is " + "0" * 32 in str(refused.value)
    assert not list(Path(pool.path).glob(f"*{bad.uuid}*"))
    assert not list(Path(pool.path).glob(f"{spec.disks[0].uuid}*"))


def test_virsh_destroy_outside_cirrostack_is_notified(driver, host, pool, template, made, libvirtd) -> None:
    spec = new_spec(pool, template)
    made.append(spec)
    driver.start_vm(host, spec)
    seen = threading.Event()
    stop = driver.watch_events(host, lambda name: seen.set() if name == spec.instance_name else None)
    try:
        libvirtd.virsh("destroy", spec.instance_name)
        assert seen.wait(10), "no lifecycle event reached notify within 10 s"
    finally:
        stop()
    status = driver.vm_status(host, VMRef(spec.uuid, spec.instance_name))
    assert status.power_state is PowerState.STOPPED

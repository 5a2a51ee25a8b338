"""The plugin's pure parts: URIs, checksums, the libvirt error table, domain XML and pool XML."""

from __future__ import annotations

import uuid
from xml.etree import ElementTree as ET

import pytest
from cirrostack_hv_kvm._connection import check_uri
from cirrostack_hv_kvm._domain_xml import DiskFile, domain_xml, metadata_uuid
from cirrostack_hv_kvm._errors import translate
from cirrostack_hv_kvm._storage import PoolStorage
from cirrostack_hv_kvm._template_fetch import checksum_algorithm

from cirrostack.errors import (
    CirroError,
    HostUnreachable,
    InvalidParameter,
    InvalidState,
    UnsupportedOperation,
    VMNotFound,
)
from cirrostack.hookspecs.hypervisor import NicSpec, StoragePoolRef, VMSpec


class libvirtError(Exception):  # noqa: N801  (recognised by its name, as libvirt's own is)
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code

    def get_error_code(self) -> int:
        return self.code


@pytest.mark.parametrize("uri", ["qemu+tcp://kvm-01/system", "qemu+ssh://root@kvm-01/system", "qemu:///system",
                                 "test:///default"])
def test_libvirt_uris_of_kvm_hosts_are_accepted(uri: str) -> None:
    assert check_uri(uri) == uri


@pytest.mark.parametrize("uri", ["http://kvm-01", "xen+ssh://kvm-01/system", "qemu+tcp://kvm-01/other"])
def test_other_urls_are_refused_naming_url(uri: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        check_uri(uri)
    assert refused.value.param == "url" and uri in str(refused.value)


@pytest.mark.parametrize(("checksum", "algorithm"), [
    ("d41d8cd98f00b204e9800998ecf8427e", "md5"),
    ("{SHA-256}" + "a" * 64, "sha256"),
    ("b" * 64, "sha256"),
    ("{sha1}" + "c" * 40, "sha1"),
])
def test_checksums_name_their_algorithm(checksum: str, algorithm: str) -> None:
    assert checksum_algorithm(checksum)[0] == algorithm


def test_a_checksum_of_no_known_algorithm_is_refused_naming_checksum() -> None:
    with pytest.raises(InvalidParameter) as refused:
        checksum_algorithm("1234")
    assert refused.value.param == "checksum"


@pytest.mark.parametrize(("code", "error"), [
    (42, VMNotFound), (38, HostUnreachable), (39, HostUnreachable), (45, HostUnreachable),
    (3, UnsupportedOperation), (84, UnsupportedOperation), (55, InvalidState), (1, CirroError),
])
def test_libvirt_errors_become_cirrostack_errors_keeping_libvirts_message(code: int, error: type) -> None:
    translated = translate(libvirtError("libvirt says why", code), "kvm-01", "start", "i-2-3-VM")
    assert type(translated) is error
    assert "kvm-01" in str(translated) and "libvirt says why" in str(translated)


def test_a_missing_snapshot_names_vmsnapshotid() -> None:
    translated = translate(libvirtError("no such snapshot", 72), "kvm-01", "revert", "i-2-3-VM")
    assert isinstance(translated, InvalidParameter) and translated.param == "vmsnapshotid"


def _vm(**overrides) -> VMSpec:
    fields = {"uuid": str(uuid.uuid4()), "instance_name": "i-2-3-VM", "cpus": 2, "cpu_speed_mhz": 1000,
              "memory_mb": 512, "max_cpus": 4, "max_memory_mb": 2048,
              "nics": (NicSpec("n1", "02:00:00:00:00:07", bridge="brvx-5001", device_id=0),)}
    fields.update(overrides)
    return VMSpec(**fields)


def test_domain_xml_follows_the_spec() -> None:
    vm = _vm()
    root_disk = DiskFile("/pool/root.qcow2", "qcow2", "ROOT", 0, "vol-1")
    data_disk = DiskFile("/pool/data.qcow2", "qcow2", "DATADISK", 1, "vol-2")
    xml = domain_xml(vm, "kvm", [root_disk, data_disk])
    root = ET.fromstring(xml)
    assert root.get("type") == "kvm" and root.findtext("name") == "i-2-3-VM" and root.findtext("uuid") == vm.uuid
    assert (root.find("vcpu").get("current"), root.findtext("vcpu")) == ("2", "4")
    assert (root.findtext("memory"), root.findtext("maxMemory")) == ("512", "2048")
    assert root.find("cpu/numa/cell").get("cpus") == "0-3"
    assert root.findtext("cputune/shares") == "2000"
    assert [t.get("dev") for t in root.findall("devices/disk/target")] == ["vda", "sdb", "hdd"]
    assert root.find("devices/disk[@device='cdrom']/source") is None  # empty until an ISO is attached
    assert root.find("devices/interface/source").get("bridge") == "brvx-5001"
    assert root.find("devices/interface/mac").get("address") == "02:00:00:00:00:07"
    assert root.find("devices/serial") is not None and root.find("devices/console") is not None
    assert metadata_uuid(xml) == vm.uuid


def test_a_vm_without_room_to_grow_gets_no_memory_slots_and_boots_from_its_iso_first() -> None:
    vm = _vm(max_cpus=0, max_memory_mb=0)
    iso = DiskFile("/pool/template-x", "iso", "ISO", 3)
    root = ET.fromstring(domain_xml(vm, "qemu", [iso, DiskFile("/pool/root.qcow2", "qcow2", "ROOT", 0)]))
    assert root.find("maxMemory") is None and root.find("cpu/numa") is None
    assert (root.find("vcpu").get("current"), root.findtext("vcpu")) == ("2", "2")
    assert [b.get("dev") for b in root.findall("os/boot")] == ["cdrom", "hd"]
    assert root.find("devices/disk[@device='cdrom']/readonly") is not None


def test_an_nfs_pool_becomes_a_netfs_pool_mounted_under_the_mount_root() -> None:
    ref = StoragePoolRef("0c1b6a36-0d5e-4bf6-9a39-4b7f8f1e2a10", "nfs-1", "nfs://filer.example/export/primary", "nfs",
                         "/export/primary")
    xml = ET.fromstring(PoolStorage(None, {"kvm.nfs.mount.root": "/mnt/cirro"})._pool_xml(ref))
    assert xml.get("type") == "netfs" and xml.findtext("name") == ref.uuid
    assert xml.find("source/host").get("name") == "filer.example"
    assert xml.find("source/dir").get("path") == "/export/primary"
    assert xml.findtext("target/path") == f"/mnt/cirro/{ref.uuid}"


def test_a_pool_protocol_kvm_cannot_mount_is_refused_naming_storageid() -> None:
    ref = StoragePoolRef("p", "smb-1", "cifs://fs/share", "smb", "/share")
    with pytest.raises(InvalidParameter) as refused:
        PoolStorage(None, {})._pool_xml(ref)
    assert refused.value.param == "storageid" and "smb" in str(refused.value)

"""A KVM VM's console: a VNC display on the host's address behind a password of its own, read back from the
running domain's XML. Checked against a real libvirtd + QEMU (TCG): the reported port speaks RFB and asks for
VNC authentication."""

from __future__ import annotations

import socket
import struct
import uuid
from collections.abc import Iterator
from xml.etree import ElementTree as ET

import pytest
from cirrostack_hv_kvm._domain_xml import with_console_address
from cirrostack_hv_kvm.driver import KvmHypervisor

from cirrostack.errors import InvalidState
from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef, NicSpec, StoragePoolRef, TemplateSpec, VMRef, VMSpec

SETTINGS = {"kvm.guest.domain.type": "qemu", "kvm.stop.timeout": 1}
VNC_AUTHENTICATION, NO_AUTHENTICATION = 2, 1


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory, libvirtd) -> Iterator[StoragePoolRef]:
    directory = tmp_path_factory.mktemp("kvm-console-pool")
    ref = StoragePoolRef(str(uuid.uuid4()), "kvm-console-pool", f"file://{directory}", "filesystem", str(directory))
    yield ref
    libvirtd.forget_pool(ref.uuid)


@pytest.fixture
def running(libvirtd, pool: StoragePoolRef, image_server) -> Iterator[tuple[KvmHypervisor, HostRef, VMSpec]]:
    driver, host = KvmHypervisor(SETTINGS), HostRef(str(uuid.uuid4()), "kvm-local", libvirtd.uri)
    template = TemplateSpec(str(uuid.uuid4()), "tiny", image_server.template_url, "QCOW2", checksum=image_server.md5)
    number = uuid.uuid4()
    spec = VMSpec(str(number), f"i-2-{number.int % 10**6}-VM", 1, 500, 64,
                  disks=(DiskSpec(str(uuid.uuid4()), "ROOT", size_bytes=128 * 2**20, pool=pool, template=template),),
                  nics=(NicSpec(str(uuid.uuid4()), "02:00:00:00:00:07", is_default=True),))
    driver.start_vm(host, spec)
    yield driver, host, spec
    driver.destroy_vm(host, VMRef(spec.uuid, spec.instance_name))
    for disk in spec.disks:
        driver.delete_disk(host, disk)


def test_the_console_is_a_password_protected_vnc_display_on_the_host_address(libvirtd, running) -> None:
    driver, host, spec = running
    access = driver.console_access(host, VMRef(spec.uuid, spec.instance_name))
    assert (access.protocol, access.host) == ("vnc", "127.0.0.1")  # qemu:///system is a local URI
    assert access.port >= 5900 and len(access.password) == 8
    graphics = ET.fromstring(libvirtd.virsh("dumpxml", "--security-info", spec.instance_name)).find(
        "devices/graphics[@type='vnc']")
    assert graphics.get("passwd") == access.password and int(graphics.get("port")) == access.port

    with socket.create_connection((access.host, access.port), timeout=10) as rfb:
        assert rfb.recv(12) == b"RFB 003.008\n"
        rfb.sendall(b"RFB 003.008\n")
        count = rfb.recv(1)[0]
        offered = set(_read_exactly(rfb, count))
    assert VNC_AUTHENTICATION in offered and NO_AUTHENTICATION not in offered


def test_each_definition_gets_its_own_password(running) -> None:
    driver, host, spec = running
    ref = VMRef(spec.uuid, spec.instance_name)
    first = driver.console_access(host, ref).password
    driver.stop_vm(host, ref, force=True)
    driver.start_vm(host, spec)
    assert driver.console_access(host, ref).password != first


def test_a_stopped_vm_has_no_console(running) -> None:
    driver, host, spec = running
    ref = VMRef(spec.uuid, spec.instance_name)
    driver.stop_vm(host, ref, force=True)
    with pytest.raises(InvalidState, match=f"VM {spec.instance_name} is not running on KVM host"):
        driver.console_access(host, ref)


def test_a_migrated_display_listens_on_the_target_address() -> None:
    xml = ("<domain><devices><graphics type='vnc' port='5901' listen='10.0.0.1' passwd='x'>"
           "<listen type='address' address='10.0.0.1'/></graphics></devices></domain>")
    moved = ET.fromstring(with_console_address(xml, "10.0.0.2")).find("devices/graphics")
    assert moved.get("listen") == "10.0.0.2" and moved.find("listen").get("address") == "10.0.0.2"
    assert with_console_address("<domain><devices/></domain>", "10.0.0.2") is None


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, "the VNC server closed the connection"
        data += chunk
    return struct.unpack(f"{size}s", data)[0]

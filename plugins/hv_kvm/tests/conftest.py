"""Fixtures of the KVM plugin's tests.

- a KVM host on libvirt's in-memory `test:///` driver (a node file with a known topology), a
  directory pool and VMSpecs whose ROOT disk lives there;
- a real libvirtd + virtlogd with QEMU under TCG (`libvirtd` fixture, _libvirtd.py);
- two more, each in its own namespaces, for live migration (`libvirtd_pair`, _libvirtd_pair.py);
- a qcow2 template served over HTTP (`image_server`, _images.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef, NicSpec, StoragePoolRef, VMSpec
from plugins.hv_kvm.tests._images import image_server  # noqa: F401  (a fixture of these tests)
from plugins.hv_kvm.tests._libvirtd import libvirtd  # noqa: F401  (a fixture of these tests)
from plugins.hv_kvm.tests._libvirtd_pair import libvirtd_pair  # noqa: F401  (a fixture of these tests)

NODE_XML = """<node>
  <cpu><mhz>2400</mhz><model>Test-CPU</model><active>16</active><nodes>1</nodes>
       <sockets>2</sockets><cores>4</cores><threads>2</threads></cpu>
  <memory>16777216</memory>
</node>
"""
"""2 sockets x 4 cores x 2 threads at 2400 MHz, 16 GiB: what connect_host must report."""


def write_node(directory: Path) -> Path:
    path = directory / "kvm-test-node.xml"
    path.write_text(NODE_XML)
    return path


def test_host(node: Path, name: str = "kvm-test-1") -> HostRef:
    return HostRef(str(uuid.uuid5(uuid.NAMESPACE_URL, str(node))), name, f"test://{node}")


def pool_ref(directory: Path) -> StoragePoolRef:
    return StoragePoolRef(str(uuid.uuid5(uuid.NAMESPACE_URL, str(directory))), "primary-1",
                          f"file://{directory}", "filesystem", str(directory))


def spec_factory(pool: StoragePoolRef) -> Callable[..., VMSpec]:
    """VMSpecs like the kit's default ones, with the ROOT disk on `pool`."""

    def build(**overrides: Any) -> VMSpec:
        number = uuid.uuid4()
        vm_id = number.int % 10**6
        fields: dict[str, Any] = {
            "uuid": str(number), "instance_name": f"i-2-{vm_id}-VM", "cpus": 1, "cpu_speed_mhz": 500,
            "memory_mb": 256,
            "disks": (DiskSpec(str(uuid.uuid4()), "ROOT", size_bytes=1 << 30, pool=pool),),
            "nics": (NicSpec(str(uuid.uuid4()), f"02:00:{vm_id >> 16 & 0xff:02x}:{vm_id >> 8 & 0xff:02x}:"
                             f"{vm_id & 0xff:02x}:01", is_default=True),),
        }
        fields.update(overrides)
        return VMSpec(**fields)

    return build


@pytest.fixture(scope="module")
def node_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kvm-test-node")


@pytest.fixture
def kvm_test_host(node_dir: Path) -> HostRef:
    """A reachable KVM host on libvirt's test driver (2 sockets x 4 cores x 2 threads, 16 GiB)."""
    return test_host(write_node(node_dir))


@pytest.fixture
def kvm_test_spec_factory(node_dir: Path) -> Callable[..., VMSpec]:
    return spec_factory(pool_ref(node_dir / "pool"))

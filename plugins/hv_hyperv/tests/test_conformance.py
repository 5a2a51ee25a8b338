"""The Hyper-V driver passes the core's hypervisor conformance suite against the WinRM simulator
(pywinrm, NTLM with message encryption, to simulated Hyper-V hosts)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from cirrostack_hv_hyperv.driver import HypervDriver
from hyperv_estate import DOMAIN, PASSWORD, SHARE_PASSWORD, SHARE_USER, TEMPLATE_URL, USER, Estate

from cirrostack.hookspecs import HostRef
from cirrostack.hookspecs.hypervisor import DiskSpec, NicSpec, StoragePoolRef, TemplateSpec, VMSpec
from cirrostack.plugins import PluginRegistry
from cirrostack.testing import HypervisorConformance

POOL = StoragePoolRef("pool-1", "smb-primary", "cifs://fs01/primary", "smb", "/primary",
                      {"user": SHARE_USER, "password": SHARE_PASSWORD, "domain": DOMAIN})
TEMPLATE = TemplateSpec("tmpl-1", "CentOS 6.5", TEMPLATE_URL, "VHDX", size_bytes=2 << 30)


def host_ref(estate: Estate, name: str) -> HostRef:
    return HostRef(f"uuid-{name}", name, estate.url(name), f"{DOMAIN}\\{USER}", PASSWORD)


def vm_spec(**overrides: Any) -> VMSpec:
    number = uuid.uuid4()
    vm_id = number.int % 10**6
    fields: dict[str, Any] = {
        "uuid": str(number), "instance_name": f"i-2-{vm_id}-VM", "cpus": 1, "cpu_speed_mhz": 500, "memory_mb": 256,
        "disks": (DiskSpec(str(uuid.uuid4()), "ROOT", size_bytes=2 << 30, pool=POOL, template=TEMPLATE),),
        "nics": (NicSpec(str(uuid.uuid4()), f"02:00:{vm_id >> 16 & 0xff:02x}:{vm_id >> 8 & 0xff:02x}:"
                         f"{vm_id & 0xff:02x}:01", broadcast_uri="vlan://100", is_default=True),),
    }
    fields.update(overrides)
    return VMSpec(**fields)


class TestHypervConformance(HypervisorConformance):
    unusable_host_url = "qemu+ssh://kvm-01/system"

    @pytest.fixture
    def hypervisor_driver(self) -> HypervDriver:
        return HypervDriver()

    @pytest.fixture
    def hypervisor_host(self, estate: Estate) -> HostRef:
        return host_ref(estate, "hv-01")

    @pytest.fixture
    def hypervisor_second_host(self, estate: Estate) -> HostRef:
        return host_ref(estate, "hv-02")

    @pytest.fixture
    def hypervisor_unreachable_host(self, estate: Estate) -> HostRef:
        return HostRef("uuid-gone", "hv-gone", estate.closed_url, f"{DOMAIN}\\{USER}", PASSWORD)

    @pytest.fixture
    def vm_spec_factory(self) -> Callable[..., VMSpec]:
        return vm_spec


class TestHypervFromTheRegistryConformance(TestHypervConformance):
    """The same suite against the driver the core's registry hands out (behind its guard)."""

    @pytest.fixture
    def hypervisor_driver(self) -> Any:
        return PluginRegistry.load().hypervisor("Hyperv")

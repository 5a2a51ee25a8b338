"""The `cirrostack` pytest plugin, loaded through the `pytest11` entry point of the core.

It holds the default fixtures of the conformance suites in `cirrostack.testing`. They sit at
plugin level, the lowest priority pytest knows, so a vendor's own fixture of the same name (in a
conftest.py, a test module or the test class) always wins. Required fixtures fail with a message
saying what to provide.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NoReturn

import pytest

from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef, NicSpec, VMSpec


def _missing(fixture: str, what: str) -> NoReturn:
    pytest.fail(f"{fixture}: the conformance suite needs this fixture; define it in your conftest.py or test "
                f"class to return {what} (see docs/conformance-kit.md)", pytrace=False)


@pytest.fixture
def hypervisor_driver() -> Any:
    """Required: an instance of the HypervisorDriver subclass under test."""
    _missing("hypervisor_driver", "an instance of your HypervisorDriver subclass")


@pytest.fixture
def hypervisor_host() -> HostRef:
    """Required: a HostRef of a reachable host with room for a few small VMs."""
    _missing("hypervisor_host", "the HostRef of a reachable host")


@pytest.fixture
def hypervisor_unreachable_host() -> HostRef:
    """Required: a HostRef of a host that does not answer."""
    _missing("hypervisor_unreachable_host", "the HostRef of a host that does not answer")


@pytest.fixture
def hypervisor_second_host() -> HostRef | None:
    """A second reachable host, needed only by drivers that declare live_migration."""
    return None


@pytest.fixture
def vm_spec_factory() -> Callable[..., VMSpec]:
    """Builds a new small VMSpec per call; keyword arguments override its fields."""

    def build(**overrides: Any) -> VMSpec:
        number = uuid.uuid4()
        vm_id = number.int % 10**6
        fields: dict[str, Any] = {
            "uuid": str(number),
            "instance_name": f"i-2-{vm_id}-VM",
            "cpus": 1,
            "cpu_speed_mhz": 500,
            "memory_mb": 256,
            "disks": (DiskSpec(str(uuid.uuid4()), "ROOT", size_bytes=1 << 30),),
            "nics": (NicSpec(str(uuid.uuid4()), f"02:00:{vm_id >> 16 & 0xff:02x}:{vm_id >> 8 & 0xff:02x}:"
                             f"{vm_id & 0xff:02x}:01", is_default=True),),
        }
        fields.update(overrides)
        return VMSpec(**fields)

    return build

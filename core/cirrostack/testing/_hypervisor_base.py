"""What every hypervisor conformance check shares: the bound fixtures, VM bookkeeping and the
wording of failures ("<method>: <source> reports <vm> as <state> ...; the contract requires ...")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cirrostack.errors import VMNotFound
from cirrostack.hookspecs.hypervisor import HostRef, HypervisorDriver, PowerState, VMRef, VMSpec, VMStatus
from cirrostack.plugins._guard import GuardedDriver
from cirrostack.testing._hypervisor_calls import call_contract, call_tolerating, guarded, unwrap


class HypervisorSuiteBase:
    """Binds the vendor's fixtures to `self` for one test and destroys the VMs the test made."""

    driver: HypervisorDriver
    guarded: GuardedDriver
    host: HostRef

    @pytest.fixture(autouse=True)
    def _bind_hypervisor_fixtures(self, request: pytest.FixtureRequest, hypervisor_driver: Any,
                                  hypervisor_host: HostRef, vm_spec_factory: Callable[..., VMSpec]) -> Iterator[None]:
        driver = unwrap(hypervisor_driver)
        if not isinstance(driver, HypervisorDriver):
            pytest.fail(f"hypervisor_driver: the fixture returned {driver!r}, not an instance of a "
                        "HypervisorDriver subclass", pytrace=False)
        if not isinstance(hypervisor_host, HostRef):
            pytest.fail(f"hypervisor_host: the fixture returned {hypervisor_host!r}, not a HostRef", pytrace=False)
        self.driver = driver
        self.guarded = guarded(driver, HypervisorDriver, "hypervisor", driver.hypervisor_type)
        self.host = hypervisor_host
        self._request = request
        self._vm_spec_factory = vm_spec_factory
        self._made: list[tuple[HostRef, VMRef]] = []
        yield
        for host, vm in reversed(self._made):
            try:
                driver.destroy_vm(host, vm)
            except Exception:  # cleanup after the verdict: the test already reported what broke
                pass

    # -- fixtures needed by some checks only ---------------------------------------------------

    def second_host(self, why: str) -> HostRef:
        host = self._request.getfixturevalue("hypervisor_second_host")
        if not isinstance(host, HostRef):
            pytest.fail(f"hypervisor_second_host: {why}, so the suite needs a second reachable host; the fixture "
                        f"returned {host!r} (provide a HostRef)", pytrace=False)
        return host

    def unreachable_host(self) -> HostRef:
        host = self._request.getfixturevalue("hypervisor_unreachable_host")
        if not isinstance(host, HostRef):
            pytest.fail(f"hypervisor_unreachable_host: the fixture returned {host!r}; provide the HostRef of a "
                        "host that does not answer", pytrace=False)
        return host

    # -- VMs -------------------------------------------------------------------------------------

    def new_vm(self, **overrides: Any) -> VMSpec:
        """A fresh VMSpec from the vendor's `vm_spec_factory`; it is destroyed after the test."""
        spec = self._vm_spec_factory(**overrides)
        if not isinstance(spec, VMSpec):
            pytest.fail(f"vm_spec_factory: returned {spec!r}, not a VMSpec", pytrace=False)
        self._made.append((self.host, ref(spec)))
        return spec

    def track(self, host: HostRef, vm: VMRef) -> None:
        """Also destroy `vm` on `host` after the test (e.g. after it migrated there)."""
        self._made.append((host, vm))

    def started(self, host: HostRef | None = None, **overrides: Any) -> tuple[VMSpec, VMRef]:
        """A new VM started on `host` (default: the main host); checks start_vm's returned status."""
        host = host or self.host
        spec = self.new_vm(**overrides)
        if host is not self.host:
            self.track(host, ref(spec))
        status = call_contract(self.driver, "start_vm", host, spec)
        self.check_power("start_vm", "the returned status", spec.instance_name, status, PowerState.RUNNING)
        return spec, ref(spec)

    def status(self, vm: VMRef, host: HostRef | None = None) -> VMStatus:
        return call_contract(self.driver, "vm_status", host or self.host, vm)

    # -- checks --------------------------------------------------------------------------------

    def check_power(self, method: str, source: str, name: str, status: Any, expected: PowerState) -> None:
        """Fail unless `status` is a VMStatus of VM `name` in power state `expected`."""
        if not isinstance(status, VMStatus):
            pytest.fail(f"{method}: {source} for {name} is {status!r}, not a VMStatus", pytrace=False)
        if status.instance_name != name:
            pytest.fail(f"{method}: {source} is about {status.instance_name!r}; the contract requires the status "
                        f"of {name}", pytrace=False)
        if status.power_state is not expected:
            actual = getattr(status.power_state, "value", status.power_state)
            pytest.fail(f"{method}: {source} reports {name} as {actual} after {method}; the contract requires "
                        f"{expected.value}", pytrace=False)

    def check_reported(self, method: str, vm: VMRef, expected: PowerState, host: HostRef | None = None) -> None:
        """After `method`, both vm_status and list_vms must report `vm` in state `expected`."""
        host = host or self.host
        status = call_tolerating((VMNotFound,), self.driver, "vm_status", host, vm)
        if isinstance(status, VMNotFound):
            pytest.fail(f"{method}: vm_status on {host.name or host.url} raised VMNotFound for {vm.instance_name} "
                        f"after {method}; the contract requires it reported as {expected.value}", pytrace=False)
        self.check_power(method, "vm_status", vm.instance_name, status, expected)
        listed = call_contract(self.driver, "list_vms", host)
        if vm.instance_name not in listed:
            pytest.fail(f"{method}: list_vms of {host.name or host.url} lacks {vm.instance_name} after {method}; "
                        f"the contract requires it listed as {expected.value}", pytrace=False)
        self.check_power(method, "list_vms", vm.instance_name, listed[vm.instance_name], expected)


def ref(spec: VMSpec) -> VMRef:
    return VMRef(spec.uuid, spec.instance_name)

"""Fault injection and latency for the simulator: failing the next calls of an operation,
marking hosts down and up, and per-operation delays that override the latency settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cirrostack import errors
from cirrostack.errors import InvalidParameter
from cirrostack.simulator._settings import OPERATIONS
from cirrostack.simulator._state import SimulatorState


class SimulatedPluginBug(RuntimeError):
    """Raised for the error kind "RuntimeError": an exception outside cirrostack's error tree, as a
    buggy driver would raise. The core's guard turns it into a PluginError."""


#: Error kinds `fail_next` accepts, by the name used in Python calls and in configureSimulator.
ERROR_KINDS: dict[str, type[Exception]] = {
    "HostUnreachable": errors.HostUnreachable,
    "VMNotFound": errors.VMNotFound,
    "InsufficientCapacity": errors.InsufficientCapacity,
    "ResourceUnavailable": errors.ResourceUnavailable,
    "ResourceAllocationFailed": errors.ResourceAllocationFailed,
    "InvalidState": errors.InvalidState,
    "CirroError": errors.CirroError,
    "RuntimeError": SimulatedPluginBug,
}


@dataclass
class PendingFailure:
    error: str
    remaining: int


class SimulatorFaults:
    """The fault and latency switches of one simulator driver (`driver.faults`).

        driver.faults.fail_next("start_vm", count=2, error="HostUnreachable")
        driver.faults.host_down("http://sim/c0/h1")
        driver.faults.set_latency("migrate_vm", 250)
        driver.faults.clear()
    """

    def __init__(self, state: SimulatorState, latency: Mapping[str, int]) -> None:
        self._state = state
        self._configured_latency = dict(latency)
        self._latency = dict(latency)
        self._pending: dict[str, PendingFailure] = {}

    def fail_next(self, operation: str, count: int = 1, error: str = "HostUnreachable") -> None:
        """Make the next `count` calls of `operation` raise `error` (a name from ERROR_KINDS).

        Replaces what was pending for that operation; `count=0` cancels it. The failing calls
        change no simulated state.
        """
        _check_operation(operation)
        if error not in ERROR_KINDS:
            raise InvalidParameter("error", f"{error!r} is not an error kind the simulator injects; "
                                            f"accepted: {', '.join(ERROR_KINDS)}")
        if count < 0:
            raise InvalidParameter("count", f"{count} is negative; give the number of calls to fail")
        with self._state.lock:
            if count == 0:
                self._pending.pop(operation, None)
            else:
                self._pending[operation] = PendingFailure(error, count)

    def pending(self, operation: str) -> int:
        """How many calls of `operation` will still fail."""
        _check_operation(operation)
        with self._state.lock:
            failure = self._pending.get(operation)
            return failure.remaining if failure else 0

    def host_down(self, url: str) -> None:
        """From now on the host at `url` does not answer: its calls raise HostUnreachable and
        host_state reports DOWN. Its VMs stay defined as they were."""
        self._set_host(url, up=False)

    def host_up(self, url: str) -> None:
        """The host at `url` answers again, with the VMs it had."""
        self._set_host(url, up=True)

    def is_up(self, url: str) -> bool:
        with self._state.lock:
            return self._state.host(url, param="hosturl").up

    def power_behind_cirrostack(self, instance_name: str, running: bool) -> None:
        """Power the VM `instance_name` off (or on again) on its host as someone at the host's own console
        would: cirrostack is not asked, only the host's event watchers hear of it. Raises
        InvalidParameter("instancename") for a VM no simulated host knows, InsufficientCapacity when
        the host has no room to power it on."""
        with self._state.lock:
            vm = self._state.vms.get(instance_name)
            if vm is None:
                raise InvalidParameter("instancename", f"no simulated host knows VM {instance_name!r}")
            if running:
                vm.host.power_on(vm)
            else:
                vm.host.power_off(vm)

    def set_latency(self, operation: str, milliseconds: int) -> None:
        """Delay every later call of `operation` by `milliseconds` (overrides the setting)."""
        _check_operation(operation)
        if milliseconds < 0:
            raise InvalidParameter("latency", f"{milliseconds} is negative; give a delay in milliseconds")
        with self._state.lock:
            self._latency[operation] = milliseconds

    def latency_ms(self, operation: str) -> int:
        return self._latency[operation]

    def clear(self) -> None:
        """Cancel pending failures, bring every host up and restore the configured latencies."""
        with self._state.lock:
            self._pending.clear()
            self._latency = dict(self._configured_latency)
            for host in self._state.hosts.values():
                host.up = True

    def raise_pending(self, operation: str) -> None:
        """Raise the injected error if a failure of `operation` is pending. Call with the state lock held."""
        failure = self._pending.get(operation)
        if failure is None:
            return
        failure.remaining -= 1
        if failure.remaining <= 0:
            del self._pending[operation]
        raise _injected(failure.error, operation, failure.remaining)

    def _set_host(self, url: str, up: bool) -> None:
        with self._state.lock:
            self._state.host(url, param="hosturl").up = up


def _check_operation(operation: str) -> None:
    if operation not in OPERATIONS:
        raise InvalidParameter("operation", f"{operation!r} is not a simulator operation; "
                                            f"accepted: {', '.join(OPERATIONS)}")


def _injected(kind: str, operation: str, remaining: int) -> Exception:
    return ERROR_KINDS[kind](f"simulator: injected {kind} in {operation} ({remaining} more injected failures pending)")

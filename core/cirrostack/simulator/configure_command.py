"""`configureSimulator`: fault injection and latency of the simulator, through the API.

Root admins only. End-to-end tests use it to make the next N calls of a driver operation fail,
to take a simulated host down or up, and to slow an operation down:

    configureSimulator operation=start_vm count=2 error=InsufficientCapacity
    configureSimulator hosturl=http://sim/c0/h1 hoststate=Down
    configureSimulator operation=migrate_vm latency=500
    configureSimulator instancename=i-2-10-VM powerstate=Stopped   (as if done at the host's console)
    configureSimulator clear=true
"""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import Call, Command, CommandKind, Field, Param, Response
from cirrostack.api.params import Boolean, Integer, String
from cirrostack.errors import InvalidParameter
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.simulator._faults import ERROR_KINDS
from cirrostack.simulator._settings import OPERATIONS

HOST_STATES = ("Up", "Down")
POWER_STATES = ("Running", "Stopped")

CONFIGURE_SIMULATOR = Command(
    "configureSimulator",
    "Injects failures into the simulator hypervisor, marks simulated hosts down or up and sets "
    "per-operation latency.",
    roles=ROOT_ADMIN,
    kind=CommandKind.OBJECT,
    response=Response("simulator", (
        Field("operation", "string", "the driver operation configured"),
        Field("pendingfailures", "integer", "how many calls of the operation will still fail"),
        Field("error", "string", "the error kind the failing calls raise"),
        Field("latency", "integer", "milliseconds the operation now waits before answering"),
        Field("hosturl", "string", "the simulated host configured"),
        Field("hoststate", "string", "Up or Down"),
        Field("instancename", "string", "the simulated VM powered off or on outside cirrostack"),
        Field("powerstate", "string", "Running or Stopped: the VM's power state now"),
    )),
    params=(
        Param("operation", String(), f"driver operation to configure: {', '.join(OPERATIONS)}"),
        Param("count", Integer(minimum=0), "fail this many next calls of the operation (0 cancels)"),
        Param("error", String(), f"error kind of the failing calls (default HostUnreachable): "
                                 f"{', '.join(ERROR_KINDS)}"),
        Param("latency", Integer(minimum=0), "milliseconds the operation waits before answering"),
        Param("hosturl", String(length=2048), "URL of a simulated host, e.g. http://sim/c0/h0; needs hoststate"),
        Param("hoststate", String(), "Down makes the host unreachable, Up brings it back; needs hosturl"),
        Param("instancename", String(), "instance name of a VM (i-<account>-<id>-VM) to power off or on "
                                         "behind cirrostack's back; needs powerstate"),
        Param("powerstate", String(), "Stopped powers the VM off, Running powers it on, without telling "
                                      "cirrostack; needs instancename"),
        Param("clear", Boolean(), "true cancels every pending failure, brings every host up and "
                                  "restores the configured latencies (applied first)"),
    ),
)


@CONFIGURE_SIMULATOR.handler
def configure_simulator(call: Call, operation: str | None = None, count: int | None = None,
                        error: str | None = None, latency: int | None = None, hosturl: str | None = None,
                        hoststate: str | None = None, clear: bool = False, instancename: str | None = None,
                        powerstate: str | None = None) -> dict[str, Any]:
    """Apply the requested switches to the simulator driver and report the resulting setting."""
    if (instancename is None) != (powerstate is None):
        raise InvalidParameter("powerstate" if powerstate is None else "instancename",
                               "instancename and powerstate go together")
    if instancename is None:
        _check_combination(operation, count, error, latency, hosturl, hoststate, clear)
    faults = call.registry.hypervisor("Simulator").faults
    if clear:
        faults.clear()
    result: dict[str, Any] = {}
    if operation is not None:
        if count is not None:
            faults.fail_next(operation, count, error or "HostUnreachable")
        if latency is not None:
            faults.set_latency(operation, latency)
        result.update(operation=operation, pendingfailures=faults.pending(operation),
                      latency=faults.latency_ms(operation))
        if count:
            result["error"] = error or "HostUnreachable"
    if hosturl is not None and hoststate is not None:
        state = _host_state(hoststate)
        if state == "Down":
            faults.host_down(hosturl)
        else:
            faults.host_up(hosturl)
        result.update(hosturl=hosturl, hoststate="Up" if faults.is_up(hosturl) else "Down")
    if instancename is not None and powerstate is not None:
        running = _choice("powerstate", powerstate, POWER_STATES) == "Running"
        faults.power_behind_cirrostack(instancename, running)
        result.update(instancename=instancename, powerstate="Running" if running else "Stopped")
    return result


def _check_combination(operation: str | None, count: int | None, error: str | None, latency: int | None,
                       hosturl: str | None, hoststate: str | None, clear: bool) -> None:
    if (hosturl is None) != (hoststate is None):
        missing = "hoststate" if hoststate is None else "hosturl"
        raise InvalidParameter(missing, "hosturl and hoststate go together")
    if operation is None:
        for name, value in (("count", count), ("error", error), ("latency", latency)):
            if value is not None:
                raise InvalidParameter(name, f"{name} applies to an operation; give operation too")
        if hosturl is None and not clear:
            raise InvalidParameter("operation", "nothing to configure; give operation with count or latency, "
                                                "hosturl with hoststate, or clear=true")
    elif count is None and latency is None:
        raise InvalidParameter("operation", f"{operation}: give count (calls to fail) or latency (milliseconds)")
    if error is not None and count is None:
        raise InvalidParameter("error", f"error={error} needs count, the number of calls to fail")


def _host_state(value: str) -> str:
    return _choice("hoststate", value, HOST_STATES)


def _choice(param: str, value: str, accepted: tuple[str, ...]) -> str:
    for state in accepted:
        if value.strip().lower() == state.lower():
            return state
    raise InvalidParameter(param, f"{value!r} is not accepted; accepted: {', '.join(accepted)}")

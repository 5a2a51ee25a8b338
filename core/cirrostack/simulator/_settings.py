"""The settings the simulator registers, and how the driver reads their current values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cirrostack.hookspecs.settings import Setting

#: Every driver operation, in contract order. Latency settings, fault injection and the
#: configureSimulator command accept exactly these names.
OPERATIONS: tuple[str, ...] = (
    "connect_host", "host_state", "list_vms",
    "start_vm", "stop_vm", "reboot_vm", "destroy_vm", "vm_status",
    "scale_vm", "migrate_vm", "attach_disk", "detach_disk", "delete_disk",
    "create_vm_snapshot", "revert_vm_snapshot", "delete_vm_snapshot", "list_vm_snapshots",
    "take_volume_snapshot", "revert_volume_snapshot", "create_volume_from_snapshot", "delete_volume_snapshot",
    "apply_security_rules", "remove_security_rules",
)

HOST_SOCKETS = "simulator.host.cpu.sockets"
HOST_CORES = "simulator.host.cpu.cores"
HOST_THREADS = "simulator.host.cpu.threads"
HOST_MHZ = "simulator.host.cpu.speed"
HOST_MEMORY = "simulator.host.memory"
LATENCY_PREFIX = "simulator.latency."

_HOST_SETTINGS = (
    Setting(HOST_SOCKETS, 2, int, "CPU sockets of a simulated host (URL query: sockets)",
            category="Simulator", minimum=1),
    Setting(HOST_CORES, 8, int, "CPU cores per socket of a simulated host (URL query: cores)",
            category="Simulator", minimum=1),
    Setting(HOST_THREADS, 1, int, "threads per core of a simulated host (URL query: threads)",
            category="Simulator", minimum=1),
    Setting(HOST_MHZ, 2400, int, "CPU speed in MHz of a simulated host (URL query: mhz)",
            category="Simulator", minimum=1),
    Setting(HOST_MEMORY, 65536, int, "memory in MiB of a simulated host (URL query: memory)",
            category="Simulator", minimum=1),
)

SETTINGS: tuple[Setting, ...] = _HOST_SETTINGS + tuple(
    Setting(LATENCY_PREFIX + operation, 0, int,
            f"milliseconds the simulator waits before answering {operation}", category="Simulator", minimum=0)
    for operation in OPERATIONS
)

_DEFAULTS = {setting.key: setting for setting in SETTINGS}


def setting_value(values: Mapping[str, Any], key: str) -> int:
    """The current value of simulator setting `key`: from `values` when set there, else its default.

    Values may arrive as text (from a configuration file or the database); they are converted
    and checked against the setting's minimum.
    """
    setting = _DEFAULTS[key]
    raw = values.get(key, setting.default)
    try:
        value = int(str(raw).strip(), 10)
    except ValueError:
        raise ValueError(f"setting {key}: expected an integer, got {raw!r}") from None
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(f"setting {key}: {value} is below the minimum {int(setting.minimum)}")
    return value


def latency_settings(values: Mapping[str, Any]) -> dict[str, int]:
    """Operation name -> configured delay in milliseconds, for every operation."""
    return {operation: setting_value(values, LATENCY_PREFIX + operation) for operation in OPERATIONS}

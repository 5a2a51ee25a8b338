"""The simulator's plugin module: registers the driver, its settings and configureSimulator.

It is registered by the core distribution through the `cirrostack.plugins` entry point
`simulator`, exactly as a third-party plugin registers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cirrostack.hookspecs import PluginInfo, Setting, hookimpl
from cirrostack.hookspecs.hypervisor import HypervisorDriver
from cirrostack.hookspecs.vm_snapshot import VMSnapshotStrategy


@hookimpl
def describe_plugin() -> PluginInfo:
    return PluginInfo("Simulator hypervisor: simulated hosts and VMs with latency and fault injection")


@hookimpl
def register_hypervisors(register: Callable[[type[HypervisorDriver]], None]) -> None:
    from cirrostack.simulator.driver import SimulatorHypervisor

    register(SimulatorHypervisor)


@hookimpl
def register_settings(register: Callable[[Setting], None]) -> None:
    from cirrostack.simulator._settings import SETTINGS
    from cirrostack.simulator.guest_netns import SETTING as GUEST_NAMESPACES

    for setting in (*SETTINGS, GUEST_NAMESPACES):
        register(setting)


@hookimpl
def register_api_commands(register: Callable[[Any], None]) -> None:
    from cirrostack.simulator.configure_command import CONFIGURE_SIMULATOR

    register(CONFIGURE_SIMULATOR)


@hookimpl
def register_vm_snapshot_strategies(register: Callable[[type[VMSnapshotStrategy]], None]) -> None:
    # The core's default strategy (the hypervisor's own snapshots) ships with the core distribution's plugin.
    from cirrostack.services.vm_snapshots.hypervisor_strategy import HypervisorSnapshots

    register(HypervisorSnapshots)

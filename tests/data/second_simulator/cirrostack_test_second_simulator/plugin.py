"""Registers a hypervisor that claims the type "Simulator", which the core's simulator already claims."""

from collections.abc import Callable

from cirrostack.hookspecs import HypervisorDriver, hookimpl
from cirrostack.simulator.driver import SimulatorHypervisor


class SecondSimulator(SimulatorHypervisor):
    hypervisor_type = "Simulator"


@hookimpl
def register_hypervisors(register: Callable[[type[HypervisorDriver]], None]) -> None:
    register(SecondSimulator)

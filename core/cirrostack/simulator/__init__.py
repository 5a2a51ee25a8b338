"""The built-in simulator hypervisor (type "Simulator"), a plugin like any other.

See docs/simulator.md for host URLs, settings, fault injection and configureSimulator.
"""

from cirrostack.simulator.driver import SimulatorHypervisor

__all__ = ["SimulatorHypervisor"]

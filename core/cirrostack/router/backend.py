"""The router backend contract: where a network's router runs and how a config reaches it.

The VirtualRouter provider decides *what* a router enforces (a RouterConfig); a backend decides
*where*: `NamespaceRouterBackend` runs the router in a network namespace on the network host; a
system-VM backend would boot a router VM on a hypervisor and ship the same RouterConfig to the
agent inside it (docs/virtual-router.md lists what that still needs).
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from cirrostack.hookspecs.network_rules import AppliedConfig, ServiceNetwork
from cirrostack.router.config import RouterConfig


class RouterBackend(ABC):
    """Runs the routers of networks. Every method is idempotent."""

    @abstractmethod
    def implement(self, network: ServiceNetwork) -> None:
        """Create `network`'s router (its namespace or VM, guest and public interfaces, routes)
        if it does not exist. On failure, remove what this call created.
        Raises HostUnreachable (the network host or hypervisor is not there), ResourceAllocationFailed.
        """

    @abstractmethod
    def is_implemented(self, network: ServiceNetwork) -> bool:
        """Whether `network`'s router exists."""

    @abstractmethod
    def apply(self, config: RouterConfig) -> list[str]:
        """Make the router of `config.network` enforce `config` as a whole, implementing the
        router first when it does not exist. Returns what changed ([] when nothing did: no process
        restarted, no file rewritten). Raises ResourceAllocationFailed, HostUnreachable.
        """

    @abstractmethod
    def read(self, config: RouterConfig) -> AppliedConfig:
        """What the router of `config.network` enforces now, read back from it, with its problems
        ("dnsmasq is not running"). A router that does not exist reads as AppliedConfig(False).
        """

    @abstractmethod
    def shutdown(self, network: ServiceNetwork) -> None:
        """Remove the router of `network` with its processes, rules and files, and nothing else.
        A router that does not exist is nothing to remove."""

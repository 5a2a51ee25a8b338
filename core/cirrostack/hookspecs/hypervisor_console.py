"""Console access: where and how a client reaches a VM's console, and guest credentials a host delivers.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by a
capability in `HypervisorCapabilities`, so a driver that does not declare it is refused with a
432 before it is called.
"""

from __future__ import annotations


class ConsoleOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

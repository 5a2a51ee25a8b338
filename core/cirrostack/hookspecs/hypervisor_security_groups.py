"""Security groups: the per-VM ingress and egress rules a hypervisor host enforces.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by a
capability in `HypervisorCapabilities`, so a driver that does not declare it is refused with a
432 before it is called.
"""

from __future__ import annotations


class SecurityGroupOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

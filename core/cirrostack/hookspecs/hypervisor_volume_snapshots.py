"""Volume (disk) snapshots: taking, reverting and deleting snapshots of one volume, and volumes made from them.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by a
capability in `HypervisorCapabilities`, so a driver that does not declare it is refused with a
432 before it is called.
"""

from __future__ import annotations


class VolumeSnapshotOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

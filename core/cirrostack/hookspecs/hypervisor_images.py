"""Images a host makes or moves: a template from a volume, a volume exported for download
or imported from secondary storage.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by a
capability in `HypervisorCapabilities`, so a driver that does not declare it is refused with a
432 before it is called.
"""

from __future__ import annotations


class ImageOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

"""Images a host makes or moves: a template from a volume, a volume exported for download
or imported from secondary storage.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by a
capability in `HypervisorCapabilities`, so a driver that does not declare it is refused with a
432 before it is called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires

if TYPE_CHECKING:
    from cirrostack.hookspecs.hypervisor import DiskSpec, HostRef
    from cirrostack.hookspecs.storage import DataObjectInfo, StoreRef


class ImageOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

    @requires("template_from_volume")
    def export_volume(self, host: HostRef, disk: DiskSpec, store: StoreRef, path: str) -> DataObjectInfo:
        """Copy the volume `disk` (of a stopped VM, or a detached data volume) from `host` to the image
        store `store` at `path` (relative to the store's root, with `/`), as one standalone image in the
        volume's own format: a disk made from a template is written merged with it, never as a
        differencing disk. Needs `template_from_volume`.

        The host reaches the store with `store.details` (the operator's share credentials). The
        volume itself is left unchanged. Copying to the same `path` again replaces the copy; on failure
        nothing is left at `path`. Returns the copy's path, size and SHA-256. Raises VMNotFound or
        InvalidParameter("volumeid", ...) when the volume's file is not on the host, ResourceUnavailable
        when the store cannot be reached or written.
        """
        raise UnsupportedOperation(f"hypervisor {getattr(self, 'hypervisor_type', '?')}", "template_from_volume")

    @requires("template_from_volume")
    def import_volume(self, host: HostRef, store: StoreRef, path: str, disk: DiskSpec) -> None:
        """Copy the image at `path` on the image store `store` (an uploaded volume, in the format its
        file name's extension says) onto `disk`'s pool from `host`, as the disk file the driver uses for
        `disk` at the VM's next start or hot-plug. Needs `template_from_volume` (the same store access
        as `export_volume`).

        The host reaches the store with `store.details`. The store copy is left in place. Copying again
        replaces the disk file; on failure no disk file is left. Raises InvalidParameter("id", ...) when
        the hypervisor cannot use the image's format, ResourceUnavailable when the store or the pool
        cannot be reached.
        """
        raise UnsupportedOperation(f"hypervisor {getattr(self, 'hypervisor_type', '?')}", "template_from_volume")

"""Console access: where and how a client reaches a VM's console.

These are optional methods of `HypervisorDriver` (it inherits this class); each is gated by a
capability in `HypervisorCapabilities`, so a driver that does not declare it is refused with a
432 before it is called.

Guest credentials (a new password or SSH key) are not here: CloudStack hands them to the guest
through the virtual router's password and metadata service, never through the hypervisor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cirrostack.errors import UnsupportedOperation
from cirrostack.hookspecs._capability import requires

if TYPE_CHECKING:
    from cirrostack.hookspecs.hypervisor import HostRef, VMRef


@dataclass(frozen=True)
class ConsoleAccess:
    """How a console client reaches one running VM's console.

    `protocol` is what the client speaks there: "vnc" (RFB) or "rdp" (Hyper-V's VMConnect, which
    takes the VM's id as its pre-connection blob). `host` and `port` are where it listens;
    `password` is the per-VM console password when the protocol has one ("" when the client
    authenticates otherwise); `extra` holds protocol-specific facts (Hyper-V: "vmid").
    """

    protocol: str
    host: str
    port: int
    password: str = field(default="", repr=False)
    extra: Mapping[str, str] = field(default_factory=dict)


class ConsoleOperations:
    """Optional driver methods; see the module docstring. No method here is abstract."""

    hypervisor_type: str

    @requires("console_access")
    def console_access(self, host: HostRef, vm: VMRef) -> ConsoleAccess:
        """Where the console of running `vm` on `host` listens and how to reach it. Needs
        `console_access`.

        Reads what the hypervisor reports now (the address and port the running VM's console
        really uses); changes nothing. Raises VMNotFound when the host does not know the VM,
        InvalidState when it is not running (a stopped VM has no console), HostUnreachable.
        """
        raise UnsupportedOperation(f"hypervisor {self.hypervisor_type}", "console_access")

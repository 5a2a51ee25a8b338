"""The hypervisor conformance suite: `HypervisorConformance`, subclassed in a vendor's tests.

    from cirrostack.testing import HypervisorConformance

    class TestAcmeHypervisor(HypervisorConformance):
        pass            # the fixtures below come from conftest.py, the module or the class

Fixtures the suite uses (defaults live in the `cirrostack` pytest plugin; yours win):

- `hypervisor_driver` (required): an instance of your HypervisorDriver subclass. A driver the
  core's registry returned (guarded) is accepted too; the suite unwraps it.
- `hypervisor_host` (required): a HostRef of a reachable host with room for a few small VMs.
- `hypervisor_unreachable_host` (required): a HostRef of a host that does not answer (e.g. a
  URL naming a closed port); host_state must say DOWN and its calls raise HostUnreachable.
- `hypervisor_second_host`: a second reachable HostRef; needed only when `live_migration` is
  declared (default None).
- `vm_spec_factory`: a callable `(**overrides) -> VMSpec` returning a new small VM each call
  (default: 1 CPU, 256 MiB, one ROOT disk and one NIC, a fresh uuid and instance name).

Class attribute `unusable_host_url` (default "") is a URL connect_host must refuse with
InvalidParameter("url", ...).

Every test asserts; none skips. Undeclared capabilities are checked to be refused. A failure
message starts with the contract method it is about and says what broke.
"""

from __future__ import annotations

from cirrostack.testing._hypervisor_capabilities import CapabilityChecks
from cirrostack.testing._hypervisor_lifecycle import LifecycleChecks
from cirrostack.testing._hypervisor_security_groups import SecurityGroupChecks


class HypervisorConformance(LifecycleChecks, SecurityGroupChecks, CapabilityChecks):
    """Subclass as `Test...` in your tests to run the whole hypervisor contract suite."""

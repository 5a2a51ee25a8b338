"""Hook implementations of the VMware vSphere hypervisor plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "VMware vSphere clusters managed through vCenter"
PENDING = (
    "the VMware hypervisor driver (vCenter connection with pyVmomi, host checks, VM life cycle) is not "
    "implemented yet; the XenServer and VMware issue (not filed yet) brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

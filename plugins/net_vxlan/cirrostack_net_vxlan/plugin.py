"""Hook implementations of the VXLAN guest network isolation plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "VXLAN guest network isolation on KVM hosts"
PENDING = (
    "VXLAN isolation (kernel VXLAN devices and bridges on the hosts) is not implemented yet; the VXLAN "
    "issue (not filed yet, after guest networking in #9) brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

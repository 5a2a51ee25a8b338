"""Hook implementations of the KVM hypervisor plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "KVM hosts managed through libvirt"
PENDING = (
    "the KVM hypervisor driver (libvirt connection, host checks, VM life cycle, snapshots, live "
    "migration) is not implemented yet; issue #7 brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

"""Hook implementations of the VM snapshot strategies plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "Pluggable strategies for taking and reverting VM snapshots"
PENDING = (
    "the VM snapshot strategies (hypervisor-native snapshots, storage-array snapshots) are not "
    "implemented yet; the pluggable VM snapshots issue (not filed yet) brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

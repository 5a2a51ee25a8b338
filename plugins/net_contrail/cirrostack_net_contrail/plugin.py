"""Hook implementations of the OpenContrail overlay networking plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "Guest networks on an OpenContrail (Juniper Contrail) controller"
PENDING = (
    "the Contrail controller provider (virtual networks, ports, floating IPs through its REST API) is not "
    "implemented yet; the Palo Alto, NetScaler and Contrail issue (not filed yet) brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

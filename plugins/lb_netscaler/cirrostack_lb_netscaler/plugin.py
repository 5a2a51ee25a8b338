"""Hook implementations of the Citrix NetScaler load balancer plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "Citrix NetScaler appliances as the network's load balancer"
PENDING = (
    "the NetScaler load balancer provider (NITRO REST API: load balancing rules, health checks, SSL "
    "termination) is not implemented yet; the Palo Alto, NetScaler and Contrail issue (not filed yet) "
    "brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

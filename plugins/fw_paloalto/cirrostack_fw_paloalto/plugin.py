"""Hook implementations of the Palo Alto Networks firewall plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "Palo Alto Networks firewalls as the network's firewall and NAT provider"
PENDING = (
    "the Palo Alto firewall provider (PAN-OS XML API: firewall rules, source NAT, static NAT, port "
    "forwarding) is not implemented yet; the Palo Alto, NetScaler and Contrail issue (not filed yet) "
    "brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

"""Hook implementations of the Hyper-V hypervisor plugin.

It registers no driver yet: it only tells the core what it is and what is still missing, so
`cirro plugins list` shows it as `pending` with that reason.
"""

from cirrostack.hookspecs import PluginInfo, hookimpl

SUMMARY = "Hyper-V hosts managed over WinRM"
PENDING = (
    "the Hyper-V hypervisor driver (WinRM connection, host checks, VM life cycle) is not implemented yet; "
    "issue #8 brings it"
)


@hookimpl
def describe_plugin() -> PluginInfo:
    """This plugin's summary and what it does not deliver yet."""
    return PluginInfo(summary=SUMMARY, pending=PENDING)

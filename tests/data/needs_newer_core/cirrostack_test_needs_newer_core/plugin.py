"""Would load fine, but its distribution requires a core version that does not exist yet."""

from cirrostack.hookspecs import PluginInfo, hookimpl


@hookimpl
def describe_plugin() -> PluginInfo:
    return PluginInfo(summary="written for a future core")

"""Implements describe_plugin with an argument the hook specification does not have."""

from cirrostack.hookspecs import PluginInfo, hookimpl


@hookimpl
def describe_plugin(verbose: bool) -> PluginInfo:
    return PluginInfo(summary="asks for an argument describe_plugin never passes")

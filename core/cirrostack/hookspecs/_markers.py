"""The pluggy markers of the `cirrostack` project name; plugins decorate with `hookimpl`."""

import pluggy

PROJECT_NAME = "cirrostack"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

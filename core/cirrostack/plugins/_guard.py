"""The core's guard around a driver: declared capabilities are enforced before the call, and
anything a driver raises outside the error tree becomes a PluginError naming the plugin."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from cirrostack.errors import CirroError, PluginError, UnsupportedOperation
from cirrostack.hookspecs._capability import missing_capability


class GuardedDriver:
    """Wraps one driver instance. Attribute reads pass through; method calls are checked."""

    def __init__(self, driver: Any, contract: type, plugin: str, subject: str) -> None:
        self._driver = driver
        self._contract = contract
        self._plugin = plugin
        self._subject = subject  # e.g. "hypervisor Hyperv", used in refusals

    @property
    def unguarded(self) -> Any:
        """The driver itself, for the conformance kit and for tests."""
        return self._driver

    @property
    def plugin_name(self) -> str:
        return self._plugin

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._driver, name)
        if name.startswith("_") or not callable(attribute) or not hasattr(self._contract, name):
            return attribute
        return self._guard(attribute)

    def _guard(self, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(*args: Any, **kwargs: Any) -> Any:
            capabilities = getattr(self._driver, "capabilities", None)
            missing = missing_capability(self._contract, capabilities, method, args, kwargs)
            if missing is not None:
                raise UnsupportedOperation(self._subject, missing)
            try:
                return method(*args, **kwargs)
            except CirroError:
                raise
            except Exception as exc:
                raise PluginError(self._plugin, method.__name__, exc) from exc

        return call

    def __repr__(self) -> str:
        return f"<guarded {self._driver!r} from plugin {self._plugin}>"

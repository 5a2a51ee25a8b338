"""An in-memory stand-in for the hosts and devices the reference drivers reach."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cirrostack.errors import HostUnreachable


class Fabric:
    """Named endpoints (hosts, stores, devices) a driver can reach, each with its own state.

    An endpoint that was never added, or was taken down, does not answer.
    """

    def __init__(self, reachable: Iterable[str] = ()) -> None:
        self._state: dict[str, dict[str, Any]] = {name: {} for name in reachable}
        self._down: set[str] = set()

    def add(self, name: str) -> None:
        self._state.setdefault(name, {})

    def known(self, name: str) -> bool:
        """Whether the endpoint exists at all (answering or not)."""
        return name in self._state or name in self._down

    def take_down(self, name: str) -> None:
        self._down.add(name)

    def state(self, name: str) -> dict[str, Any]:
        """The endpoint's state; raises HostUnreachable naming it when it does not answer."""
        if name not in self._state or name in self._down:
            raise HostUnreachable(f"{name} does not answer")
        return self._state[name]

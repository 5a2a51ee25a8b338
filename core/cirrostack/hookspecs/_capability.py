"""Marking contract methods with the capability they need, so the core can refuse early."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

REQUIRES_ATTRIBUTE = "__cirro_requires__"


@dataclass(frozen=True)
class Requirement:
    capability: str
    when: Callable[[dict[str, Any]], bool] | None = None

    def applies(self, arguments: dict[str, Any]) -> bool:
        return self.when is None or bool(self.when(arguments))


def requires(capability: str, when: Callable[[dict[str, Any]], bool] | None = None) -> Callable[[F], F]:
    """Declare that a contract method may only be called when `capability` is declared true.

    `when`, if given, receives the call's arguments by name and says whether the requirement
    applies to this call (e.g. only for snapshots that include memory). The core reads these
    marks from the *contract* class (not the vendor's override) and raises
    `UnsupportedOperation` before the driver is called when the driver does not declare it.
    """

    def mark(method: F) -> F:
        existing = getattr(method, REQUIRES_ATTRIBUTE, ())
        setattr(method, REQUIRES_ATTRIBUTE, (*existing, Requirement(capability, when)))
        return method

    return mark


def requirements(contract: type, method_name: str) -> tuple[Requirement, ...]:
    """The requirements the contract declares on `method_name` (empty when it needs none)."""
    for klass in contract.__mro__:
        method = klass.__dict__.get(method_name)
        if method is not None:
            return getattr(method, REQUIRES_ATTRIBUTE, ())
    return ()


def missing_capability(contract: type, capabilities: object, method: Callable[..., Any],
                       args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    """The first capability `method` needs for this call that `capabilities` does not declare."""
    needed = requirements(contract, method.__name__)
    if not needed:
        return None
    bound = inspect.signature(method).bind(*args, **kwargs)
    bound.apply_defaults()
    for requirement in needed:
        if requirement.applies(bound.arguments) and not getattr(capabilities, requirement.capability, False):
            return requirement.capability
    return None

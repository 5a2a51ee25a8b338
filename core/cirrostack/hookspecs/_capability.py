"""Marking contract methods with the capability they need, so the core can refuse early.

A capability is named by the attribute of the driver's declared capabilities that holds it:
`"live_migration"` (a bool), a dotted path into nested capabilities (`"lb.ssl_termination"`),
or a collection the call's value must be a member of (`requires("hypervisor_types",
member=lambda args: args["host"].hypervisor_type)`).
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

REQUIRES_ATTRIBUTE = "__cirro_requires__"

_NOT_SET = object()


@dataclass(frozen=True)
class Requirement:
    """One capability a contract method needs, possibly only for some calls."""

    capability: str
    when: Callable[[dict[str, Any]], bool] | None = None
    member: Any = _NOT_SET  # a value, or a callable computing it from the call's arguments

    def applies(self, arguments: dict[str, Any]) -> bool:
        return self.when is None or bool(self.when(arguments))

    def unmet(self, capabilities: object, arguments: dict[str, Any]) -> str | None:
        """The refused capability as a refusal names it, or None when `capabilities` declare it."""
        declared = declared_value(capabilities, self.capability)
        if self.member is _NOT_SET:
            return None if declared else self.capability
        value = self.member(arguments) if callable(self.member) else self.member
        if isinstance(declared, Collection) and not isinstance(declared, str) and value in declared:
            return None
        shown = value.value if isinstance(value, enum.Enum) else value
        return f"{shown} in {self.capability}"


def declared_value(capabilities: object, capability: str) -> Any:
    """The declared value at `capability`, a dotted attribute path; False when it is absent."""
    value: Any = capabilities
    for part in capability.split("."):
        value = getattr(value, part, None)
        if value is None:
            return False
    return value


def requires(capability: str, when: Callable[[dict[str, Any]], bool] | None = None,
             member: Any = _NOT_SET) -> Callable[[F], F]:
    """Declare that a contract method may only be called when `capability` is declared.

    `capability` is an attribute path into the driver's declared capabilities. Without
    `member` the value there must be true. With `member` (a value, or a callable receiving
    the call's arguments by name) the value there must be a collection holding it, e.g. a
    network provider's `services` holding `NetworkService.LB`.

    `when`, if given, receives the call's arguments by name and says whether the requirement
    applies to this call (e.g. only for snapshots that include memory). The core reads these
    marks from the *contract* class (not the vendor's override) and raises
    `UnsupportedOperation` before the driver is called when the driver does not declare it.
    """

    def mark(method: F) -> F:
        existing = getattr(method, REQUIRES_ATTRIBUTE, ())
        setattr(method, REQUIRES_ATTRIBUTE, (*existing, Requirement(capability, when, member)))
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
        if requirement.applies(bound.arguments):
            unmet = requirement.unmet(capabilities, bound.arguments)
            if unmet is not None:
                return unmet
    return None

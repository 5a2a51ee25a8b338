"""The affinity group types the server offers (listAffinityGroupTypes) and what each one asks of the planner.

A type is a name users pass as createAffinityGroup's `type` and a rule: given the hosts where the other
members of a group run (or are reserved to run), which hosts a new member must avoid. CloudStack 4.3 ships
one type, "host anti-affinity" (no two members on one host); another type registers itself the same way:

    register_affinity_type(AffinityType("host affinity", "...", avoid=lambda occupied, candidates: ...))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cirrostack.errors import InvalidParameter

#: From the hosts the group's other members occupy and the candidate hosts, the hosts a member must avoid.
AvoidRule = Callable[[set[int], Iterable[int]], set[int]]

HOST_ANTI_AFFINITY = "host anti-affinity"


@dataclass(frozen=True)
class AffinityType:
    """A kind of affinity group: its API name, a description, and the planner's rule."""

    name: str
    description: str
    avoid: AvoidRule


_TYPES: dict[str, AffinityType] = {}


def register_affinity_type(affinity_type: AffinityType) -> None:
    """Offer `affinity_type`; registering another type under a taken name raises ValueError."""
    existing = _TYPES.get(affinity_type.name.lower())
    if existing is not None and existing != affinity_type:
        raise ValueError(f"affinity type {affinity_type.name} is already registered")
    _TYPES[affinity_type.name.lower()] = affinity_type


def affinity_types() -> list[AffinityType]:
    """Every offered type, by name."""
    return sorted(_TYPES.values(), key=lambda found: found.name)


def affinity_type(name: str, param: str = "type") -> AffinityType:
    """The type called `name` (any case). Raises InvalidParameter naming `param` and the offered types."""
    found = _TYPES.get(name.strip().lower())
    if found is None:
        offered = ", ".join(repr(known.name) for known in affinity_types())
        raise InvalidParameter(param, f"{name!r} is not an affinity group type; the types offered are {offered}")
    return found


def _avoid_occupied_hosts(occupied: set[int], _candidates: Iterable[int]) -> set[int]:
    return set(occupied)


register_affinity_type(AffinityType(
    HOST_ANTI_AFFINITY, "Places each VM of the group on a different host than the group's other VMs",
    _avoid_occupied_hosts))

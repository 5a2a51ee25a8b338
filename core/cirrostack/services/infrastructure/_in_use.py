"""What keeps a zone, pod, cluster or host from being deleted.

Each area that hangs objects below infrastructure registers a check once, at import:

    register_in_use_check("Host", lambda session, host: "it still runs 3 VMs" if ... else None)

A check returns why the object is still in use, or None. Deleting runs every check of its kind
and refuses with all the reasons found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.errors import ResourceInUse

InUseCheck = Callable[[Session, Any], str | None]

_CHECKS: dict[str, list[InUseCheck]] = {}


def register_in_use_check(kind: str, check: InUseCheck) -> None:
    """Add `check` for objects of `kind` ("Zone", "Pod", "Cluster" or "Host"); registering the
    same function twice has no effect."""
    checks = _CHECKS.setdefault(kind, [])
    if check not in checks:
        checks.append(check)


def refuse_if_in_use(session: Session, kind: str, obj: Any) -> None:
    """Raise ResourceInUse (536) naming `obj` and every reason it is still in use."""
    reasons = [reason for check in _CHECKS.get(kind, []) if (reason := check(session, obj))]
    if reasons:
        raise ResourceInUse(f"{kind.lower()} {obj.name} ({obj.uuid}) cannot be deleted: {'; '.join(reasons)}")

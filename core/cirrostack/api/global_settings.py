"""Global settings the API layer reads (`default.page.size`, what listCapabilities reports).

The values come from the settings service (services.settings): the `configuration` row at
global scope when an operator set one, else CloudStack's default from the core catalogue.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

#: the keys the API layer reads; every one is declared in services/settings/catalog.py
API_SETTINGS: tuple[str, ...] = (
    "default.page.size", "allow.public.user.templates", "project.invite.required", "allow.user.create.projects",
    "custom.diskoffering.size.max", "network.loadbalancer.basiczone.elb.enabled", "kvm.snapshot.enabled",
    "allow.user.view.destroyed.vm",
)


def global_setting(session: Session, key: str) -> Any:
    """The global value of `key`, in its declared type."""
    from cirrostack.services import settings

    return settings.value(session, key)

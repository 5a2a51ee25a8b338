"""Global settings the API layer reads (`default.page.size`, what listCapabilities reports).

A value is the `configuration` row at global scope when an operator set one, else the default
given here, which is CloudStack's default for that key. Names compare case-insensitively, as
CloudStack's MySQL collation made them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.errors import CirroError

#: key -> CloudStack's default value
API_SETTINGS: dict[str, Any] = {
    "default.page.size": 500,
    "allow.public.user.templates": True,
    "project.invite.required": False,
    "allow.user.create.projects": True,
    "custom.diskoffering.size.max": 1024,
    "network.loadbalancer.basiczone.elb.enabled": False,
    "kvm.snapshot.enabled": False,
    "allow.user.view.destroyed.vm": False,
}


def global_setting(session: Session, key: str) -> Any:
    """The global value of `key`, converted to the type of its default."""
    from cirrostack.db.models import ConfigurationValue

    default = API_SETTINGS[key]
    stored = session.scalar(select(ConfigurationValue.value).where(
        func.lower(ConfigurationValue.name) == key.lower(), ConfigurationValue.scope == "global"))
    if stored is None:
        return default
    text = stored.strip()
    if isinstance(default, bool):
        return text.lower() == "true"
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise CirroError(f"setting {key} holds {stored!r}, which is not an integer") from None
    return text

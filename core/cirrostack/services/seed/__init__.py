"""What a fresh cloud has before anyone adds anything: the guest OS catalogue and the default
offerings. Migration 0004 inserts these rows; ids are uuid5 of the object's kind and name, so
they are the same on every install (tools and scripts may keep them).

The BUILTIN template of a simulator zone is created when the zone is, by
`cirrostack.services.templates.create_builtin_template`.
"""

from __future__ import annotations

import uuid
from typing import Any

from cirrostack.services.seed.guest_os import CATEGORIES
from cirrostack.services.seed.offerings import DISK_OFFERINGS, SERVICE_OFFERINGS, SYSTEM_OFFERINGS

#: Namespace of cirrostack's stable seed uuids.
SEED_NAMESPACE = uuid.UUID("6f1c1d52-63a5-5b5e-9a51-3c1d0d3c7a10")


def stable_uuid(kind: str, name: str) -> str:
    """The uuid a seeded object of `kind` ("guest-os", "service-offering", ...) called `name` always has."""
    return str(uuid.uuid5(SEED_NAMESPACE, f"{kind}:{name}"))


def category_rows() -> list[dict[str, Any]]:
    """Rows of guest_os_categories; `id` is fixed so that guest_os rows can refer to it."""
    return [{"id": index, "uuid": stable_uuid("guest-os-category", name), "name": name}
            for index, name in enumerate(CATEGORIES, start=1)]


def guest_os_rows() -> list[dict[str, Any]]:
    """Rows of guest_os, every description of every category."""
    category_ids = {row["name"]: row["id"] for row in category_rows()}
    return [{"uuid": stable_uuid("guest-os", description), "category_id": category_ids[category],
             "display_name": description, "is_user_defined": False}
            for category, descriptions in CATEGORIES.items() for description in descriptions]


_SERVICE_DEFAULTS = {"storage_type": "shared", "limit_cpu_use": False, "offer_ha": False, "is_volatile": False,
                     "is_system": False, "default_use": False, "system_vm_type": None, "unique_name": None,
                     "sort_key": 0}


def service_offering_rows(created: Any) -> list[dict[str, Any]]:
    """Rows of service_offerings: the default compute offerings, then the system offerings."""
    rows = []
    for offering in [*SERVICE_OFFERINGS, *SYSTEM_OFFERINGS]:
        row = {**_SERVICE_DEFAULTS, "display_text": offering["name"], **offering}
        row.update(uuid=stable_uuid("service-offering", offering["name"]), created=created, live=True)
        rows.append(row)
    return rows


def disk_offering_rows(created: Any) -> list[dict[str, Any]]:
    """Rows of disk_offerings: Small, Medium, Large and Custom."""
    defaults = {"is_customized": False, "storage_type": "shared", "display_offering": True, "sort_key": 0}
    return [{**defaults, **offering, "uuid": stable_uuid("disk-offering", offering["name"]), "created": created,
             "live": True} for offering in DISK_OFFERINGS]


__all__ = ["SEED_NAMESPACE", "category_rows", "disk_offering_rows", "guest_os_rows", "service_offering_rows",
           "stable_uuid"]

"""Limits and usage events for volumes: every volume that comes or goes, or changes size, is
counted against its account's `volume` and `primary_storage` limits and metered as a usage event."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cirrostack.db.models.compute import Volume
from cirrostack.services import limits
from cirrostack.services.limits import ResourceType
from cirrostack.services.usage.events import record_usage_event


def charge_new(session: Session, account_id: int, size_bytes: int) -> None:
    """Count one more volume of `size_bytes` against the owner's limits, before the volume is made.
    Raises ResourceLimitExceeded (nothing stays counted then)."""
    limits.consume_all(session, account_id, root_volume_amounts(size_bytes))


def root_volume_amounts(size_bytes: int) -> dict[ResourceType, int]:
    """What one new volume of `size_bytes` counts against its owner's limits."""
    return {ResourceType.VOLUME: 1, ResourceType.PRIMARY_STORAGE: size_bytes}


def record_created(session: Session, volume: Volume, *, offering_id: int | None) -> None:
    """Record VOLUME.CREATE with the offering and the size actually given (counted by `charge_new`)."""
    record_usage_event(session, "VOLUME.CREATE", account_id=volume.account_id, domain_id=volume.domain_id,
                             zone_id=volume.zone_id, resource_id=volume.id, resource_uuid=volume.uuid,
                             resource_name=volume.name, offering_id=offering_id, template_id=volume.template_id,
                             size=volume.size_bytes)


def charge_resized(session: Session, volume: Volume, old_size: int, *, offering_id: int | None) -> None:
    """Move the owner's primary storage count by the change in size and record VOLUME.RESIZE."""
    if volume.size_bytes > old_size:
        limits.consume(session, volume.account_id, ResourceType.PRIMARY_STORAGE, volume.size_bytes - old_size)
    elif volume.size_bytes < old_size:
        limits.release(session, volume.account_id, ResourceType.PRIMARY_STORAGE, old_size - volume.size_bytes)
    record_usage_event(session, "VOLUME.RESIZE", account_id=volume.account_id, domain_id=volume.domain_id,
                             zone_id=volume.zone_id, resource_id=volume.id, resource_uuid=volume.uuid,
                             resource_name=volume.name, offering_id=offering_id, size=volume.size_bytes)


def refund_deleted(session: Session, volume: Volume) -> None:
    """Give the volume and its size back to the owner's limits and record VOLUME.DELETE."""
    limits.release(session, volume.account_id, ResourceType.VOLUME, 1)
    limits.release(session, volume.account_id, ResourceType.PRIMARY_STORAGE, volume.size_bytes)
    record_usage_event(session, "VOLUME.DELETE", account_id=volume.account_id, domain_id=volume.domain_id,
                             zone_id=volume.zone_id, resource_id=volume.id, resource_uuid=volume.uuid,
                             resource_name=volume.name, offering_id=volume.disk_offering_id, size=volume.size_bytes)

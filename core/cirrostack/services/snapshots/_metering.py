"""Limits and usage of volume snapshots: each live snapshot counts 1 against its owner's `snapshot`
limit (resource type 3) from its request until it is deleted or fails, and is metered (usage type 9)
from SNAPSHOT.CREATE, recorded when the copy exists, to SNAPSHOT.DELETE."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cirrostack.db.models.compute import Volume
from cirrostack.db.models.snapshots import Snapshot
from cirrostack.services import limits
from cirrostack.services.limits import ResourceType
from cirrostack.services.usage.events import record_usage_event
from cirrostack.services.usage.types import SNAPSHOT_CREATE, SNAPSHOT_DELETE


def charge(session: Session, account_id: int) -> None:
    """Count one more snapshot for the account and its domains. Raises ResourceLimitExceeded."""
    limits.consume(session, account_id, ResourceType.SNAPSHOT, 1)


def refund(session: Session, snapshot: Snapshot) -> None:
    """Give the snapshot back to its owner's count (deleted, or failed before it existed)."""
    limits.release(session, snapshot.account_id, ResourceType.SNAPSHOT, 1)


def record_created(session: Session, snapshot: Snapshot, volume: Volume) -> None:
    """SNAPSHOT.CREATE with the copy's size, once the hypervisor has made it."""
    record_usage_event(session, SNAPSHOT_CREATE, account_id=snapshot.account_id, domain_id=snapshot.domain_id,
                       zone_id=snapshot.zone_id, resource_id=snapshot.id, resource_uuid=snapshot.uuid,
                       resource_name=snapshot.name, offering_id=volume.disk_offering_id,
                       size=snapshot.physical_size_bytes)


def record_deleted(session: Session, snapshot: Snapshot) -> None:
    """SNAPSHOT.DELETE: the snapshot's usage ends now."""
    record_usage_event(session, SNAPSHOT_DELETE, account_id=snapshot.account_id, domain_id=snapshot.domain_id,
                       zone_id=snapshot.zone_id, resource_id=snapshot.id, resource_uuid=snapshot.uuid,
                       resource_name=snapshot.name, size=snapshot.physical_size_bytes)

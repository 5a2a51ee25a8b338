"""Migration 0004 seeds CloudStack's guest OS catalogue and default offerings, with the same ids on every install."""

from __future__ import annotations

from sqlalchemy import func, select

from cirrostack.db.database import Database
from cirrostack.db.models import DiskOffering, GuestOS, GuestOSCategory, ServiceOffering
from cirrostack.services.seed import guest_os_rows, stable_uuid
from cirrostack.services.seed.guest_os import CATEGORIES


def test_catalogue_has_no_duplicate_descriptions_and_a_few_hundred_entries():
    descriptions = [description for entries in CATEGORIES.values() for description in entries]
    assert len(descriptions) == len(set(descriptions))
    assert 200 <= len(descriptions) <= 400
    assert len({row["uuid"] for row in guest_os_rows()}) == len(descriptions)


def test_migrated_database_holds_the_seed_with_stable_ids(database_url):
    database = Database(database_url)
    try:
        database.upgrade()
        with database.session() as session:
            assert session.scalar(select(func.count(GuestOS.id))) == len(guest_os_rows())
            centos = session.scalars(select(GuestOS).where(GuestOS.display_name == "CentOS 5.6 (64-bit)")).one()
            assert centos.uuid == stable_uuid("guest-os", "CentOS 5.6 (64-bit)")
            assert centos.category.name == "CentOS"
            assert session.scalar(select(func.count(GuestOSCategory.id))) == len(CATEGORIES)
            router = session.scalars(select(ServiceOffering).where(
                ServiceOffering.name == "System Offering For Software Router")).one()
            assert router.is_system and router.system_vm_type == "domainrouter" and router.default_use
            custom = session.scalars(select(DiskOffering).where(DiskOffering.name == "Custom")).one()
            assert custom.is_customized and custom.uuid == stable_uuid("disk-offering", "Custom")
    finally:
        database.dispose()

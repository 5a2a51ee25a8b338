"""The installed cirrostack-storage-s3 distribution is discovered and says what is pending."""

from cirrostack_storage_s3 import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def test_s3_is_discovered_as_pending_with_its_reason() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "s3"), None)
    assert record is not None, "entry point 's3' not found: install cirrostack-storage-s3 first"
    assert (record.distribution, record.entry_point) == ("cirrostack-storage-s3", "cirrostack_storage_s3.plugin")
    assert record.status is PluginStatus.PENDING, record.reason
    assert record.reason == plugin.PENDING
    assert record.summary == plugin.SUMMARY


def test_s3_registers_nothing_it_cannot_do_yet() -> None:
    _manager, _records, registrations = load_plugins()
    claimed = {
        name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "s3"
    }
    assert claimed == set()

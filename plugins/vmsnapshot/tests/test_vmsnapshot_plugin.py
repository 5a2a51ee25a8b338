"""The installed cirrostack-vmsnapshot distribution is discovered and says what is pending."""

from cirrostack_vmsnapshot import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def test_vmsnapshot_is_discovered_as_pending_with_its_reason() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "vmsnapshot"), None)
    assert record is not None, "entry point 'vmsnapshot' not found: install cirrostack-vmsnapshot first"
    assert (record.distribution, record.entry_point) == ("cirrostack-vmsnapshot", "cirrostack_vmsnapshot.plugin")
    assert record.status is PluginStatus.PENDING, record.reason
    assert record.reason == plugin.PENDING
    assert record.summary == plugin.SUMMARY


def test_vmsnapshot_registers_nothing_it_cannot_do_yet() -> None:
    _manager, _records, registrations = load_plugins()
    claimed = {
        name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "vmsnapshot"
    }
    assert claimed == set()

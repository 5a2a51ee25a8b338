"""The installed cirrostack-hv-hyperv distribution is discovered and says what is pending."""

from cirrostack_hv_hyperv import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def test_hyperv_is_discovered_as_pending_with_its_reason() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "hyperv"), None)
    assert record is not None, "entry point 'hyperv' not found: install cirrostack-hv-hyperv first"
    assert (record.distribution, record.entry_point) == ("cirrostack-hv-hyperv", "cirrostack_hv_hyperv.plugin")
    assert record.status is PluginStatus.PENDING, record.reason
    assert record.reason == plugin.PENDING
    assert record.summary == plugin.SUMMARY


def test_hyperv_registers_nothing_it_cannot_do_yet() -> None:
    _manager, _records, registrations = load_plugins()
    claimed = {
        name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "hyperv"
    }
    assert claimed == set()

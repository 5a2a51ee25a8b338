"""The installed cirrostack-lb-netscaler distribution is discovered and says what is pending."""

from cirrostack_lb_netscaler import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def test_netscaler_is_discovered_as_pending_with_its_reason() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "netscaler"), None)
    assert record is not None, "entry point 'netscaler' not found: install cirrostack-lb-netscaler first"
    assert (record.distribution, record.entry_point) == ("cirrostack-lb-netscaler", "cirrostack_lb_netscaler.plugin")
    assert record.status is PluginStatus.PENDING, record.reason
    assert record.reason == plugin.PENDING
    assert record.summary == plugin.SUMMARY


def test_netscaler_registers_nothing_it_cannot_do_yet() -> None:
    _manager, _records, registrations = load_plugins()
    claimed = {
        name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "netscaler"
    }
    assert claimed == set()

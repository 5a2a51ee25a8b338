"""The installed cirrostack-net-contrail distribution is discovered and says what is pending."""

from cirrostack_net_contrail import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def test_contrail_is_discovered_as_pending_with_its_reason() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "contrail"), None)
    assert record is not None, "entry point 'contrail' not found: install cirrostack-net-contrail first"
    assert (record.distribution, record.entry_point) == ("cirrostack-net-contrail", "cirrostack_net_contrail.plugin")
    assert record.status is PluginStatus.PENDING, record.reason
    assert record.reason == plugin.PENDING
    assert record.summary == plugin.SUMMARY


def test_contrail_registers_nothing_it_cannot_do_yet() -> None:
    _manager, _records, registrations = load_plugins()
    claimed = {
        name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "contrail"
    }
    assert claimed == set()

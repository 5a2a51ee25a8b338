"""The installed cirrostack-fw-paloalto distribution is discovered and says what is pending."""

from cirrostack_fw_paloalto import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def test_paloalto_is_discovered_as_pending_with_its_reason() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "paloalto"), None)
    assert record is not None, "entry point 'paloalto' not found: install cirrostack-fw-paloalto first"
    assert (record.distribution, record.entry_point) == ("cirrostack-fw-paloalto", "cirrostack_fw_paloalto.plugin")
    assert record.status is PluginStatus.PENDING, record.reason
    assert record.reason == plugin.PENDING
    assert record.summary == plugin.SUMMARY


def test_paloalto_registers_nothing_it_cannot_do_yet() -> None:
    _manager, _records, registrations = load_plugins()
    claimed = {
        name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "paloalto"
    }
    assert claimed == set()

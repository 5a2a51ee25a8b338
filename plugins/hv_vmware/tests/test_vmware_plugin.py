"""The installed cirrostack-hv-vmware distribution is discovered and says what is pending."""

from cirrostack_hv_vmware import plugin

from cirrostack.plugins import PluginStatus, load_plugins


def test_vmware_is_discovered_as_pending_with_its_reason() -> None:
    _manager, records, registrations = load_plugins()
    record = next((r for r in records if r.name == "vmware"), None)
    assert record is not None, "entry point 'vmware' not found: install cirrostack-hv-vmware first"
    assert (record.distribution, record.entry_point) == ("cirrostack-hv-vmware", "cirrostack_hv_vmware.plugin")
    assert record.status is PluginStatus.PENDING, record.reason
    assert record.reason == plugin.PENDING
    assert record.summary == plugin.SUMMARY


def test_vmware_registers_nothing_it_cannot_do_yet() -> None:
    _manager, _records, registrations = load_plugins()
    claimed = {
        name for claims in registrations.values() for name, (owner, _obj) in claims.items() if owner == "vmware"
    }
    assert claimed == set()

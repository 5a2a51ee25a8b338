"""The settings service: typed values, scopes, case-insensitive names, secrets, the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cirrostack.db import Database
from cirrostack.db.models import ConfigurationValue
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.settings import Setting, SettingScope
from cirrostack.secrets import SecretBox
from cirrostack.services import settings
from cirrostack.services.settings.docs import settings_markdown

DOCS = Path(__file__).parent.parent / "docs" / "settings.md"


@pytest.fixture
def database(database_url: str):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def test_unset_keys_give_cloudstack_defaults_in_their_declared_types(database: Database) -> None:
    with database.session() as session:
        assert settings.value(session, "default.page.size") == 500
        assert settings.value(session, "expunge.delay") == 86400
        assert settings.value(session, "enable.dynamic.scale.vm") is False
        assert settings.value(session, "storage.overprovisioning.factor") == 2.0
        assert settings.value(session, "instance.name") == "VM"
        assert settings.value(session, "router.template.kvm") is None


def test_names_are_case_insensitive_and_values_converted(database: Database) -> None:
    with database.session() as session:
        settings.set_value(session, None, "NETWORK.ROUTER.enableserviceMonitoring", "FALSE")
        settings.set_value(session, None, "ping.interval", " 30 ")
    with database.session() as session:
        assert settings.value(session, "network.router.EnableServiceMonitoring") is False
        assert settings.value(session, "PING.INTERVAL") == 30
        stored = session.scalars(select(ConfigurationValue.name)).all()
        assert sorted(stored) == ["network.router.EnableServiceMonitoring", "ping.interval"]


def test_a_bad_value_names_the_key_and_the_expected_type(database: Database) -> None:
    with database.session() as session:
        with pytest.raises(InvalidParameter) as bad_int:
            settings.set_value(session, None, "expunge.delay", "soon")
        with pytest.raises(InvalidParameter) as bad_bool:
            settings.set_value(session, None, "enable.dynamic.scale.vm", "yes")
        with pytest.raises(InvalidParameter) as out_of_range:
            settings.set_value(session, None, "cluster.cpu.allocated.capacity.notificationthreshold", "1.5")
    assert bad_int.value.param == "value" and bad_int.value.http_status == 431
    assert "expunge.delay expects an integer" in bad_int.value.message and "'soon'" in bad_int.value.message
    assert "enable.dynamic.scale.vm expects a boolean" in bad_bool.value.message
    assert "from 0 to 1" in out_of_range.value.message


def test_an_unknown_key_is_a_431_naming_name(database: Database) -> None:
    with database.session() as session, pytest.raises(InvalidParameter) as error:
        settings.set_value(session, None, "no.such.key", "1")
    assert error.value.param == "name" and "no.such.key" in error.value.message


def test_the_most_specific_scope_wins_then_global_then_default(database: Database) -> None:
    with database.session() as session:
        assert settings.value(session, "cpu.overprovisioning.factor", cluster_id=7) == 1.0
        settings.set_value(session, None, "cpu.overprovisioning.factor", "2")
        settings.set_value(session, None, "cpu.overprovisioning.factor", "4", cluster_id=7)
    with database.session() as session:
        assert settings.value(session, "cpu.overprovisioning.factor", cluster_id=7) == 4.0
        assert settings.value(session, "cpu.overprovisioning.factor", cluster_id=8) == 2.0
        assert settings.value(session, "cpu.overprovisioning.factor") == 2.0
        settings.set_value(session, None, "cpu.overprovisioning.factor", "", cluster_id=7)
    with database.session() as session:
        assert settings.value(session, "cpu.overprovisioning.factor", cluster_id=7) == 2.0


def test_a_key_cannot_be_set_at_a_scope_it_does_not_have(database: Database) -> None:
    with database.session() as session, pytest.raises(InvalidParameter) as error:
        settings.set_value(session, None, "expunge.delay", "10", zone_id=1)
    assert error.value.param == "zoneid" and "expunge.delay has global scope" in error.value.message


def test_secrets_are_encrypted_at_rest_and_masked_when_shown(database: Database) -> None:
    box = SecretBox(SecretBox.generate_key())
    with database.session() as session:
        settings.set_value(session, None, "alert.smtp.password", "s3cret-pass", secrets=box)
    with database.session() as session:
        raw = session.scalar(select(ConfigurationValue.value).where(ConfigurationValue.name == "alert.smtp.password"))
        assert raw and "s3cret-pass" not in raw
        assert settings.value(session, "alert.smtp.password", secrets=box) == "s3cret-pass"
        shown = settings.shown_values(session, name="alert.smtp.password")
        assert [row.value for row in shown] == [settings.MASK]


def test_plugin_settings_join_the_catalogue_but_never_replace_core_keys(database: Database) -> None:
    try:
        settings.use_plugin_settings([Setting("acme.widgets", 3, int, "widgets per host", minimum=1),
                                      Setting("expunge.delay", 1, int, "a clash")])
        assert settings.definition("ACME.widgets").default == 3
        assert settings.definition("expunge.delay").default == 86400
        with database.session() as session:
            with pytest.raises(InvalidParameter):
                settings.set_value(session, None, "acme.widgets", "0")
            settings.set_value(session, None, "acme.widgets", "5")
            assert settings.plugin_values(session) == {"acme.widgets": 5}
    finally:
        settings.use_plugin_settings([])


def test_the_catalogue_has_the_keys_tools_read_with_cloudstack_defaults() -> None:
    expected = {"expunge.delay": 86400, "expunge.interval": 86400, "default.page.size": 500,
                "enable.dynamic.scale.vm": False, "instance.name": "VM", "network.gc.interval": 600,
                "network.gc.wait": 600, "ping.interval": 60, "cpu.overprovisioning.factor": 1.0,
                "mem.overprovisioning.factor": 1.0, "storage.overprovisioning.factor": 2.0,
                "network.router.EnableServiceMonitoring": True, "alert.smtp.port": 465}
    for key, default in expected.items():
        assert settings.definition(key).default == default, key
    for hypervisor in ("xen", "kvm", "vmware", "hyperv", "lxc"):
        router = settings.definition(f"router.template.{hypervisor}")
        assert (router.scope, router.category, router.default) == (SettingScope.ZONE, "Advanced", None)
    assert settings.definition("enable.dynamic.scale.vm").scope is SettingScope.ZONE
    assert settings.definition("storage.overprovisioning.factor").scope is SettingScope.STORAGE
    assert settings.definition("alert.smtp.password").secret
    assert all(s.description for s in settings.definitions())


def test_docs_list_every_setting_of_the_catalogue() -> None:
    assert DOCS.read_text() == settings_markdown(), (
        "docs/settings.md is stale: run `python -m cirrostack.services.settings.docs > docs/settings.md`")

"""listConfigurations / updateConfiguration through the API, on SQLite and MariaDB."""

from __future__ import annotations


def _listed(api, **params) -> dict[str, dict]:
    status, body = api.root("listConfigurations", **params)
    assert status == 200, body
    return {row["name"]: row for row in body.get("configuration", [])}


def test_update_router_template_then_list_shows_it(operator_api) -> None:
    status, body = operator_api.root("updateConfiguration", name="router.template.kvm",
                                     value="SystemVM Template (KVM)")
    assert status == 200, body
    assert body["configuration"]["value"] == "SystemVM Template (KVM)"
    assert body["configuration"]["scope"] == "zone"
    row = _listed(operator_api, name="router.template.kvm")["router.template.kvm"]
    assert row["value"] == "SystemVM Template (KVM)" and row["category"] == "Advanced"
    assert row["isdynamic"] is True and row["description"]


def test_a_bad_value_for_a_typed_key_is_refused_with_431(operator_api) -> None:
    status, body = operator_api.root("updateConfiguration", name="expunge.delay", value="tomorrow")
    assert status == 431
    assert "expunge.delay expects an integer" in body["errortext"]
    assert _listed(operator_api, name="expunge.delay")["expunge.delay"]["value"] == "86400"


def test_an_unknown_name_is_refused_naming_it(operator_api) -> None:
    status, body = operator_api.root("updateConfiguration", name="no.such.setting", value="1")
    assert status == 431 and body["errortext"].startswith("name:") and "no.such.setting" in body["errortext"]


def test_list_filters_by_category_and_keyword(operator_api) -> None:
    alert_rows = _listed(operator_api, category="Alert")
    assert "alert.smtp.host" in alert_rows and all(row["category"] == "Alert" for row in alert_rows.values())
    assert set(_listed(operator_api, keyword="gc.")) == {"network.gc.interval", "network.gc.wait"}


def test_secret_settings_are_masked_in_replies(operator_api) -> None:
    status, body = operator_api.root("updateConfiguration", name="alert.smtp.password", value="hunter22")
    assert status == 200 and body["configuration"]["value"] == "********"
    assert _listed(operator_api, name="alert.smtp.password")["alert.smtp.password"]["value"] == "********"


def test_account_scoped_value_is_listed_for_that_account_only(operator_api) -> None:
    operator_api.user("scoped")
    _status, accounts = operator_api.root("listAccounts", name="scoped", listall="true")
    account_id = accounts["account"][0]["id"]
    status, body = operator_api.root("updateConfiguration", name="remote.access.vpn.client.iprange",
                                     value="10.9.0.1-10.9.0.9", accountid=account_id)
    assert status == 200, body
    scoped = _listed(operator_api, accountid=account_id)
    assert scoped["remote.access.vpn.client.iprange"]["value"] == "10.9.0.1-10.9.0.9"
    assert all(row["scope"] == "account" for row in scoped.values())
    assert _listed(operator_api, name="remote.access.vpn.client.iprange")[
        "remote.access.vpn.client.iprange"]["value"] == "10.1.2.1-10.1.2.8"
    status, body = operator_api.root("updateConfiguration", name="expunge.delay", value="5", accountid=account_id)
    assert status == 431 and "accountid" in body["errortext"]


def test_users_may_not_read_or_change_configuration(operator_api) -> None:
    user = operator_api.user("plainuser")
    status, body = user("updateConfiguration", name="expunge.delay", value="1")
    assert status == 432 and "updateConfiguration" in body["errortext"]
    status, _body = user("listConfigurations")
    assert status == 432


def test_a_change_leaves_an_event(operator_api) -> None:
    operator_api.root("updateConfiguration", name="ping.interval", value="30")
    _status, body = operator_api.root("listEvents", type="CONFIGURATION.VALUE.EDIT", listall="true")
    assert any("ping.interval" in event["description"] for event in body["event"])

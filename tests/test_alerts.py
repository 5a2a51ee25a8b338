"""Alerts: generateAlert, listAlerts, archive/delete, and mail to operators over a real SMTP server."""

from __future__ import annotations

import pytest

from cirrostack.errors import InvalidParameter
from cirrostack.services import alerts


def _alerts(api, **params) -> list[dict]:
    status, body = api.root("listAlerts", **params)
    assert status == 200, body
    return body.get("alert", [])


def _generate(api, **params) -> dict:
    status, body = api.root("generateAlert", **params)
    assert status == 200, body
    return api.job_result(body["jobid"])


def test_generate_alert_by_root_admin_shows_in_list_alerts(operator_api) -> None:
    job = _generate(operator_api, type=14, name="ALERT.MANAGEMENT", description="usage server lagging")
    assert job["jobstatus"] == 1 and job["jobresult"] == {"success": True}
    listed = _alerts(operator_api, type="14")
    assert [(a["type"], a["name"], a["description"]) for a in listed] == [
        (14, "ALERT.MANAGEMENT", "usage server lagging")]
    assert "sent" not in listed[0]  # no SMTP host configured: recorded, not mailed


def test_a_custom_type_keeps_its_own_name(operator_api) -> None:
    _generate(operator_api, type=300, name="BACKUP.FAILED", description="nightly backup failed")
    assert [a["name"] for a in _alerts(operator_api, name="backup.failed")] == ["BACKUP.FAILED"]


def test_a_built_in_type_needs_its_built_in_name(operator_api) -> None:
    job = _generate(operator_api, type=7, name="HOST.SAD", description="x")
    assert job["jobstatus"] == 2
    assert job["jobresult"]["errorcode"] == 431
    assert "There is a default alert having type 7 and name ALERT.COMPUTE.HOST" in job["jobresult"]["errortext"]
    assert _alerts(operator_api) == []


def test_a_user_calling_generate_alert_gets_432_with_a_reason(operator_api) -> None:
    user = operator_api.user("mallory")
    status, body = user("generateAlert", type=14, name="ALERT.MANAGEMENT", description="fake")
    assert status == 432 and "generateAlert" in body["errortext"]
    assert _alerts(operator_api) == []


def test_archive_and_delete_alerts(operator_api) -> None:
    for text in ("first", "second", "third"):
        _generate(operator_api, type=12, name="ALERT.STORAGE.MISC", description=text)
    ids = {a["description"]: a["id"] for a in _alerts(operator_api)}
    status, _body = operator_api.root("archiveAlerts", ids=ids["first"])
    assert status == 200
    assert {a["description"] for a in _alerts(operator_api)} == {"second", "third"}
    status, _body = operator_api.root("deleteAlerts", type=12)
    assert status == 200 and _alerts(operator_api) == []
    status, body = operator_api.root("deleteAlerts", ids=ids["first"])
    assert status == 431 and ids["first"] in body["errortext"]


def test_raise_alert_fills_in_the_built_in_name_and_checks_custom_types(operator_api) -> None:
    with operator_api.server.database.session() as session:
        alert = alerts.raise_alert(session, alerts.AlertType.COMPUTE_HOST, "host h1 is down", "no ping for 150 s")
        assert alert.name == "ALERT.COMPUTE.HOST"
        with pytest.raises(InvalidParameter) as error:
            alerts.raise_alert(session, 99, "x", "y")
        assert error.value.param == "name"


def test_alerts_are_mailed_to_operators_over_smtp(operator_api, smtp_inbox) -> None:
    for name, value in (("alert.smtp.host", smtp_inbox.host), ("alert.smtp.port", str(smtp_inbox.port)),
                        ("alert.email.addresses", "ops@example.org, noc@example.org"),
                        ("alert.email.sender", "cloud@example.org")):
        status, body = operator_api.root("updateConfiguration", name=name, value=value)
        assert status == 200, body
    _generate(operator_api, type=1, name="ALERT.CPU", description="CPU allocated above 75% in cluster c1")
    mail = smtp_inbox.wait_for("CPU allocated above 75% in cluster c1")
    assert mail["From"] == "cloud@example.org"
    assert mail["To"] == "ops@example.org, noc@example.org"
    assert "ALERT.CPU" in mail.get_payload()
    operator_api.server_mailer_idle()
    assert _alerts(operator_api, type="1")[0]["sent"].endswith("+0000")


def test_an_unreachable_smtp_server_leaves_the_alert_unsent_without_failing_the_call(operator_api,
                                                                                      smtp_inbox) -> None:
    operator_api.root("updateConfiguration", name="alert.smtp.host", value="127.0.0.1")
    operator_api.root("updateConfiguration", name="alert.smtp.port", value="1")
    operator_api.root("updateConfiguration", name="alert.email.addresses", value="ops@example.org")
    job = _generate(operator_api, type=13, name="ALERT.USAGE", description="usage job failed")
    assert job["jobstatus"] == 1
    operator_api.server_mailer_idle()
    assert "sent" not in _alerts(operator_api, type="13")[0]

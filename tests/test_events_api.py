"""listEvents / archiveEvents / deleteEvents through the API, scoped per caller."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def _events(call, **params) -> list[dict]:
    status, body = call("listEvents", **params)
    assert status == 200, body
    return body.get("event", [])


def test_creating_an_account_leaves_an_event_the_root_admin_lists(operator_api) -> None:
    operator_api.user("alice")
    created = _events(operator_api.root, type="ACCOUNT.CREATE", listall="true")
    assert any("alice" in event["description"] for event in created)
    event = created[0]
    assert {"id", "type", "level", "description", "created", "state"} <= set(event)
    assert event["level"] == "INFO" and event["state"] == "Completed"


def test_users_see_only_their_own_accounts_events(operator_api) -> None:
    alice = operator_api.user("alice")
    bob = operator_api.user("bob")
    operator_api.root("updateConfiguration", name="ping.interval", value="45")  # an admin-account event
    seen_by_alice = _events(alice, listall="true")
    assert seen_by_alice and all(event["account"] == "alice" for event in seen_by_alice)
    assert not any(event["account"] == "alice" for event in _events(bob, listall="true"))
    root_sees = {event["account"] for event in _events(operator_api.root, listall="true")}
    assert {"admin", "alice"} <= root_sees


def test_date_range_and_keyword_filters(operator_api) -> None:
    operator_api.user("carol")
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    assert _events(operator_api.root, listall="true", startdate=today, enddate=today, keyword="carol")
    assert not _events(operator_api.root, listall="true", startdate=tomorrow, keyword="carol")
    status, body = operator_api.root("listEvents", startdate="17/03/2014")
    assert status == 431 and "startdate" in body["errortext"]


def test_archived_events_disappear_and_deleted_ones_are_gone(operator_api) -> None:
    operator_api.user("dave")
    operator_api.user("erin")
    by_desc = {e["description"]: e["id"] for e in _events(operator_api.root, type="ACCOUNT.CREATE", listall="true")}
    dave = next(uuid for text, uuid in by_desc.items() if "dave" in text)
    status, body = operator_api.root("archiveEvents", ids=dave)
    assert status == 200 and body["success"] == "true"
    remaining = [e["id"] for e in _events(operator_api.root, type="ACCOUNT.CREATE", listall="true")]
    assert dave not in remaining and remaining
    status, body = operator_api.root("deleteEvents", type="ACCOUNT.CREATE")
    assert status == 200, body
    assert _events(operator_api.root, type="ACCOUNT.CREATE", listall="true") == []
    status, body = operator_api.root("archiveEvents", ids=dave)
    assert status == 431 and dave in body["errortext"]


def test_archiving_without_a_selection_is_refused(operator_api) -> None:
    status, body = operator_api.root("archiveEvents")
    assert status == 431 and "ids" in body["errortext"]


def test_a_user_cannot_archive_another_accounts_events(operator_api) -> None:
    operator_api.user("frank")
    grace = operator_api.user("grace")
    frank_event = next(e["id"] for e in _events(operator_api.root, type="ACCOUNT.CREATE", listall="true")
                       if "frank" in e["description"])
    status, body = grace("archiveEvents", ids=frank_event)
    assert status == 431 and frank_event in body["errortext"]
    assert frank_event in [e["id"] for e in _events(operator_api.root, listall="true")]

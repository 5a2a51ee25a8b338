"""CloudStack's request signature: the exact server form and the client variants accepted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from cirrostack.api.signature import (
    _digest,
    canonical_string,
    check_expiry,
    java_url_encode,
    parse_expires,
    sign,
    signature_matches,
)
from cirrostack.errors import AuthenticationFailed

SECRET = "VDaACYb0LV9eNjTe"
EXAMPLE = {"command": "listVirtualMachines", "response": "json", "apiKey": "plgWJfZK4gyS3mOMTVmjUVg",
           "name": "web 01", "signatureVersion": "3", "expires": "2014-03-17T10:30:00+0000"}


def test_worked_example_of_cloudstack_signs_to_the_documented_value():
    assert canonical_string(EXAMPLE.items()) == (
        "apikey=plgwjfzk4gys3momtvmjuvg&command=listvirtualmachines&expires=2014-03-17t10%3a30%3a00%2b0000"
        "&name=web%2001&response=json&signatureversion=3")
    assert sign(EXAMPLE.items(), SECRET) == "GBCvAyWC5EOD1/HdLDvHpSMq5Cs="


def test_java_encoding_escapes_tilde_brackets_and_keeps_star():
    assert java_url_encode("a~b[0]*c d+e/f") == "a%7Eb%5B0%5D*c%20d%2Be%2Ff"
    assert java_url_encode("é") == "%C3%A9"


def test_signature_excludes_the_signature_parameter_itself():
    signed = dict(EXAMPLE, signature="anything")
    assert sign(signed.items(), SECRET) == sign(EXAMPLE.items(), SECRET)


def _client_signature(params: dict[str, str], safe: str, fold: bool) -> str:
    """A signature computed the way Python clients do it (quote with `safe`, optional folded sort)."""
    pairs = sorted(params.items(), key=(lambda p: p[0].lower()) if fold else (lambda p: p[0]))
    text = "&".join(f"{k}={quote(v, safe=safe)}" for k, v in pairs).lower()
    return _digest(text, SECRET)


@pytest.mark.parametrize(("safe", "fold"), [("*", False), ("[]*", True), ("*", True)])
def test_client_variants_with_raw_tilde_and_brackets_are_accepted(safe, fold):
    params = {"command": "listUsers", "apiKey": "k", "keyword": "a~b[1]", "displayText": "x", "displayname": "y"}
    assert signature_matches(params, _client_signature(params, safe, fold), SECRET)


def test_tampered_value_or_wrong_secret_is_refused():
    good = sign(EXAMPLE.items(), SECRET)
    assert signature_matches(EXAMPLE, good, SECRET)
    assert not signature_matches(dict(EXAMPLE, name="web 02"), good, SECRET)
    assert not signature_matches(EXAMPLE, good, "another-secret")
    assert not signature_matches(EXAMPLE, good.lower(), SECRET)


@pytest.mark.parametrize("text", ["2014-03-17T10:30:00+0000", "2014-03-17T10:30:00Z", "2014-03-17T10:30:00+00:00",
                                  "2014-03-17T10:30:00GMT+00:00", "2014-03-17T12:30:00+0200"])
def test_expires_forms_parse_to_the_same_instant(text):
    assert parse_expires(text) == datetime(2014, 3, 17, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["2014-03-17", "tomorrow", "2014-03-17T10:30:00.123+0000", "2014-03-17T10:30:00"])
def test_malformed_expires_is_refused(text):
    with pytest.raises(AuthenticationFailed):
        parse_expires(text)


def test_expires_is_enforced_only_with_signature_version_3():
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S%z")
    future = (datetime.now(UTC) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%S%z")
    check_expiry({"expires": past})  # ignored without signatureVersion=3, as in CloudStack 4.3
    check_expiry({"signatureversion": "3", "expires": future})
    with pytest.raises(AuthenticationFailed):
        check_expiry({"signatureVersion": "3", "expires": past})
    with pytest.raises(AuthenticationFailed):
        check_expiry({"signatureVersion": "3"})

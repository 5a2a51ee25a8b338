"""User data checks: base64 and the GET/POST size limits."""

from __future__ import annotations

import base64

import pytest

from cirrostack.errors import InvalidParameter
from cirrostack.services.userdata import MAX_GET_LENGTH, MAX_POST_LENGTH, validate_userdata


def test_valid_base64_is_returned_without_whitespace() -> None:
    encoded = base64.b64encode(b"#cloud-config\nhostname: web\n").decode()
    assert validate_userdata(f" {encoded[:8]}\n{encoded[8:]} ", "GET") == encoded


def test_text_that_is_not_base64_names_userdata() -> None:
    with pytest.raises(InvalidParameter) as raised:
        validate_userdata("not base64 at all!", "GET")
    assert raised.value.http_status == 431 and raised.value.param == "userdata"


@pytest.mark.parametrize(("method", "limit"), [("GET", MAX_GET_LENGTH), ("POST", MAX_POST_LENGTH)])
def test_the_size_limit_depends_on_the_http_method(method: str, limit: int) -> None:
    just_fits = "A" * (limit - 4)
    assert validate_userdata(just_fits, method) == just_fits
    with pytest.raises(InvalidParameter, match=f"fewer than {limit}"):
        validate_userdata("A" * limit, method)

"""Checking VM user data: base64 text within CloudStack's size limits, kept for the virtual router to serve."""

from __future__ import annotations

import base64
import binascii

from cirrostack.errors import InvalidParameter

#: Longest base64 text CloudStack accepts in a GET request and in a POST request.
MAX_GET_LENGTH = 4096
MAX_POST_LENGTH = 32768


def validate_userdata(text: str, http_method: str, param: str = "userdata") -> str:
    """`text` with surrounding whitespace removed, once it is valid base64 shorter than the limit
    of `http_method` (GET: 4096 characters, POST: 32768); otherwise a 431 naming `param`."""
    cleaned = "".join(text.split())
    limit = MAX_POST_LENGTH if http_method.upper() == "POST" else MAX_GET_LENGTH
    if len(cleaned) >= limit:
        raise InvalidParameter(param, f"user data is {len(cleaned)} characters of base64; a {http_method.upper()} "
                                      f"request allows fewer than {limit} (send larger user data with POST, up to "
                                      f"{MAX_POST_LENGTH})")
    try:
        base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter(param, "user data must be base64 encoded") from None
    return cleaned

"""CloudStack's API-key request signature: canonical string, HMAC-SHA1, and `expires`.

The server-side rule (CloudStack 4.3): take every request parameter except `signature`, sort by
name case-sensitively, join `name=ENC(value)` with `&` where ENC is Java's `URLEncoder` with `+`
written as `%20`, lower-case the whole string, HMAC-SHA1 it with the user's secret key and
compare the standard Base64 digest with `signature`.

Clients differ in small, unambiguous ways: Python 3 and Go leave `~` unescaped, Apache Libcloud
also `[` and `]`, and Libcloud and CloudMonkey sort by lower-cased name. Each variant is
accepted as well; they all still require knowing the secret key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

from cirrostack.errors import AuthenticationFailed

SIGNATURE_FAILED = "unable to verify user credentials and/or request signature"

#: Characters Java's URLEncoder leaves alone besides letters and digits (Python's `quote`
#: additionally keeps `~`, which Java encodes).
_JAVA_SAFE = "-_.*"
#: Characters some clients leave raw where Java would encode them.
_TOLERATED_RAW = ("", "~", "~[]")


def java_url_encode(value: str, raw: str = "") -> str:
    """`URLEncoder.encode(value, "UTF-8")` with `+` as `%20`; characters in `raw` stay unescaped."""
    encoded = quote(value, safe=_JAVA_SAFE + raw)
    if "~" not in raw:
        encoded = encoded.replace("~", "%7E")
    return encoded


def canonical_string(params: Iterable[tuple[str, str]], raw: str = "", fold_names: bool = False) -> str:
    """The lower-cased text CloudStack signs. `fold_names` sorts by lower-cased name instead."""
    pairs = [(name, value) for name, value in params if name.lower() != "signature"]
    pairs.sort(key=(lambda pair: (pair[0].lower(), pair[0])) if fold_names else (lambda pair: pair[0]))
    return "&".join(f"{name}={java_url_encode(value, raw)}" for name, value in pairs).lower()


def sign(params: Iterable[tuple[str, str]], secret_key: str) -> str:
    """The signature CloudStack expects for `params` (the strict server form)."""
    return _digest(canonical_string(params), secret_key)


def _digest(text: str, secret_key: str) -> str:
    mac = hmac.new(secret_key.encode("utf-8"), text.encode("utf-8"), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def signature_matches(params: Mapping[str, str], signature: str, secret_key: str) -> bool:
    """True when `signature` was computed over `params` with `secret_key` by CloudStack's rule
    or one of the tolerated client variants."""
    items = list(params.items())
    candidates = {
        _digest(canonical_string(items, raw, fold), secret_key)
        for raw in _TOLERATED_RAW
        for fold in (False, True)
    }
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(candidate.encode("ascii"), signature.encode("utf-8", "replace"))
    return matched


_RFC822_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})$")


def parse_expires(text: str) -> datetime:
    """Parse `expires` as `yyyy-MM-dd'T'HH:mm:ssZ` (offset `+0000`); also accepts `Z`, `+hh:mm`,
    `GMT+hh:mm` and `UTC`. Raises AuthenticationFailed for anything else."""
    value = text.strip()
    for suffix in ("GMT", "UTC", "Z"):
        if value.endswith(suffix):
            value = value[: -len(suffix)] + "+0000"
            break
    value = value.replace("GMT+", "+").replace("GMT-", "-")
    offset = _RFC822_OFFSET.search(value)
    if offset is None:
        raise AuthenticationFailed(SIGNATURE_FAILED)
    value = value[: offset.start()] + f"{offset.group(1)}{offset.group(2)}{offset.group(3)}"
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        raise AuthenticationFailed(SIGNATURE_FAILED) from None


def check_expiry(params: Mapping[str, str], now: datetime | None = None) -> None:
    """With `signatureVersion=3`, `expires` is mandatory and must lie in the future; without it,
    `expires` is ignored (CloudStack 4.3). Names are matched case-insensitively."""
    folded = {name.lower(): value for name, value in params.items()}
    if folded.get("signatureversion", "").strip() != "3":
        return
    expires = folded.get("expires")
    if not expires:
        raise AuthenticationFailed(SIGNATURE_FAILED)
    if parse_expires(expires) <= (now or datetime.now(UTC)):
        raise AuthenticationFailed(SIGNATURE_FAILED)

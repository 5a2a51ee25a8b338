"""Checks on names users choose: domain and account names, network domains."""

from __future__ import annotations

import re

from cirrostack.errors import InvalidParameter

_LABEL = re.compile(r"^[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
NETWORK_DOMAIN_MAX = 190


def check_object_name(param: str, name: str, kind: str) -> str:
    """A domain or account name: not blank, no slash (domain paths are built from names)."""
    stripped = name.strip()
    if not stripped:
        raise InvalidParameter(param, f"a {kind} name must not be empty")
    if "/" in stripped:
        raise InvalidParameter(param, f"{kind} name {stripped!r} contains '/'; names may not contain slashes")
    return stripped


def check_network_domain(param: str, value: str) -> str:
    """A DNS suffix such as `cloud.example.com`, with CloudStack's label rules."""
    if len(value) > NETWORK_DOMAIN_MAX:
        raise InvalidParameter(param, f"network domain is {len(value)} characters long; at most "
                                      f"{NETWORK_DOMAIN_MAX} are accepted")
    for label in value.split("."):
        if not _LABEL.match(label):
            raise InvalidParameter(param, f"network domain {value!r}: label {label!r} must be 1-63 letters, digits "
                                          "or hyphens, start with a letter and not end with a hyphen")
    return value

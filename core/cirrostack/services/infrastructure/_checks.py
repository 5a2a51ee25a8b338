"""Checks of operator input shared by the infrastructure services: names, choices, addresses."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from cirrostack.errors import InvalidParameter


def name(param: str, value: str) -> str:
    """`value` stripped; an empty name is a 431 naming `param`."""
    stripped = value.strip()
    if not stripped:
        raise InvalidParameter(param, "must not be empty")
    return stripped


def choice(param: str, value: str, accepted: Iterable[str]) -> str:
    """The accepted spelling of `value` (compared case-insensitively), else a 431 listing the choices."""
    options = list(accepted)
    for option in options:
        if option.lower() == value.strip().lower():
            return option
    raise InvalidParameter(param, f"{value!r} is not one of {', '.join(options)}")


def ip_address(param: str, value: str) -> str:
    """`value` as a normalised IPv4 or IPv6 address; anything else is a 431 naming `param`."""
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise InvalidParameter(param, f"{value!r} is not an IP address") from None


def ipv4_netmask(param: str, value: str) -> str:
    """A dotted IPv4 netmask such as 255.255.255.0."""
    address = ip_address(param, value)
    try:
        ipaddress.IPv4Network(f"0.0.0.0/{address}")
    except ValueError:
        raise InvalidParameter(param, f"{value!r} is not an IPv4 netmask such as 255.255.255.0") from None
    return address


def cidr(param: str, value: str) -> str:
    """An IPv4 network in CIDR notation, e.g. 10.1.1.0/24."""
    try:
        return str(ipaddress.IPv4Network(value.strip(), strict=True))
    except ValueError as exc:
        raise InvalidParameter(param, f"{value!r} is not an IPv4 network in CIDR notation: {exc}") from None


def address_range(gateway: str, netmask: str, start: str, end: str | None) -> None:
    """A pod range: start (and end) inside the gateway's network, start <= end, gateway outside the range."""
    network = ipaddress.IPv4Network(f"{gateway}/{netmask}", strict=False)
    first = ipaddress.ip_address(start)
    last = ipaddress.ip_address(end) if end else first
    if first not in network:
        raise InvalidParameter("startip", f"{start} is outside the pod network {network} of gateway {gateway}")
    if last not in network:
        raise InvalidParameter("endip", f"{end} is outside the pod network {network} of gateway {gateway}")
    if last < first:
        raise InvalidParameter("endip", f"{end} comes before startip {start}")
    if first <= ipaddress.ip_address(gateway) <= last:
        raise InvalidParameter("gateway", f"{gateway} lies inside the range {start}-{last}; "
                                          "the gateway must not be given to hosts")

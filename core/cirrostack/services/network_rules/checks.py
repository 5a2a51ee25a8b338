"""Checks every rule command shares: ports, protocols, CIDR lists, and overlaps on one public IP.

Malformed values are InvalidParameter (431) naming the parameter; a rule that collides with one
already on the address is NetworkRuleConflict (537, CloudStack's code for it), naming both rules.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from cirrostack.errors import InvalidParameter, NetworkRuleConflict

PORT_MIN, PORT_MAX = 1, 65535
#: Protocols whose traffic a load balancer rule occupies on its public port.
_LB_TRANSPORT = {"tcp": "tcp", "http": "tcp", "ssl": "tcp", "tcp-proxy": "tcp", "udp": "udp"}


def port_range(start_param: str, start: int | None, end_param: str, end: int | None,
               *, required: bool = True) -> tuple[int | None, int | None]:
    """(start, end) with `end` defaulting to `start`; both within 1..65535 and start <= end.
    With `required` false, two absent ports mean every port and return (None, None)."""
    if start is None:
        if end is not None:
            raise InvalidParameter(start_param, f"is needed with {end_param}={end}")
        if required:
            raise InvalidParameter(start_param, "a port is required for this protocol")
        return None, None
    end = start if end is None else end
    for name, value in ((start_param, start), (end_param, end)):
        if not PORT_MIN <= value <= PORT_MAX:
            raise InvalidParameter(name, f"port {value} is out of range {PORT_MIN}..{PORT_MAX}")
    if start > end:
        raise InvalidParameter(end_param, f"{end} is lower than {start_param}={start}; the range must not be reversed")
    return start, end


def declared(param: str, what: str, value: str, accepted: Iterable[str], provider: str) -> str:
    """`value` in lower case if it is one of `accepted`, what the provider declares; `what` names the
    kind of value in the message ("protocol", "algorithm")."""
    lowered = value.strip().lower()
    accepted = sorted(accepted)
    if lowered not in accepted:
        raise InvalidParameter(param, f"{what} {value!r} is not supported by provider {provider}; "
                                      f"accepted: {', '.join(accepted)}")
    return lowered


def cidr_list(param: str, values: list[str] | None, default: tuple[str, ...] = ("0.0.0.0/0",)) -> tuple[str, ...]:
    """The CIDRs in canonical form ("10.1.1.5/24" becomes "10.1.1.0/24"), duplicates dropped."""
    if not values:
        return default
    out: list[str] = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise InvalidParameter(param, f"{value!r} is not a CIDR such as 10.0.0.0/8") from None
        if network.version != 4:
            raise InvalidParameter(param, f"{value!r} is an IPv6 CIDR; rules take IPv4 CIDRs only")
        if str(network) not in out:
            out.append(str(network))
    return tuple(out)


def icmp_value(param: str, value: int | None) -> int | None:
    """An ICMP type or code: -1 (any) or 0..255."""
    if value is not None and not -1 <= value <= 255:
        raise InvalidParameter(param, f"{value} is not an ICMP value; use -1 (any) or 0..255")
    return value


@dataclass(frozen=True)
class PortClaim:
    """Ports a rule occupies on a public IP, for overlap checks."""

    kind: str  # "port forwarding rule", "load balancer rule", "firewall rule"
    uuid: str
    protocol: str  # transport: "tcp", "udp", "icmp", "all"
    start: int | None  # None: every port
    end: int | None
    cidrs: tuple[str, ...] = ()
    icmp: tuple[int | None, int | None] = (None, None)

    def describe(self) -> str:
        ports = "all ports" if self.start is None else (
            f"port {self.start}" if self.start == self.end else f"ports {self.start}-{self.end}")
        return f"{self.kind} {self.uuid} ({self.protocol} {ports})"


def lb_transport(protocol_name: str) -> str:
    """The transport an LB rule's protocol ("http", "ssl", ...) occupies."""
    return _LB_TRANSPORT.get(protocol_name, "tcp")


def _ports_overlap(a: PortClaim, b: PortClaim) -> bool:
    if a.protocol != b.protocol and "all" not in (a.protocol, b.protocol):
        return False
    if a.start is None or b.start is None:
        return True
    return a.start <= (b.end or b.start) and b.start <= (a.end or a.start)


def check_forwarding_free(param: str, address: str, new: PortClaim, existing: Iterable[PortClaim]) -> None:
    """A port forwarding or load balancer rule owns its public ports: refuse any overlap with another
    such rule on the address."""
    for other in existing:
        if other.uuid != new.uuid and _ports_overlap(new, other):
            raise NetworkRuleConflict(f"{param}: the new {new.describe()} on {address} overlaps "
                                      f"{other.describe()}; choose other public ports or delete that rule")


def check_firewall_free(param: str, address: str, new: PortClaim, existing: Iterable[PortClaim]) -> None:
    """Two firewall rules conflict when they open the same traffic (protocol, overlapping ports or the
    same ICMP type/code) to the same CIDR list; other CIDRs make a different rule."""
    for other in existing:
        if other.uuid == new.uuid or set(other.cidrs) != set(new.cidrs):
            continue
        same_icmp = new.protocol == other.protocol == "icmp" and new.icmp == other.icmp
        if same_icmp or (new.protocol != "icmp" and other.protocol != "icmp" and _ports_overlap(new, other)):
            raise NetworkRuleConflict(f"{param}: the new {new.describe()} on {address} for "
                                      f"{','.join(new.cidrs)} overlaps {other.describe()} for the same CIDRs")

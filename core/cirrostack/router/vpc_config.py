"""VpcRouterConfig: the whole desired state of one VPC's router, every tier at once.

The VpcVirtualRouter provider is told about one tier per call, like any provider; it keeps each tier's
desired state as a RouterConfig (the same one the per-network router uses) and hands the router all tiers
together, since one router namespace serves them all: one interface per tier holding the tier's gateway,
one public interface holding the VPC's addresses.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cirrostack.hookspecs.network_rules import ServiceNetwork
from cirrostack.router.config import RouterConfig

NAMESPACE_PREFIX = "cirro-vpc-"


def vpc_namespace(vpc_uuid: str) -> str:
    """The name of the namespace holding the router of VPC `vpc_uuid`."""
    return NAMESPACE_PREFIX + vpc_uuid


def tier_device(tier_uuid: str) -> str:
    """The router's interface on tier `tier_uuid` (`t-` and 10 hex digits: device names have at most 15)."""
    return "t-" + hashlib.sha1(tier_uuid.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class VpcRouterConfig:
    """Everything one VPC's router enforces: its tiers' configs, and the public side as `public` (the tier
    described last) shows it. Tiers are sorted by uuid, so the same tiers render the same tables."""

    vpc_uuid: str
    public: ServiceNetwork
    tiers: tuple[RouterConfig, ...] = ()

    @property
    def source_nat_ip(self) -> str:
        return self.public.source_nat_ip

    def public_addresses(self) -> tuple[str, ...]:
        """Every public IP the router must hold: the VPC's, and any a tier's rule names, in a stable order."""
        seen: dict[str, None] = dict.fromkeys(address for address in (self.public.source_nat_ip,
                                                                      *self.public.public_ips) if address)
        for tier in self.tiers:
            for address in tier.public_addresses():
                seen.setdefault(address, None)
        return tuple(seen)

    def tier(self, tier_uuid: str) -> RouterConfig | None:
        return next((tier for tier in self.tiers if tier.network.uuid == tier_uuid), None)

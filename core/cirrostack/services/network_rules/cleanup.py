"""Rules that go when what they point at goes: a public IP released (disassociateIpAddress, a deleted
network's addresses) takes its ingress, forwarding and load balancer rules with it; a deleted network
takes its egress rules. The caller pushes the network again if it stays implemented."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    FirewallRuleRow,
    LoadBalancerRuleRow,
    Network,
    PortForwardingRuleRow,
    PublicIpAddress,
    TrafficDirection,
)


def forget_address_rules(session: Session, address: PublicIpAddress) -> None:
    """Delete every rule on `address` (load balancer members and policies go with their rule)."""
    for model in (FirewallRuleRow, PortForwardingRuleRow, LoadBalancerRuleRow):
        session.execute(delete(model).where(model.public_ip_id == address.id)
                        .execution_options(synchronize_session=False))


def forget_network_rules(session: Session, network: Network) -> None:
    """Delete the egress rules of `network` (its addresses' rules go with `forget_address_rules`)."""
    session.execute(delete(FirewallRuleRow).where(FirewallRuleRow.network_id == network.id,
                                                  FirewallRuleRow.direction == TrafficDirection.EGRESS.value)
                    .execution_options(synchronize_session=False))

"""Rules that go when what they point at goes: a public IP released (disassociateIpAddress, a deleted
network's addresses) takes its ingress, forwarding and load balancer rules with it; a deleted network
takes its egress rules; an expunged VM takes its forwarding rules, load balancer memberships and
static NAT. The caller pushes the network again if it stays implemented."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    FirewallRuleRow,
    LoadBalancerMemberRow,
    LoadBalancerRuleRow,
    Network,
    PortForwardingRuleRow,
    PublicIpAddress,
    TrafficDirection,
    VirtualMachine,
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


def forget_vm_rules(session: Session, vm: VirtualMachine) -> None:
    """Delete the VM's port forwarding rules (with the firewall rules they opened) and load balancer
    memberships, and end its static NAT."""
    forwarded = select(PortForwardingRuleRow.uuid).where(PortForwardingRuleRow.vm_id == vm.id)
    session.execute(delete(FirewallRuleRow).where(FirewallRuleRow.opened_for.in_(forwarded))
                    .execution_options(synchronize_session=False))
    for model in (PortForwardingRuleRow, LoadBalancerMemberRow):
        session.execute(delete(model).where(model.vm_id == vm.id).execution_options(synchronize_session=False))
    session.execute(update(PublicIpAddress).where(PublicIpAddress.static_nat_vm_id == vm.id)
                    .values(static_nat_vm_id=None, static_nat_ip=None).execution_options(synchronize_session=False))

"""Guest network operations that involve providers: restartNetwork, deleteNetwork, and updateNetwork with a
new offering.

restartNetwork with cleanup shuts the network down on its providers (the router is rebuilt) and pushes
the whole state from the database again; without cleanup it only pushes again. Either way the
providers converge to what the database holds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.networks import GuestType, Network, NetworkOffering, NetworkState, Nic, OfferingState
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.network_rules.cleanup import forget_network_rules
from cirrostack.services.networks import guest_vlans, implement, public_ips
from cirrostack.services.networks.apply import push_network
from cirrostack.services.networks.service_network import offering_providers
from cirrostack.services.networks.vm_networks import release_from_hosts


def restart_network(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, network: Network,
                    cleanup: bool = False) -> Network:
    """Re-push the network's whole state; with `cleanup`, tear it down on its providers first.
    Records NETWORK.RESTART."""
    if cleanup and network.state != NetworkState.ALLOCATED.value:
        implement.shutdown(session, registry, secrets, network, caller=caller)
    push_network(session, registry, secrets, network)
    network.restart_required = False
    session.flush()
    record_event(session, caller, "NETWORK.RESTART", f"Restarted network {network.name}"
                 + (" with cleanup" if cleanup else ""), account_id=network.account_id, domain_id=network.domain_id,
                 resource_type="Network", resource_uuid=network.uuid)
    return network


def delete_network(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, network: Network,
                   forced: bool = False) -> None:
    """Remove a network no VM has a NIC on: shut it down on its providers (router, rules, leases), free
    its public addresses and its isolation id. Records NETWORK.DELETE."""
    users = session.scalars(select(VirtualMachine.name).join(Nic, Nic.vm_id == VirtualMachine.id).where(
        Nic.network_id == network.id, Nic.removed.is_(None)).limit(5)).all()
    if users:
        raise ResourceInUse(f"id: network {network.name} still has NICs of VMs {', '.join(users)}; destroy the VMs "
                            f"or remove their NICs first")
    if network.state != NetworkState.ALLOCATED.value:  # a network never implemented has nothing on providers
        try:
            implement.shutdown(session, registry, secrets, network, destroy_router=True, caller=caller)
        except Exception:
            if not forced:
                raise
    forget_network_rules(session, network)
    public_ips.release_network_addresses(session, caller, network)
    release_from_hosts(session, registry, secrets, network)
    guest_vlans.release(session, network)
    network.state = NetworkState.DESTROY.value
    network.mark_removed()
    session.flush()
    record_event(session, caller, "NETWORK.DELETE", f"Deleted network {network.name}", account_id=network.account_id,
                 domain_id=network.domain_id, resource_type="Network", resource_uuid=network.uuid)


def change_offering(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, network: Network,
                    offering: NetworkOffering) -> Network:
    """Move the network to another enabled offering of the same guest IP type. An implemented network is
    shut down on the old offering's providers and implemented and pushed on the new ones.
    Records NETWORK.UPDATE."""
    if offering.id == network.network_offering_id:
        return network
    if offering.state != OfferingState.ENABLED.value:
        raise InvalidParameter("networkofferingid", f"network offering {offering.name} is {offering.state}")
    is_tier = network.vpc_id is not None
    if offering.guest_ip_type != network.guest_type or offering.for_vpc != is_tier:
        raise InvalidParameter("networkofferingid", f"network offering {offering.name} is for "
                                                    f"{'VPC tiers' if offering.for_vpc else offering.guest_ip_type} "
                                                    f"networks; network {network.name} is "
                                                    f"{'a VPC tier' if is_tier else network.guest_type}")
    if offering.specify_vlan and not network.specified_vlan and network.guest_type == GuestType.ISOLATED.value:
        raise InvalidParameter("networkofferingid", f"network offering {offering.name} needs an explicit vlan, "
                                                    f"which network {network.name} was not created with")
    was_implemented = network.state == NetworkState.IMPLEMENTED.value
    if was_implemented:
        implement.shutdown(session, registry, secrets, network, destroy_router=True, caller=caller)
    old = network.network_offering_id
    network.network_offering_id = offering.id
    session.flush()
    source_nat = public_ips.source_nat_of(session, network)
    if source_nat is not None and "SourceNat" not in {service for services in offering_providers(
            session, offering.id).values() for service in services}:
        public_ips.release(session, caller, source_nat, force=True)
    if was_implemented:
        network.state = NetworkState.ALLOCATED.value
        push_network(session, registry, secrets, network)
    record_event(session, caller, "NETWORK.UPDATE", f"Network {network.name} moved from offering id {old} to "
                 f"{offering.name}", account_id=network.account_id, domain_id=network.domain_id,
                 resource_type="Network", resource_uuid=network.uuid)
    return network

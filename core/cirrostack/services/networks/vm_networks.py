"""The networks of a VM: which networks a deploy puts it on, its NICs' guest IPs, and what a start needs.

In a zone with a physical network carrying Guest traffic, a VM deployed without `networkids` goes on its
account's default isolated network, created on demand from DefaultIsolatedNetworkOfferingWithSourceNatService
(named "<account>-network", as CloudStack names it); its isolation id is taken when it is implemented.
In a zone without one, VMs get no NICs. Before a VM starts, each of its networks is implemented and its
state pushed, so the DHCP lease is there when the guest asks; the NicSpecs carry the host bridge the
isolation method plumbed on the VM's host.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import Account
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.networks import (
    GuestType,
    Network,
    NetworkOffering,
    NetworkState,
    Nic,
    OfferingState,
    PhysicalNetwork,
)
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.hypervisor import NicSpec
from cirrostack.hookspecs.isolation import GuestHost
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.network_rules.cleanup import forget_vm_rules
from cirrostack.services.networks import nics
from cirrostack.services.networks.apply import push_network
from cirrostack.services.networks.guest_networks import DEFAULT_GUEST_CIDR
from cirrostack.services.networks.guest_vlans import guest_network_spec, physical_network_spec, primary_method
from cirrostack.services.networks.physical import guest_physical_network
from cirrostack.services.networks.traffic_types import label_for

log = logging.getLogger(__name__)

DEFAULT_OFFERING = "DefaultIsolatedNetworkOfferingWithSourceNatService"


def allocate_for_deploy(session: Session, caller: Caller, vm: VirtualMachine, zone: Zone, owner: Account,
                        networks: list[Network], ip_address: str | None = None) -> list[Nic]:
    """Give a newly deployed VM its NICs: one per network of `networks` (the first is the default and gets
    `ip_address` when given), or one on the account's default network in a zone set up for networking."""
    if not networks:
        physical = guest_physical_network(session, zone.id)
        if physical is None:
            if ip_address is not None:
                raise InvalidParameter("ipaddress", f"zone {zone.name} has no guest networking to give an address")
            return []
        networks = [default_network(session, caller, owner, zone, physical)]
    for number, network in enumerate(networks):
        if network.zone_id != zone.id:
            raise InvalidParameter("networkids", f"network {network.name} is not in zone {zone.name}")
        if network.acl_type == "Account" and network.account_id != owner.id:
            raise InvalidParameter("networkids", f"network {network.name} belongs to another account")
        if networks.index(network) != number:
            raise InvalidParameter("networkids", f"network {network.name} is given twice")
    return [nics.allocate_nic(session, caller, vm, network, ip_address=ip_address if number == 0 else None,
                              is_default=number == 0) for number, network in enumerate(networks)]


def default_network(session: Session, caller: Caller, owner: Account, zone: Zone, physical: PhysicalNetwork) -> Network:
    """The account's isolated network in `zone` from the default SourceNat offering, created when missing."""
    offering = session.scalars(select(NetworkOffering).where(NetworkOffering.name == DEFAULT_OFFERING,
                                                             NetworkOffering.removed.is_(None))).first()
    if offering is None or offering.state != OfferingState.ENABLED.value:
        raise InvalidParameter("networkids", f"zone {zone.name} has guest networking but the default offering "
                                             f"{DEFAULT_OFFERING} is not available; give networkids")
    # Hold the account's row first, so two first deploys of one account at once create one network.
    session.execute(update(Account).where(Account.id == owner.id).values(id=Account.id)
                    .execution_options(synchronize_session=False))
    existing = session.scalars(select(Network).where(
        Network.account_id == owner.id, Network.zone_id == zone.id, Network.removed.is_(None),
        Network.guest_type == GuestType.ISOLATED.value, Network.network_offering_id == offering.id)
        .order_by(Network.id)).first()
    if existing is not None:
        return existing
    cidr = ipaddress.ip_network(zone.guest_cidr_address or DEFAULT_GUEST_CIDR, strict=False)
    network = Network(name=f"{owner.name}-network", display_text=f"{owner.name}-network", zone_id=zone.id,
                      physical_network_id=physical.id, network_offering_id=offering.id, account_id=owner.id,
                      domain_id=owner.domain_id, acl_type="Account", guest_type=GuestType.ISOLATED.value,
                      cidr=str(cidr), gateway=str(next(cidr.hosts())), is_default=True,
                      network_domain=zone.network_domain or f"cs{owner.id:x}cloud.internal")
    session.add(network)
    session.flush()
    record_event(session, caller, "NETWORK.CREATE", f"Created default network {network.name} in zone {zone.name}",
                 account_id=owner.id, domain_id=owner.domain_id, resource_type="Network", resource_uuid=network.uuid)
    return network


def networks_of(session: Session, vm: VirtualMachine) -> list[Network]:
    return list(session.scalars(select(Network).join(Nic, Nic.network_id == Network.id).where(
        Nic.vm_id == vm.id, Nic.removed.is_(None)).order_by(Nic.device_id)))


def prepare_for_start(session: Session, registry: Any, secrets: Any, vm: VirtualMachine) -> None:
    """Implement each network of `vm` and push its state (leases, VM data, rules) before the VM starts."""
    for network in networks_of(session, vm):
        push_network(session, registry, secrets, network)
    session.flush()


def nic_specs(session: Session, vm: VirtualMachine, registry: Any = None, secrets: Any = None) -> tuple[NicSpec, ...]:
    """The VM's NICs for the hypervisor. With `registry` and a host chosen, each network is plumbed on
    the host by its isolation method and the NIC carries the returned bridge."""
    host = session.get(Host, vm.host_id) if vm.host_id is not None else None
    specs = []
    for nic in nics.nics_of(session, vm):
        network = session.get(Network, nic.network_id)
        bridge = _plumb(session, registry, secrets, host, network) if registry is not None and host else ""
        specs.append(NicSpec(uuid=nic.uuid, mac_address=nic.mac_address, ip_address=nic.ip_address or "",
                             network_uuid=network.uuid, broadcast_uri=network.broadcast_uri or "",
                             is_default=nic.is_default, device_id=nic.device_id, netmask=nic.netmask or "",
                             gateway=nic.gateway or "", bridge=bridge))
    return tuple(specs)


def release_for_expunge(session: Session, caller: Caller | None, vm: VirtualMachine, registry: Any = None,
                        secrets: Any = None) -> None:
    """Remove the NICs of a VM being expunged (their addresses become free) and the rules pointing at it; with
    `registry`, push each implemented network again so its router drops the VM's lease, data and rules. A
    router that cannot be reached does not stop the expunge: the router monitor reports it and a restart
    converges it."""
    networks = networks_of(session, vm)
    forget_vm_rules(session, vm)
    for nic in nics.nics_of(session, vm):
        nics.remove_nic(session, caller, vm, nic, force=True)
    if registry is None:
        return
    for network in networks:
        if network.state != NetworkState.IMPLEMENTED.value:
            continue
        try:
            with session.begin_nested():
                push_network(session, registry, secrets, network)
        except Exception:  # noqa: BLE001 - see the docstring
            log.exception("expunge of VM %s: network %s could not be pushed", vm.name, network.name)


def _plumb(session: Session, registry: Any, secrets: Any, host: Host, network: Network) -> str:
    if network.physical_network_id is None or not network.broadcast_uri:
        return ""
    from cirrostack.services.infrastructure.hosts import host_ref

    physical = session.get(PhysicalNetwork, network.physical_network_id)
    method = registry.isolation_method(primary_method(physical))
    spec = replace(physical_network_spec(session, physical),
                   traffic_label=label_for(session, physical.id, "Guest", host.hypervisor_type))
    plumbed = method.implement_on_host(GuestHost(host_ref(host, secrets), host.hypervisor_type), spec,
                                       guest_network_spec(network))
    return plumbed.bridge


def release_from_hosts(session: Session, registry: Any, secrets: Any, network: Network) -> None:
    """Undo the host-side plumbing of a network being deleted on every Up host of its zone that its
    isolation method plumbs (release_on_host is idempotent, so hosts that never had it are fine).
    A host that fails is logged and left: the plumbing is inert without the network's NICs."""
    if network.physical_network_id is None or not network.broadcast_uri:
        return
    from cirrostack.services.infrastructure.hosts import host_ref

    physical = session.get(PhysicalNetwork, network.physical_network_id)
    method = registry.isolation_method(primary_method(physical))
    plumbed_types = method.capabilities.hypervisor_types
    hosts = session.scalars(select(Host).where(Host.zone_id == network.zone_id, Host.removed.is_(None),
                                               Host.state == "Up")).all()
    for host in hosts:
        if host.hypervisor_type not in plumbed_types:
            continue
        spec = replace(physical_network_spec(session, physical),
                       traffic_label=label_for(session, physical.id, "Guest", host.hypervisor_type))
        try:
            method.release_on_host(GuestHost(host_ref(host, secrets), host.hypervisor_type), spec,
                                   guest_network_spec(network))
        except Exception:  # noqa: BLE001 - see the docstring
            log.exception("delete of network %s: host %s kept its plumbing", network.name, host.name)

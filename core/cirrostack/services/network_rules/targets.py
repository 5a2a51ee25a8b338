"""What a rule points at: the public IP and its network, the VM's NIC on that network, and the
provider that will enforce the rule. Every check names the parameter that was wrong."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cirrostack.db.models import IpState, Network, Nic, PublicIpAddress, VirtualMachine, VMState
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_service import NetworkService, NetworkServiceProvider
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services.networks.service_network import provider_for

_GONE = (VMState.DESTROYED.value, VMState.EXPUNGING.value, VMState.EXPUNGED.value, VMState.ERROR.value)


def network_of_ip(session: Session, param: str, address: PublicIpAddress, tier: Network | None = None) -> Network:
    """The live guest network `address` is associated with. A VPC's address not associated yet is associated
    with `tier` (a tier of that VPC), as CloudStack does for a rule's `networkid`. Raises
    InvalidParameter(param) for an address that is not allocated or belongs to no network."""
    if address.state == IpState.ALLOCATED and address.network_id is None and address.vpc_id is not None:
        if tier is None or tier.vpc_id != address.vpc_id:
            raise InvalidParameter("networkid", f"public IP {address.address} belongs to a VPC; give networkid, a "
                                                f"tier of that VPC")
        address.network_id = tier.id
        session.flush()
    if address.state != IpState.ALLOCATED or address.network_id is None:
        raise InvalidParameter(param, f"public IP {address.address} is {address.state} and associated with no "
                                      "network; associate it with a network first (associateIpAddress networkid)")
    network = session.get(Network, address.network_id)
    if network is None or network.removed is not None:
        raise InvalidParameter(param, f"the network of public IP {address.address} has been removed")
    return network


def lock_address(session: Session, address: PublicIpAddress) -> None:
    """Serialise rule creation on one public IP until the transaction ends (MariaDB row lock, SQLite
    write lock), so two requests cannot both pass the overlap check."""
    session.execute(update(PublicIpAddress).where(PublicIpAddress.id == address.id)
                    .values(state=PublicIpAddress.state).execution_options(synchronize_session=False))


def require_service(session: Session, registry: PluginRegistry, param: str, network: Network,
                    service: NetworkService) -> NetworkServiceProvider:
    """The provider of `service` on `network`. Raises InvalidParameter(param) when the network's
    offering does not include the service."""
    provider = provider_for(session, registry, network, service)
    if provider is None:
        raise InvalidParameter(param, f"network {network.name} ({network.uuid}) does not offer the "
                                      f"{service.value} service (see its network offering)")
    return provider


def provider_name(provider: NetworkServiceProvider) -> str:
    return str(getattr(provider, "provider_name", type(provider).__name__))


def guest_nic(session: Session, param: str, vm: VirtualMachine, network: Network, owner_id: int | None,
              guest_ip: str | None = None) -> Nic:
    """The VM's live NIC on `network`. The VM must belong to the account `owner_id` that holds the
    rule's address and must not be destroyed; `guest_ip`, when given, must be that NIC's address.
    Raises InvalidParameter(param) naming the VM and the reason."""
    if owner_id is not None and vm.account_id != owner_id:
        raise InvalidParameter(param, f"VM {vm.uuid} belongs to another account than the public IP; a rule can "
                                      "only point at a VM of the IP's owner")
    if vm.state in _GONE:
        raise InvalidParameter(param, f"VM {vm.name} ({vm.uuid}) is {vm.state}")
    nic = session.scalars(select(Nic).where(Nic.vm_id == vm.id, Nic.network_id == network.id,
                                            Nic.removed.is_(None)).order_by(Nic.id)).first()
    if nic is None or not nic.ip_address:
        raise InvalidParameter(param, f"VM {vm.name} ({vm.uuid}) has no NIC on network {network.name} "
                                      f"({network.uuid}), the network of the public IP")
    if guest_ip is not None and guest_ip != nic.ip_address:
        raise InvalidParameter("vmguestip", f"{guest_ip} is not the address of VM {vm.name} on network "
                                            f"{network.name} (its NIC has {nic.ip_address})")
    return nic

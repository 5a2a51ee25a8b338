"""Static (one-to-one) NAT: enableStaticNat, disableStaticNat, and the view listIpForwardingRules
gives of it.

Static NAT lives on the public IP row (`static_nat_vm_id`, `static_nat_ip`). Every port of the
address goes to the VM, so an address with port forwarding or load balancer rules cannot take it and
the network's source NAT address never does. Ingress still passes the address's firewall rules.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from cirrostack.db.models import Network, PublicIpAddress, VirtualMachine
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, NetworkRuleConflict
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import events, scope
from cirrostack.services.context import Caller
from cirrostack.services.network_rules import apply, targets
from cirrostack.services.network_rules.port_forwarding import forwarding_claims


def enable(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, address: PublicIpAddress,
           vm: VirtualMachine, *, network: Network | None = None, vmguestip: str | None = None) -> None:
    """Map `address` one-to-one to the VM's NIC on the address's network and push it.

    Raises InvalidParameter naming the parameter (source NAT address, a VM without a NIC there or of
    another account, another VM already mapped), NetworkRuleConflict when forwarding or load
    balancer rules use the address. On a failed push nothing is kept and the error is raised."""
    ip_network = targets.network_of_ip(session, "ipaddressid", address, tier=network)
    if network is not None and network.id != ip_network.id:
        raise InvalidParameter("networkid", f"public IP {address.address} belongs to network {ip_network.name}, "
                                            f"not {network.name}")
    targets.require_service(session, registry, "ipaddressid", ip_network, NetworkService.STATIC_NAT)
    if address.is_source_nat:
        raise InvalidParameter("ipaddressid", f"public IP {address.address} is the source NAT address of network "
                                              f"{ip_network.name}; static NAT needs another address")
    nic = targets.guest_nic(session, "virtualmachineid", vm, ip_network, address.account_id, vmguestip)
    apply.lock_network(session, ip_network)
    session.refresh(address)
    if address.static_nat_vm_id is not None and address.static_nat_vm_id != vm.id:
        raise InvalidParameter("ipaddressid", f"public IP {address.address} already has static NAT to VM "
                                              f"{session.get(VirtualMachine, address.static_nat_vm_id).uuid}; "
                                              "disable it first")
    claims = forwarding_claims(session, address)
    if claims:
        raise NetworkRuleConflict(f"ipaddressid: public IP {address.address} has {claims[0].describe()}; static NAT "
                                  "forwards every port, delete its forwarding and load balancer rules first")
    address.static_nat_vm_id, address.static_nat_ip = vm.id, nic.ip_address
    session.flush()
    apply.apply_change(session, registry, secrets, ip_network)
    events.record(session, caller, "STATICNAT.ENABLE", f"Enabled static NAT {address.address} -> {nic.ip_address} "
                  f"(VM {vm.name})", account_id=address.account_id, domain_id=address.domain_id,
                  resource_type="IpAddress", resource_uuid=address.uuid)


def disable(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any,
            address: PublicIpAddress) -> None:
    """Remove the address's static NAT from the providers and the database. Raises InvalidParameter
    when it has none; on a failed push the mapping stays and the error is raised."""
    if address.static_nat_vm_id is None:
        raise InvalidParameter("ipaddressid", f"public IP {address.address} has no static NAT to disable")
    network = targets.network_of_ip(session, "ipaddressid", address)
    apply.lock_network(session, network)
    address.static_nat_vm_id = address.static_nat_ip = None
    session.flush()
    apply.apply_change(session, registry, secrets, network)
    events.record(session, caller, "STATICNAT.DISABLE", f"Disabled static NAT on {address.address}",
                  account_id=address.account_id, domain_id=address.domain_id, resource_type="IpAddress",
                  resource_uuid=address.uuid)


def list_static_nat(session: Session, caller: Caller, owners: scope.ListScope, *,
                    address: PublicIpAddress | None = None, vm: VirtualMachine | None = None,
                    by_uuid: str | None = None, page: int = 1,
                    pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[PublicIpAddress], int]:
    """Addresses with static NAT within the caller's scope (listIpForwardingRules)."""
    statement: Select[Any] = scope.visible(caller, "IpAddress").where(PublicIpAddress.static_nat_vm_id.is_not(None))
    statement = owners.apply(statement, PublicIpAddress.account_id)
    if address is not None:
        statement = statement.where(PublicIpAddress.id == address.id)
    if by_uuid is not None:
        statement = statement.where(PublicIpAddress.uuid == by_uuid)
    if vm is not None:
        statement = statement.where(PublicIpAddress.static_nat_vm_id == vm.id)
    return fetch_page(session, statement.order_by(PublicIpAddress.id), page, pagesize)

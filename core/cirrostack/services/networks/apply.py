"""Pushing a network's whole desired state to its providers.

`push_network` implements the network if needed, then hands each provider the complete DHCP leases and
VM data of the network's NICs, a VPC tier's network ACL, then the rule sets
(cirrostack.services.network_rules.apply.push_rules).
Every set is complete, so pushing twice changes nothing and a router rebuilt from the database
converges to the same state.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import SSHKeyPair
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, Nic
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.hookspecs.network_rules import DhcpEntry, VmDataEntry
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services.networks.implement import implement
from cirrostack.services.networks.service_network import provider_for, service_network


def push_network(session: Session, registry: PluginRegistry, secrets: Any, network: Network) -> None:
    """Implement `network` on its providers if needed and push its DHCP entries, VM data and rules."""
    implement(session, registry, secrets, network)
    described = service_network(session, network, secrets)
    guests = _guests(session, network)
    dhcp = provider_for(session, registry, network, NetworkService.DHCP)
    if dhcp is not None:
        dhcp.apply_dhcp_entries(described, [DhcpEntry(nic.mac_address, nic.ip_address or "", vm.name,
                                                      default_gateway=nic.is_default) for nic, vm in guests])
    user_data = provider_for(session, registry, network, NetworkService.USER_DATA)
    if user_data is not None:
        zone = session.get(Zone, network.zone_id)
        user_data.apply_vm_data(described, [vm_data_entry(session, nic, vm, zone, described.source_nat_ip, secrets)
                                            for nic, vm in guests])
    if network.vpc_id is not None:
        from cirrostack.services.vpc.acls import push_acl  # tiers only; the vpc package imports this one

        push_acl(session, registry, secrets, network)
    _push_rules(session, registry, secrets, network)


def vm_data_entry(session: Session, nic: Nic, vm: VirtualMachine, zone: Zone | None, public_ip: str,
                  secrets: Any) -> VmDataEntry:
    """What the guest behind `nic` may fetch from its router: user data, CloudStack's metadata names,
    and its password when one is pending."""
    offering = session.get(ServiceOffering, vm.service_offering_id)
    keys = ""
    if vm.keypair_name:
        keys = session.scalar(select(SSHKeyPair.public_key).where(SSHKeyPair.account_id == vm.account_id,
                                                                  SSHKeyPair.name == vm.keypair_name)) or ""
    zone_uuid = zone.uuid if zone is not None else ""
    metadata = {"service-offering": offering.name if offering is not None else "",
                "availability-zone": zone.name if zone is not None else "", "local-ipv4": nic.ip_address or "",
                "local-hostname": vm.name, "public-ipv4": public_ip or nic.ip_address or "",
                "public-hostname": public_ip or nic.ip_address or "", "instance-id": vm.instance_name or vm.uuid,
                "vm-id": vm.uuid, "public-keys": keys, "cloud-identifier": f"CloudStack-{{{zone_uuid}}}"}
    password = ""
    if vm.password_encrypted and secrets is not None:
        password = secrets.decrypt(vm.password_encrypted)
    return VmDataEntry(ip_address=nic.ip_address or "", mac_address=nic.mac_address,
                       userdata=_decoded(vm.userdata), metadata=metadata, password=password)


def _guests(session: Session, network: Network) -> list[tuple[Nic, VirtualMachine]]:
    rows = session.execute(select(Nic, VirtualMachine).join(VirtualMachine, VirtualMachine.id == Nic.vm_id).where(
        Nic.network_id == network.id, Nic.removed.is_(None), VirtualMachine.removed.is_(None),
        VirtualMachine.state.not_in(("Destroyed", "Expunging", "Expunged"))).order_by(Nic.id))
    return [(nic, vm) for nic, vm in rows]


def _decoded(userdata: str | None) -> bytes:
    if not userdata:
        return b""
    try:
        return base64.b64decode(userdata)
    except (binascii.Error, ValueError):
        return userdata.encode()


def _push_rules(session: Session, registry: PluginRegistry, secrets: Any, network: Network) -> None:
    try:
        from cirrostack.services.network_rules.apply import push_rules
    except ModuleNotFoundError as missing:  # the rules area is not part of this installation
        if missing.name is not None and missing.name.startswith("cirrostack.services.network_rules"):
            return
        raise
    push_rules(session, registry, secrets, network)

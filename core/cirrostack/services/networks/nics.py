"""NICs of VMs on guest networks: addNicToVirtualMachine, removeNicFromVirtualMachine, listNics, and the
guest IP a new NIC gets.

A guest IP is the lowest free address of the network (its CIDR for Isolated networks, its direct range
for Shared ones), never the gateway. The NIC row is unique per network and address among live NICs;
an insert that loses to a concurrent one is retried with the next address, so two NICs never share an
address.
"""

from __future__ import annotations

import ipaddress
import secrets as token_source
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.db.models.networks import GuestType, Network, Nic, VlanIpRange
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InsufficientCapacity, InvalidParameter, InvalidState, ResourceAllocationFailed
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.networks.service_network import netmask_of

MAX_ATTEMPTS = 200


def allocate_nic(session: Session, caller: Caller | None, vm: VirtualMachine, network: Network, *,
                 ip_address: str | None = None, is_default: bool = False) -> Nic:
    """A NIC of `vm` on `network` with a free guest IP (or `ip_address`, which must be free and in the
    network). Records NIC.CREATE. Raises InvalidParameter("ipaddress", ...) for a taken or foreign
    address, InsufficientCapacity when the network is full."""
    requested = _requested(network, ip_address) if ip_address else None
    # One allocation per network at a time: on MariaDB, racing inserts into the unique (network, ip) index
    # can deadlock, and InnoDB then rolls back the whole transaction (savepoint and all). The row lock
    # (a no-op on SQLite, which serialises writers anyway) makes the choice below see every committed NIC.
    session.execute(select(Network.id).where(Network.id == network.id).with_for_update())
    taken = set(session.scalars(select(Nic.ip_address).where(Nic.network_id == network.id, Nic.removed.is_(None))))
    device_id = (session.scalar(select(func.max(Nic.device_id)).where(Nic.vm_id == vm.id, Nic.removed.is_(None)))
                 if vm.id is not None else None)
    for _attempt in range(MAX_ATTEMPTS):
        address = requested or _first_free(session, network, taken)
        nic = Nic(vm_id=vm.id, network_id=network.id, mac_address=_new_mac(), ip_address=address,
                  netmask=_netmask(session, network), gateway=network.gateway, broadcast_uri=network.broadcast_uri,
                  device_id=0 if device_id is None else device_id + 1, is_default=is_default)
        try:
            with session.begin_nested():
                session.add(nic)
        except IntegrityError:
            if requested is not None and _ip_in_use(session, network, requested):
                raise InvalidParameter("ipaddress", f"{requested} is already used in network {network.name}") from None
            taken.add(address)
            continue
        record_event(session, caller, "NIC.CREATE", f"Added NIC {address} on network {network.name} to VM {vm.name}",
                     account_id=vm.account_id, domain_id=vm.domain_id, resource_type="Nic", resource_uuid=nic.uuid)
        return nic
    raise ResourceAllocationFailed(f"network {network.name}: no guest IP could be taken after {MAX_ATTEMPTS} "
                                   f"attempts; concurrent requests took each one first")


def add_nic(session: Session, caller: Caller, vm: VirtualMachine, network: Network,
            ip_address: str | None = None) -> Nic:
    """addNicToVirtualMachine on a stopped VM (NICs are given to the hypervisor when the VM starts)."""
    _require_stopped(vm, "add a NIC to")
    if network.zone_id != vm.zone_id:
        raise InvalidParameter("networkid", f"network {network.name} is in another zone than VM {vm.name}")
    if session.scalar(select(Nic.id).where(Nic.vm_id == vm.id, Nic.network_id == network.id,
                                           Nic.removed.is_(None))) is not None:
        raise InvalidParameter("networkid", f"VM {vm.name} already has a NIC on network {network.name}")
    has_default = session.scalar(select(Nic.id).where(Nic.vm_id == vm.id, Nic.removed.is_(None),
                                                      Nic.is_default.is_(True))) is not None
    return allocate_nic(session, caller, vm, network, ip_address=ip_address, is_default=not has_default)


def remove_nic(session: Session, caller: Caller | None, vm: VirtualMachine, nic: Nic, *, force: bool = False) -> None:
    """removeNicFromVirtualMachine: the default NIC stays while the VM has others (unless `force`, used
    when a VM is expunged). Records NIC.DELETE."""
    if not force:
        _require_stopped(vm, "remove a NIC from")
        if nic.vm_id != vm.id:
            raise InvalidParameter("nicid", f"NIC {nic.uuid} does not belong to VM {vm.name}")
        others = session.scalar(select(func.count(Nic.id)).where(Nic.vm_id == vm.id, Nic.removed.is_(None),
                                                                  Nic.id != nic.id))
        if nic.is_default and others:
            raise InvalidParameter("nicid", f"NIC {nic.ip_address} is the default NIC of VM {vm.name}; make another "
                                            f"NIC the default first")
    nic.mark_removed()
    nic.state = "Released"
    session.flush()
    record_event(session, caller, "NIC.DELETE", f"Removed NIC {nic.ip_address} from VM {vm.name}",
                 account_id=vm.account_id, domain_id=vm.domain_id, resource_type="Nic", resource_uuid=nic.uuid)


def nics_of(session: Session, vm: VirtualMachine) -> list[Nic]:
    return list(session.scalars(select(Nic).where(Nic.vm_id == vm.id, Nic.removed.is_(None)).order_by(Nic.device_id)))


def nic_rows(connection: Connection, vm_ids: Select[Any] | list[int]) -> dict[int, list[Row[Any]]]:
    """The live NICs of these VMs by VM id, in device order, as plain rows with their network's uuid, name,
    traffic type and guest type (`network_uuid`, `network_name`, `traffic_type`, `guest_type`): the `nic`
    list of VM responses, read in one query per page."""
    statement = (select(Nic.vm_id, Nic.uuid, Nic.ip_address, Nic.netmask, Nic.gateway, Nic.broadcast_uri,
                        Nic.is_default, Nic.mac_address, Nic.device_id, Network.uuid.label("network_uuid"),
                        Network.name.label("network_name"), Network.traffic_type, Network.guest_type)
                 .join(Network, Network.id == Nic.network_id)
                 .where(Nic.vm_id.in_(vm_ids), Nic.removed.is_(None)).order_by(Nic.vm_id, Nic.device_id))
    found: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in connection.execute(statement):
        found[row.vm_id].append(row)
    return dict(found)


def list_nics(session: Session, caller: Caller, vm: VirtualMachine, *, nic: Nic | None = None,
              network: Network | None = None, page: int = 1,
              pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Nic], int]:
    statement = scope.visible(caller, "Nic").where(Nic.vm_id == vm.id)
    if nic is not None:
        statement = statement.where(Nic.id == nic.id)
    if network is not None:
        statement = statement.where(Nic.network_id == network.id)
    return fetch_page(session, statement.order_by(Nic.device_id), page, pagesize)


def _require_stopped(vm: VirtualMachine, action: str) -> None:
    if vm.state != VMState.STOPPED.value:
        raise InvalidState(f"virtualmachineid: VM {vm.name} is {vm.state}; stop it to {action} it (the hypervisor "
                           f"contract has no NIC hot plug)")


def _candidates(session: Session, network: Network) -> Iterator[str]:
    gateway = network.gateway
    if network.guest_type == GuestType.SHARED.value:
        for direct in session.scalars(select(VlanIpRange).where(VlanIpRange.network_id == network.id,
                                                                VlanIpRange.for_virtual_network.is_(False))):
            first, last = int(ipaddress.ip_address(direct.start_ip)), int(ipaddress.ip_address(direct.end_ip))
            for number in range(first, last + 1):
                address = str(ipaddress.ip_address(number))
                if address != gateway:
                    yield address
        return
    for host in ipaddress.ip_network(network.cidr or "", strict=False).hosts():
        if str(host) != gateway:
            yield str(host)


def _first_free(session: Session, network: Network, taken: set[str | None]) -> str:
    for address in _candidates(session, network):
        if address not in taken:
            return address
    raise InsufficientCapacity(f"network {network.name}: every guest address of {network.cidr} is in use")


def _requested(network: Network, value: str) -> str:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        raise InvalidParameter("ipaddress", f"{value!r} is not an IP address") from None
    if network.cidr and address not in ipaddress.ip_network(network.cidr, strict=False):
        raise InvalidParameter("ipaddress", f"{address} is outside network {network.name} ({network.cidr})")
    if str(address) == network.gateway:
        raise InvalidParameter("ipaddress", f"{address} is the gateway of network {network.name}")
    return str(address)


def _ip_in_use(session: Session, network: Network, address: str) -> bool:
    return session.scalar(select(Nic.id).where(Nic.network_id == network.id, Nic.ip_address == address,
                                               Nic.removed.is_(None))) is not None


def _netmask(session: Session, network: Network) -> str:
    if network.guest_type == GuestType.SHARED.value:
        direct = session.scalars(select(VlanIpRange.netmask).where(VlanIpRange.network_id == network.id)).first()
        if direct:
            return direct
    return netmask_of(network.cidr or "")


def _new_mac() -> str:
    return "02:00:" + ":".join(f"{byte:02x}" for byte in token_source.token_bytes(4))

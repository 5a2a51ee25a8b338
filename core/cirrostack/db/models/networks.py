"""Guest networking: physical networks, providers, network offerings, guest networks, public IPs, NICs, routers.

Allocation is made safe under concurrent requests by the database, never by locks in the process:
- a guest VLAN (or VNI) is taken by inserting a `GuestVnetAllocation` row, unique per zone and broadcast
  URI; a conflicting insert means another request won that id, and the allocator tries the next one;
- a public IP is taken by a conditional `UPDATE ... WHERE state = 'Free'` on its pre-created row;
- a guest IP is a NIC row, unique per network and address among live NICs (`live` is NULL once removed).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin
from cirrostack.db.timestamps import utcnow


class PhysicalNetworkState(enum.StrEnum):
    DISABLED = "Disabled"
    ENABLED = "Enabled"


class TrafficType(enum.StrEnum):
    GUEST = "Guest"
    MANAGEMENT = "Management"
    PUBLIC = "Public"
    STORAGE = "Storage"


class ProviderState(enum.StrEnum):
    DISABLED = "Disabled"
    ENABLED = "Enabled"
    SHUTDOWN = "Shutdown"


class OfferingState(enum.StrEnum):
    DISABLED = "Disabled"
    ENABLED = "Enabled"


class GuestType(enum.StrEnum):
    ISOLATED = "Isolated"
    SHARED = "Shared"


class NetworkState(enum.StrEnum):
    ALLOCATED = "Allocated"
    IMPLEMENTING = "Implementing"
    IMPLEMENTED = "Implemented"
    SHUTDOWN = "Shutdown"
    DESTROY = "Destroy"


class IpState(enum.StrEnum):
    FREE = "Free"
    ALLOCATED = "Allocated"
    RELEASING = "Releasing"


class NicState(enum.StrEnum):
    ALLOCATED = "Allocated"
    RESERVED = "Reserved"
    RELEASED = "Released"


class RouterState(enum.StrEnum):
    STARTING = "Starting"
    RUNNING = "Running"
    STOPPING = "Stopping"
    STOPPED = "Stopped"
    DESTROYED = "Destroyed"
    ERROR = "Error"


class PhysicalNetwork(ResourceMixin, SoftDeleteMixin, Base):
    """A zone's physical network. `isolation_methods` is comma-separated ("VLAN"); `vlan` the guest id
    ranges ("100-199,300"); `broadcast_domain_range` ZONE or POD."""

    __tablename__ = "physical_networks"
    __table_args__ = (Index("ix_physical_networks_zone_id_removed", "zone_id", "removed"),)

    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)
    state: Mapped[str] = mapped_column(String(16), default=PhysicalNetworkState.DISABLED.value)
    isolation_methods: Mapped[str] = mapped_column(String(255), default="VLAN")
    vlan: Mapped[str | None] = mapped_column(Text, default=None)
    network_speed: Mapped[str | None] = mapped_column(String(32), default=None)
    broadcast_domain_range: Mapped[str] = mapped_column(String(16), default="ZONE")
    tags: Mapped[str | None] = mapped_column(String(255), default=None)


class PhysicalNetworkTrafficType(ResourceMixin, Base):
    """A traffic type a physical network carries, with the host device label per hypervisor."""

    __tablename__ = "physical_network_traffic_types"
    __table_args__ = (UniqueConstraint("physical_network_id", "traffic_type"),)

    physical_network_id: Mapped[int] = mapped_column(ForeignKey("physical_networks.id"))
    traffic_type: Mapped[str] = mapped_column(String(32))
    kvm_label: Mapped[str | None] = mapped_column(String(255), default=None)
    xen_label: Mapped[str | None] = mapped_column(String(255), default=None)
    vmware_label: Mapped[str | None] = mapped_column(String(255), default=None)
    hyperv_label: Mapped[str | None] = mapped_column(String(255), default=None)
    vlan: Mapped[str | None] = mapped_column(String(64), default=None)


class NetworkServiceProviderRow(ResourceMixin, Base):
    """A network service provider enabled (or not) on a physical network: VirtualRouter, PaloAlto, ..."""

    __tablename__ = "physical_network_service_providers"
    __table_args__ = (UniqueConstraint("physical_network_id", "provider_name"),)

    physical_network_id: Mapped[int] = mapped_column(ForeignKey("physical_networks.id"))
    provider_name: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), default=ProviderState.DISABLED.value)
    destination_physical_network_id: Mapped[int | None] = mapped_column(
        ForeignKey("physical_networks.id"), default=None)


class VirtualRouterElement(ResourceMixin, Base):
    """The element of a router-type provider (VirtualRouter, VpcVirtualRouter, InternalLbVm), which
    configureVirtualRouterElement enables."""

    __tablename__ = "virtual_router_elements"
    __table_args__ = (UniqueConstraint("provider_id"),)

    provider_id: Mapped[int] = mapped_column(ForeignKey("physical_network_service_providers.id"))
    element_type: Mapped[str] = mapped_column(String(32))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class NetworkOffering(ResourceMixin, SoftDeleteMixin, Base):
    """What a guest network is made of: guest IP type, services and their providers, and options.

    `service_capabilities` holds createNetworkOffering's `servicecapabilitylist` as JSON
    ({"SourceNat": {"SupportedSourceNatTypes": "peraccount"}, ...})."""

    __tablename__ = "network_offerings"
    __table_args__ = (UniqueConstraint("name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(255))
    traffic_type: Mapped[str] = mapped_column(String(32), default=TrafficType.GUEST.value)
    guest_ip_type: Mapped[str] = mapped_column(String(16), default=GuestType.ISOLATED.value)
    specify_vlan: Mapped[bool] = mapped_column(Boolean, default=False)
    specify_ip_ranges: Mapped[bool] = mapped_column(Boolean, default=False)
    conserve_mode: Mapped[bool] = mapped_column(Boolean, default=True)
    network_rate: Mapped[int | None] = mapped_column(Integer, default=None)
    availability: Mapped[str] = mapped_column(String(16), default="Optional")
    state: Mapped[str] = mapped_column(String(16), default=OfferingState.DISABLED.value)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    is_persistent: Mapped[bool] = mapped_column(Boolean, default=False)
    redundant_router: Mapped[bool] = mapped_column(Boolean, default=False)
    egress_default_allow: Mapped[bool] = mapped_column(Boolean, default=False)
    for_vpc: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[str | None] = mapped_column(String(255), default=None)
    max_connections: Mapped[int | None] = mapped_column(Integer, default=None)
    service_offering_id: Mapped[int | None] = mapped_column(ForeignKey("service_offerings.id"), default=None)
    service_capabilities: Mapped[str | None] = mapped_column(Text, default=None)


class NetworkOfferingService(Base):
    """A service of an offering and the provider that delivers it."""

    __tablename__ = "network_offering_services"
    __table_args__ = (UniqueConstraint("network_offering_id", "service", "provider"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_offering_id: Mapped[int] = mapped_column(ForeignKey("network_offerings.id"), index=True)
    service: Mapped[str] = mapped_column(String(32))
    provider: Mapped[str] = mapped_column(String(255))


class Network(ResourceMixin, SoftDeleteMixin, Base):
    """A guest network. `acl_type` Account (owned by `account_id`) or Domain (shared in `domain_id`);
    `broadcast_uri` ("vlan://100") is set once the network holds an isolation id."""

    __tablename__ = "networks"
    __table_args__ = (
        Index("ix_networks_account_id_removed", "account_id", "removed"),
        Index("ix_networks_zone_id_removed", "zone_id", "removed"),
        Index("ix_networks_domain_id", "domain_id"),
    )

    name: Mapped[str] = mapped_column(String(255))
    display_text: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    physical_network_id: Mapped[int | None] = mapped_column(ForeignKey("physical_networks.id"), default=None)
    network_offering_id: Mapped[int] = mapped_column(ForeignKey("network_offerings.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    acl_type: Mapped[str] = mapped_column(String(16), default="Account")
    subdomain_access: Mapped[bool] = mapped_column(Boolean, default=False)
    guest_type: Mapped[str] = mapped_column(String(16), default=GuestType.ISOLATED.value)
    traffic_type: Mapped[str] = mapped_column(String(32), default=TrafficType.GUEST.value)
    state: Mapped[str] = mapped_column(String(16), default=NetworkState.ALLOCATED.value)
    broadcast_domain_type: Mapped[str] = mapped_column(String(16), default="Vlan")
    broadcast_uri: Mapped[str | None] = mapped_column(String(255), default=None)
    specified_vlan: Mapped[bool] = mapped_column(Boolean, default=False)
    cidr: Mapped[str | None] = mapped_column(String(64), default=None)
    gateway: Mapped[str | None] = mapped_column(String(64), default=None)
    ip6_cidr: Mapped[str | None] = mapped_column(String(64), default=None)
    ip6_gateway: Mapped[str | None] = mapped_column(String(64), default=None)
    network_domain: Mapped[str | None] = mapped_column(String(255), default=None)
    restart_required: Mapped[bool] = mapped_column(Boolean, default=False)
    display_network: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    vpc_id: Mapped[int | None] = mapped_column(ForeignKey("vpcs.id"), default=None, index=True)  # a VPC tier
    acl_id: Mapped[int | None] = mapped_column(ForeignKey("network_acl_lists.id"), default=None)  # a tier's ACL


class GuestVnetAllocation(Base):
    """An isolation id in use in a zone. Inserting the row takes the id; deleting it frees it."""

    __tablename__ = "guest_vnet_allocations"
    __table_args__ = (UniqueConstraint("zone_id", "broadcast_uri"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    physical_network_id: Mapped[int] = mapped_column(ForeignKey("physical_networks.id"))
    broadcast_uri: Mapped[str] = mapped_column(String(255))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), default=None, index=True)
    taken: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class VlanIpRange(ResourceMixin, Base):
    """A range of addresses: public (`for_virtual_network`, NAT through routers) or direct-attached to a
    shared guest network. `vlan_tag` is "untagged" or the VLAN id; dedicated when `account_id` is set."""

    __tablename__ = "vlan_ip_ranges"
    __table_args__ = (Index("ix_vlan_ip_ranges_zone_id", "zone_id"),)

    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    pod_id: Mapped[int | None] = mapped_column(ForeignKey("pods.id"), default=None)
    physical_network_id: Mapped[int | None] = mapped_column(ForeignKey("physical_networks.id"), default=None)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), default=None)
    vlan_tag: Mapped[str] = mapped_column(String(64), default="untagged")
    gateway: Mapped[str] = mapped_column(String(64))
    netmask: Mapped[str] = mapped_column(String(64))
    start_ip: Mapped[str] = mapped_column(String(64))
    end_ip: Mapped[str] = mapped_column(String(64))
    for_virtual_network: Mapped[bool] = mapped_column(Boolean, default=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)


class PublicIpAddress(ResourceMixin, Base):
    """One address of a public range; its row exists from createVlanIpRange on, Free until associated."""

    __tablename__ = "public_ip_addresses"
    __table_args__ = (
        UniqueConstraint("zone_id", "address"),
        Index("ix_public_ip_addresses_vlan_range_id_state", "vlan_range_id", "state"),
        Index("ix_public_ip_addresses_network_id", "network_id"),
        Index("ix_public_ip_addresses_account_id", "account_id"),
    )

    address: Mapped[str] = mapped_column(String(64))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    vlan_range_id: Mapped[int] = mapped_column(ForeignKey("vlan_ip_ranges.id"))
    state: Mapped[str] = mapped_column(String(16), default=IpState.FREE.value)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), default=None)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), default=None)
    is_source_nat: Mapped[bool] = mapped_column(Boolean, default=False)
    static_nat_vm_id: Mapped[int | None] = mapped_column(ForeignKey("vm_instances.id"), default=None)
    static_nat_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    allocated: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    vpc_id: Mapped[int | None] = mapped_column(ForeignKey("vpcs.id"), default=None, index=True)  # a VPC's address


class Nic(ResourceMixin, SoftDeleteMixin, Base):
    """A VM's interface on a guest network. Its address is unique among the network's live NICs."""

    __tablename__ = "nics"
    __table_args__ = (
        UniqueConstraint("network_id", "ip_address", "live"),
        UniqueConstraint("mac_address", "live"),
        Index("ix_nics_vm_id_removed", "vm_id", "removed"),
    )

    vm_id: Mapped[int] = mapped_column(ForeignKey("vm_instances.id"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id"))
    mac_address: Mapped[str] = mapped_column(String(17))
    ip_address: Mapped[str | None] = mapped_column(String(64), default=None)
    netmask: Mapped[str | None] = mapped_column(String(64), default=None)
    gateway: Mapped[str | None] = mapped_column(String(64), default=None)
    broadcast_uri: Mapped[str | None] = mapped_column(String(255), default=None)
    device_id: Mapped[int] = mapped_column(Integer, default=0)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=NicState.ALLOCATED.value)


class Router(ResourceMixin, SoftDeleteMixin, Base):
    """The virtual router of an isolated network (`network_id`) or of a VPC (`vpc_id`, no `network_id`: one
    router serves all of the VPC's tiers): at most one live router per network and per VPC.

    `backend` names where its data plane runs (the provider's choice, e.g. "namespace");
    `problems` is what the router monitor last read from the provider ("" when healthy)."""

    __tablename__ = "routers"
    __table_args__ = (UniqueConstraint("network_id", "live"), UniqueConstraint("vpc_id", "live"),
                      Index("ix_routers_account_id", "account_id"))

    name: Mapped[str] = mapped_column(String(255))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("networks.id"), default=None)
    vpc_id: Mapped[int | None] = mapped_column(ForeignKey("vpcs.id"), default=None)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domains.id"))
    provider_name: Mapped[str] = mapped_column(String(255), default="VirtualRouter")
    state: Mapped[str] = mapped_column(String(16), default=RouterState.STOPPED.value)
    public_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    guest_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    backend: Mapped[str | None] = mapped_column(String(64), default=None)
    health: Mapped[str] = mapped_column(String(16), default="Unknown")
    problems: Mapped[str] = mapped_column(Text, default="")
    last_checked: Mapped[datetime | None] = mapped_column(DateTime, default=None)

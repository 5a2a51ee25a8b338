"""Zones, pods, clusters and hosts: the physical cloud an operator describes.

A zone holds pods, a pod holds clusters, a cluster holds hosts of one hypervisor type. All four
are soft-deleted (`removed`), as in CloudStack, so their names can be taken again.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cirrostack.db.base import Base, ResourceMixin, SoftDeleteMixin
from cirrostack.db.models.accounts import Domain


class NetworkType(enum.StrEnum):
    ADVANCED = "Advanced"
    BASIC = "Basic"


class AllocationState(enum.StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"


class ClusterType(enum.StrEnum):
    CLOUD_MANAGED = "CloudManaged"
    EXTERNAL_MANAGED = "ExternalManaged"


class ManagedState(enum.StrEnum):
    MANAGED = "Managed"
    UNMANAGED = "Unmanaged"


class HostType(enum.StrEnum):
    ROUTING = "Routing"


class HostState(enum.StrEnum):
    UP = "Up"
    DOWN = "Down"
    DISCONNECTED = "Disconnected"
    ALERT = "Alert"


class ResourceState(enum.StrEnum):
    ENABLED = "Enabled"
    DISABLED = "Disabled"
    PREPARE_FOR_MAINTENANCE = "PrepareForMaintenance"
    MAINTENANCE = "Maintenance"
    ERROR_IN_MAINTENANCE = "ErrorInMaintenance"


class Zone(ResourceMixin, SoftDeleteMixin, Base):
    """A data centre. `network_type` Basic gives one flat guest network with security groups;
    Advanced gives isolated guest networks. `domain_id` set makes the zone dedicated to a domain."""

    __tablename__ = "zones"
    __table_args__ = (UniqueConstraint("name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(String(1024), default=None)
    network_type: Mapped[str] = mapped_column(String(16), default=NetworkType.ADVANCED.value)
    dns1: Mapped[str] = mapped_column(String(255))
    dns2: Mapped[str | None] = mapped_column(String(255), default=None)
    ip6_dns1: Mapped[str | None] = mapped_column(String(255), default=None)
    ip6_dns2: Mapped[str | None] = mapped_column(String(255), default=None)
    internal_dns1: Mapped[str] = mapped_column(String(255))
    internal_dns2: Mapped[str | None] = mapped_column(String(255), default=None)
    guest_cidr_address: Mapped[str | None] = mapped_column(String(64), default=None)
    network_domain: Mapped[str | None] = mapped_column(String(255), default=None)
    domain_id: Mapped[int | None] = mapped_column(ForeignKey("domains.id"), default=None)
    allocation_state: Mapped[str] = mapped_column(String(16), default=AllocationState.ENABLED.value)
    local_storage_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    security_group_enabled: Mapped[bool] = mapped_column(Boolean, default=False)

    domain: Mapped[Domain | None] = relationship(lazy="joined")


class Pod(ResourceMixin, SoftDeleteMixin, Base):
    """A rack of a zone with its management network range (`start_ip`..`end_ip`)."""

    __tablename__ = "pods"
    __table_args__ = (UniqueConstraint("zone_id", "name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    gateway: Mapped[str] = mapped_column(String(64))
    netmask: Mapped[str] = mapped_column(String(64))
    start_ip: Mapped[str] = mapped_column(String(64))
    end_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    allocation_state: Mapped[str] = mapped_column(String(16), default=AllocationState.ENABLED.value)

    zone: Mapped[Zone] = relationship(lazy="joined")


class Cluster(ResourceMixin, SoftDeleteMixin, Base):
    """Hosts of one hypervisor type in one pod. `hypervisor_type` is as the API shows it ("KVM")."""

    __tablename__ = "clusters"
    __table_args__ = (UniqueConstraint("pod_id", "name", "live"),)

    name: Mapped[str] = mapped_column(String(255))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    pod_id: Mapped[int] = mapped_column(ForeignKey("pods.id"), index=True)
    hypervisor_type: Mapped[str] = mapped_column(String(32))
    cluster_type: Mapped[str] = mapped_column(String(32), default=ClusterType.CLOUD_MANAGED.value)
    allocation_state: Mapped[str] = mapped_column(String(16), default=AllocationState.ENABLED.value)
    managed_state: Mapped[str] = mapped_column(String(16), default=ManagedState.MANAGED.value)
    url: Mapped[str | None] = mapped_column(String(1024), default=None)

    zone: Mapped[Zone] = relationship(lazy="joined")
    pod: Mapped[Pod] = relationship(lazy="joined")


class Host(ResourceMixin, SoftDeleteMixin, Base):
    """A hypervisor host as its plugin reported it when added.

    `password` holds the operator's password encrypted by SecretBox, never in clear. `cpu_cores` is
    the host's total core count (CloudStack's `cpunumber`); `state` is what the host monitor last
    saw, `resource_state` what the operator set (maintenance, disabled)."""

    __tablename__ = "hosts"

    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(32), default=HostType.ROUTING.value)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    pod_id: Mapped[int] = mapped_column(ForeignKey("pods.id"), index=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id"), index=True)
    url: Mapped[str] = mapped_column(String(1024))
    username: Mapped[str | None] = mapped_column(String(255), default=None)
    password: Mapped[str | None] = mapped_column(Text, default=None)
    ip_address: Mapped[str | None] = mapped_column(String(64), default=None)
    guid: Mapped[str | None] = mapped_column(String(255), default=None)
    hypervisor_type: Mapped[str] = mapped_column(String(32))
    hypervisor_version: Mapped[str | None] = mapped_column(String(64), default=None)
    cpu_sockets: Mapped[int] = mapped_column(Integer, default=0)
    cpu_cores: Mapped[int] = mapped_column(Integer, default=0)
    cpu_threads: Mapped[int] = mapped_column(Integer, default=0)
    cpu_speed_mhz: Mapped[int] = mapped_column(Integer, default=0)
    memory_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    cpu_model: Mapped[str | None] = mapped_column(String(255), default=None)
    state: Mapped[str] = mapped_column(String(16), default=HostState.UP.value)
    resource_state: Mapped[str] = mapped_column(String(32), default=ResourceState.ENABLED.value)
    last_ping: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    disconnected: Mapped[datetime | None] = mapped_column(DateTime, default=None)

    zone: Mapped[Zone] = relationship(lazy="joined")
    pod: Mapped[Pod] = relationship(lazy="joined")
    cluster: Mapped[Cluster] = relationship(lazy="joined")
    tags: Mapped[list[HostTag]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                               order_by="HostTag.id")
    details: Mapped[list[HostDetail]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                     order_by="HostDetail.id")

    @property
    def tag_names(self) -> list[str]:
        return [tag.tag for tag in self.tags]


class HostTag(Base):
    """One tag of a host; offerings' host tags match against these."""

    __tablename__ = "host_tags"
    __table_args__ = (UniqueConstraint("host_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id"), index=True)
    tag: Mapped[str] = mapped_column(String(255))


class HostDetail(Base):
    """A name/value the hypervisor plugin reported about a host beyond the fixed columns."""

    __tablename__ = "host_details"
    __table_args__ = (UniqueConstraint("host_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    value: Mapped[str] = mapped_column(Text)

"""How physical networks, traffic types, providers, router elements and VLAN IP ranges look on the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, Domain
from cirrostack.db.models.infrastructure import Pod, Zone
from cirrostack.db.models.networks import (
    Network,
    NetworkServiceProviderRow,
    PhysicalNetwork,
    PhysicalNetworkTrafficType,
    VirtualRouterElement,
    VlanIpRange,
)

PHYSICAL_NETWORK_RESPONSE = Response("physicalnetwork", (
    Field("id", "string", "the uuid of the physical network"),
    Field("name", "string", "name of the physical network"),
    Field("zoneid", "string", "zone id of the physical network"),
    Field("state", "string", "state of the physical network"),
    Field("vlan", "string", "the vlan of the physical network"),
    Field("broadcastdomainrange", "string", "Broadcast domain range of the physical network"),
    Field("domainid", "string", "the domain id of the physical network owner"),
    Field("isolationmethods", "string", "isolation methods"),
    Field("networkspeed", "string", "the speed of the physical network"),
    Field("tags", "string", "comma separated tag"),
), instance_type="PhysicalNetwork")

TRAFFIC_TYPE_RESPONSE = Response("traffictype", (
    Field("id", "string", "id of the network provider"),
    Field("traffictype", "string", "the trafficType to be added to the physical network"),
    Field("physicalnetworkid", "string", "the physical network this belongs to"),
    Field("kvmnetworklabel", "string", "The network name label of the physical device dedicated to this traffic on "
                                       "a KVM host"),
    Field("xennetworklabel", "string", "The network name label of the physical device dedicated to this traffic on "
                                       "a XenServer host"),
    Field("vmwarenetworklabel", "string", "The network name label of the physical device dedicated to this traffic "
                                          "on a VMware host"),
    Field("hypervnetworklabel", "string", "The network name label of the physical device dedicated to this traffic "
                                          "on a HyperV host"),
), instance_type="TrafficType")

PROVIDER_RESPONSE = Response("networkserviceprovider", (
    Field("id", "string", "uuid of the network provider"),
    Field("name", "string", "the provider name"),
    Field("physicalnetworkid", "string", "the physical network this belongs to"),
    Field("destinationphysicalnetworkid", "string", "the destination physical network"),
    Field("state", "string", "state of the network provider"),
    Field("canenableindividualservice", "boolean", "true if individual services can be enabled/disabled"),
    Field("servicelist", "list", "services for this provider"),
), instance_type="NetworkServiceProvider")

ELEMENT_RESPONSE = Response("virtualrouterelement", (
    Field("id", "string", "the id of the router"),
    Field("nspid", "string", "the physical network service provider id of the provider"),
    Field("enabled", "boolean", "Enabled/Disabled the service provider"),
    Field("account", "string", "the account associated with the provider"),
    Field("domainid", "string", "the domain ID associated with the provider"),
    Field("domain", "string", "the domain associated with the provider"),
), instance_type="VirtualRouterElement")

VLAN_RANGE_RESPONSE = Response("vlan", (
    Field("id", "string", "the ID of the VLAN IP range"),
    Field("forvirtualnetwork", "boolean", "the virtual network for the VLAN IP range"),
    Field("zoneid", "string", "the Zone ID of the VLAN IP range"),
    Field("vlan", "string", "the ID or VID of the VLAN."),
    Field("account", "string", "the account of the VLAN IP range"),
    Field("domainid", "string", "the domain ID of the VLAN IP range"),
    Field("domain", "string", "the domain name of the VLAN IP range"),
    Field("podid", "string", "the Pod ID for the VLAN IP range"),
    Field("podname", "string", "the Pod name for the VLAN IP range"),
    Field("gateway", "string", "the gateway of the VLAN IP range"),
    Field("netmask", "string", "the netmask of the VLAN IP range"),
    Field("description", "string", "the description of the VLAN IP range"),
    Field("startip", "string", "the start ip of the VLAN IP range"),
    Field("endip", "string", "the end ip of the VLAN IP range"),
    Field("networkid", "string", "the network id of vlan range"),
    Field("physicalnetworkid", "string", "the physical network this belongs to"),
), instance_type="Vlan")


def physical_network_view(session: Session, physical: PhysicalNetwork) -> dict[str, Any]:
    zone = session.get(Zone, physical.zone_id)
    domain = session.get(Domain, physical.domain_id) if physical.domain_id else None
    return _clean({"id": physical.uuid, "name": physical.name, "zoneid": zone.uuid if zone else None,
                   "state": physical.state, "vlan": physical.vlan,
                   "broadcastdomainrange": physical.broadcast_domain_range,
                   "domainid": domain.uuid if domain else None, "isolationmethods": physical.isolation_methods,
                   "networkspeed": physical.network_speed, "tags": physical.tags})


def traffic_type_view(session: Session, row: PhysicalNetworkTrafficType) -> dict[str, Any]:
    physical = session.get(PhysicalNetwork, row.physical_network_id)
    return _clean({"id": row.uuid, "traffictype": row.traffic_type,
                   "physicalnetworkid": physical.uuid if physical else None, "kvmnetworklabel": row.kvm_label,
                   "xennetworklabel": row.xen_label, "vmwarenetworklabel": row.vmware_label,
                   "hypervnetworklabel": row.hyperv_label})


def provider_view(session: Session, row: NetworkServiceProviderRow, services: list[str]) -> dict[str, Any]:
    physical = session.get(PhysicalNetwork, row.physical_network_id)
    destination = (session.get(PhysicalNetwork, row.destination_physical_network_id)
                   if row.destination_physical_network_id else None)
    return _clean({"id": row.uuid, "name": row.provider_name, "physicalnetworkid": physical.uuid if physical else None,
                   "destinationphysicalnetworkid": destination.uuid if destination else None, "state": row.state,
                   "canenableindividualservice": row.provider_name in ("VirtualRouter", "VpcVirtualRouter"),
                   "servicelist": services})


def element_view(session: Session, element: VirtualRouterElement) -> dict[str, Any]:
    provider = session.get(NetworkServiceProviderRow, element.provider_id)
    return _clean({"id": element.uuid, "nspid": provider.uuid if provider else None, "enabled": element.enabled,
                   "account": "system", "domainid": _root_domain_uuid(session), "domain": "ROOT"})


def vlan_range_view(session: Session, public: VlanIpRange) -> dict[str, Any]:
    zone = session.get(Zone, public.zone_id)
    pod = session.get(Pod, public.pod_id) if public.pod_id else None
    account = session.get(Account, public.account_id) if public.account_id else None
    domain = session.get(Domain, public.domain_id) if public.domain_id else None
    network = session.get(Network, public.network_id) if public.network_id else None
    physical = session.get(PhysicalNetwork, public.physical_network_id) if public.physical_network_id else None
    vlan = "vlan://untagged" if public.vlan_tag == "untagged" else f"vlan://{public.vlan_tag}"
    return _clean({"id": public.uuid, "forvirtualnetwork": public.for_virtual_network,
                   "zoneid": zone.uuid if zone else None, "vlan": vlan, "account": account.name if account else None,
                   "domainid": domain.uuid if domain else None, "domain": domain.name if domain else None,
                   "podid": pod.uuid if pod else None, "podname": pod.name if pod else None,
                   "gateway": public.gateway, "netmask": public.netmask,
                   "description": f"{public.start_ip}-{public.end_ip}", "startip": public.start_ip,
                   "endip": public.end_ip, "networkid": network.uuid if network else None,
                   "physicalnetworkid": physical.uuid if physical else None})


def _root_domain_uuid(session: Session) -> str | None:
    return session.scalar(select(Domain.uuid).where(Domain.parent_id.is_(None)))


def _clean(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if value is not None}

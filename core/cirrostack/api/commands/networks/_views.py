"""How network offerings, guest networks, public IP addresses, NICs and routers look on the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, Domain
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import (
    Network,
    NetworkOffering,
    Nic,
    PhysicalNetwork,
    PublicIpAddress,
    Router,
    VlanIpRange,
)
from cirrostack.db.models.vpc import NetworkAclList, Vpc
from cirrostack.db.timestamps import to_api
from cirrostack.services.networks import offerings
from cirrostack.services.networks.service_network import netmask_of

_SERVICE = Field("service", "list", "the list of supported services", children=(
    Field("name", "string", "the service name"),
    Field("provider", "list", "the service provider name", children=(Field("name", "string", "the provider name"),)),
    Field("capability", "list", "the list of capabilities", children=(
        Field("name", "string", "the capability name"), Field("value", "string", "the capability value"),
        Field("canchooseservicecapability", "boolean", "can this service capability value can be choosable while "
                                                       "creatine network offerings"))),
))

NETWORK_OFFERING_RESPONSE = Response("networkoffering", (
    Field("id", "string", "the id of the network offering"),
    Field("name", "string", "the name of the network offering"),
    Field("displaytext", "string", "an alternate display text of the network offering."),
    Field("tags", "string", "the tags for the network offering"),
    Field("created", "date", "the date this network offering was created"),
    Field("traffictype", "string", "the traffic type for the network offering, supported types are Public, "
                                   "Management, Control, Guest, Vlan or Storage."),
    Field("isdefault", "boolean", "true if network offering is default, false otherwise"),
    Field("specifyvlan", "boolean", "true if network offering supports vlans, false otherwise"),
    Field("conservemode", "boolean", "true if network offering is ip conserve mode enabled"),
    Field("specifyipranges", "boolean", "true if network offering supports specifying ip ranges, false otherwise"),
    Field("availability", "string", "availability of the network offering"),
    Field("networkrate", "integer", "data transfer rate in megabits per second allowed."),
    Field("state", "string", "state of the network offering. Can be Disabled/Enabled/Inactive"),
    Field("guestiptype", "string", "guest type of the network offering, can be Shared or Isolated"),
    Field("serviceofferingid", "string", "the ID of the service offering used by virtual router provider"),
    _SERVICE,
    Field("forvpc", "boolean", "true if network offering can be used by VPC networks only"),
    Field("ispersistent", "boolean", "true if network offering supports persistent networks, false otherwise"),
    Field("egressdefaultpolicy", "boolean", "true if guest network default egress policy is allow; false if "
                                            "default egress policy is deny"),
    Field("maxconnections", "integer", "maximum number of concurrents connections to be handled by lb"),
), instance_type="NetworkOffering")

NETWORK_RESPONSE = Response("network", (
    Field("id", "string", "the id of the network"),
    Field("name", "string", "the name of the network"),
    Field("displaytext", "string", "the displaytext of the network"),
    Field("broadcastdomaintype", "string", "Broadcast domain type of the network"),
    Field("traffictype", "string", "the traffic type of the network"),
    Field("gateway", "string", "the network's gateway"),
    Field("netmask", "string", "the network's netmask"),
    Field("cidr", "string", "Cloudstack managed address space, all CloudStack managed VMs get IP address from CIDR"),
    Field("ip6gateway", "string", "the gateway of IPv6 network"),
    Field("ip6cidr", "string", "the cidr of IPv6 network"),
    Field("zoneid", "string", "zone id of the network"),
    Field("zonename", "string", "the name of the zone the network belongs to"),
    Field("networkofferingid", "string", "network offering id the network is created from"),
    Field("networkofferingname", "string", "name of the network offering the network is created from"),
    Field("networkofferingdisplaytext", "string", "display text of the network offering the network is created "
                                                  "from"),
    Field("networkofferingconservemode", "boolean", "true if network offering is ip conserve mode enabled"),
    Field("networkofferingavailability", "string", "availability of the network offering the network is created "
                                                   "from"),
    Field("issystem", "boolean", "true if network is system, false otherwise"),
    Field("state", "string", "state of the network"),
    Field("related", "string", "related to what other network configuration"),
    Field("broadcasturi", "string", "broadcast uri of the network. This parameter is visible to ROOT admins only"),
    Field("dns1", "string", "the first DNS for the network"),
    Field("dns2", "string", "the second DNS for the network"),
    Field("type", "string", "the type of the network"),
    Field("vlan", "string", "The vlan of the network. This parameter is visible to ROOT admins only"),
    Field("acltype", "string", "acl type - access type to the network"),
    Field("account", "string", "the owner of the network"),
    Field("domainid", "string", "the domain id of the network owner"),
    Field("domain", "string", "the domain name of the network owner"),
    Field("subdomainaccess", "boolean", "true if users from subdomains can access the domain level network"),
    _SERVICE,
    Field("networkdomain", "string", "the network domain"),
    Field("physicalnetworkid", "string", "the physical network id"),
    Field("restartrequired", "boolean", "true network requires restart"),
    Field("specifyipranges", "boolean", "true if network supports specifying ip ranges, false otherwise"),
    Field("canusefordeploy", "boolean", "list networks available for vm deployment"),
    Field("ispersistent", "boolean", "list networks that are persistent"),
    Field("displaynetwork", "boolean", "an optional field, whether to the display the network to the end user or "
                                       "not."),
    Field("isdefault", "boolean", "true if network is default, false otherwise"),
    Field("vpcid", "string", "VPC the network belongs to"),
    Field("aclid", "string", "ACL Id associated with the VPC network"),
), instance_type="Network")

IP_ADDRESS_RESPONSE = Response("ipaddress", (
    Field("id", "string", "public IP address id"),
    Field("ipaddress", "string", "public IP address"),
    Field("allocated", "date", "date the public IP address was acquired"),
    Field("zoneid", "string", "the ID of the zone the public IP address belongs to"),
    Field("zonename", "string", "the name of the zone the public IP address belongs to"),
    Field("issourcenat", "boolean", "true if the IP address is a source nat address, false otherwise"),
    Field("account", "string", "the account the public IP address is associated with"),
    Field("domainid", "string", "the domain ID the public IP address is associated with"),
    Field("domain", "string", "the domain the public IP address is associated with"),
    Field("forvirtualnetwork", "boolean", "the virtual network for the IP address"),
    Field("vlanid", "string", "the ID of the VLAN associated with the IP address. This parameter is visible to ROOT "
                              "admins only"),
    Field("vlanname", "string", "the VLAN associated with the IP address"),
    Field("isstaticnat", "boolean", "true if this ip is for static nat, false otherwise"),
    Field("issystem", "boolean", "true if this ip is system ip (was allocated as a part of deployVm or "
                                 "createLbRule)"),
    Field("virtualmachineid", "string", "virutal machine id the ip address is assigned to (not null only for static "
                                        "nat Ip)"),
    Field("vmipaddress", "string", "virutal machine (dnat) ip address (not null only for static nat Ip)"),
    Field("virtualmachinename", "string", "virutal machine name the ip address is assigned to (not null only for "
                                          "static nat Ip)"),
    Field("virtualmachinedisplayname", "string", "virutal machine display name the ip address is assigned to (not "
                                                 "null only for static nat Ip)"),
    Field("associatednetworkid", "string", "the ID of the Network associated with the IP address"),
    Field("associatednetworkname", "string", "the name of the Network associated with the IP address"),
    Field("state", "string", "State of the ip address. Can be: Allocatin, Allocated and Releasing"),
    Field("physicalnetworkid", "string", "the physical network this belongs to"),
    Field("purpose", "string", "purpose of the IP address. In Acton this value is not null for Ips with isSystem="
                               "true, and can have either StaticNat or LB value"),
    Field("isportable", "boolean", "is public IP portable across the zones"),
    Field("vpcid", "string", "VPC the ip belongs to"),
), instance_type="IpAddress")

NIC_RESPONSE = Response("nic", (
    Field("id", "string", "the ID of the nic"),
    Field("networkid", "string", "the ID of the corresponding network"),
    Field("networkname", "string", "the name of the corresponding network"),
    Field("netmask", "string", "the netmask of the nic"),
    Field("gateway", "string", "the gateway of the nic"),
    Field("ipaddress", "string", "the ip address of the nic"),
    Field("isolationuri", "string", "the isolation uri of the nic"),
    Field("broadcasturi", "string", "the broadcast uri of the nic"),
    Field("traffictype", "string", "the traffic type of the nic"),
    Field("type", "string", "the type of the nic"),
    Field("isdefault", "boolean", "true if nic is default, false otherwise"),
    Field("macaddress", "string", "true if nic is default, false otherwise"),
    Field("deviceid", "string", "device id for the network when plugged into the virtual machine"),
    Field("virtualmachineid", "string", "Id of the vm to which the nic belongs"),
), instance_type="Nic")

ROUTER_RESPONSE = Response("router", (
    Field("id", "string", "the id of the router"),
    Field("name", "string", "the name of the router"),
    Field("zoneid", "string", "the Zone ID for the router"),
    Field("zonename", "string", "the Zone name for the router"),
    Field("dns1", "string", "the first DNS for the router"),
    Field("dns2", "string", "the second DNS for the router"),
    Field("networkdomain", "string", "the network domain for the router"),
    Field("gateway", "string", "the gateway for the router"),
    Field("publicip", "string", "the public IP address for the router"),
    Field("guestipaddress", "string", "the guest IP address for the router"),
    Field("guestnetworkid", "string", "the ID of the corresponding guest network"),
    Field("created", "date", "the date and time the router was created"),
    Field("state", "state", "the state of the router"),
    Field("account", "string", "the account associated with the router"),
    Field("domainid", "string", "the domain ID associated with the router"),
    Field("domain", "string", "the domain associated with the router"),
    Field("role", "string", "role of the domain router"),
    Field("isredundantrouter", "boolean", "if this router is an redundant virtual router"),
    Field("redundantstate", "string", "the state of redundant virtual router"),
    Field("requiresupgrade", "boolean", "true if the router template requires upgrader"),
    Field("healthcheckfailed", "boolean", "true if the router's last health check found problems"),
    Field("healthproblems", "string", "what the router's last health check found broken"),
    Field("vpcid", "string", "VPC the router belongs to"),
    Field("vpcname", "string", "the name of VPC the router belongs to"),
    Field("nic", "set", "the list of nics associated with the router (a VPC router's: one per tier it serves)"),
), instance_type="DomainRouter")


def offering_view(session: Session, offering: NetworkOffering) -> dict[str, Any]:
    return _clean({
        "id": offering.uuid, "name": offering.name, "displaytext": offering.display_text, "tags": offering.tags,
        "created": to_api(offering.created), "traffictype": offering.traffic_type, "isdefault": offering.is_default,
        "specifyvlan": offering.specify_vlan, "conservemode": offering.conserve_mode,
        "specifyipranges": offering.specify_ip_ranges, "availability": offering.availability,
        "networkrate": offering.network_rate, "state": offering.state, "guestiptype": offering.guest_ip_type,
        "service": services_view(session, offering), "forvpc": offering.for_vpc,
        "ispersistent": offering.is_persistent, "egressdefaultpolicy": offering.egress_default_allow,
        "maxconnections": offering.max_connections})


def services_view(session: Session, offering: NetworkOffering) -> list[dict[str, Any]]:
    capabilities = offerings.capabilities_of(offering)
    return [{"name": service, "provider": [{"name": provider} for provider in providers],
             "capability": [{"name": name, "value": value, "canchooseservicecapability": False}
                            for name, value in capabilities.get(service, {}).items()]}
            for service, providers in offerings.services_of(session, offering).items()]


def network_view(session: Session, network: Network, is_root_admin: bool) -> dict[str, Any]:
    zone = session.get(Zone, network.zone_id)
    offering = session.get(NetworkOffering, network.network_offering_id)
    account = session.get(Account, network.account_id)
    domain = session.get(Domain, network.domain_id)
    physical = session.get(PhysicalNetwork, network.physical_network_id) if network.physical_network_id else None
    view = {
        "id": network.uuid, "name": network.name, "displaytext": network.display_text,
        "broadcastdomaintype": network.broadcast_domain_type, "traffictype": network.traffic_type,
        "gateway": network.gateway, "netmask": netmask_of(network.cidr or ""), "cidr": network.cidr,
        "ip6gateway": network.ip6_gateway, "ip6cidr": network.ip6_cidr, "zoneid": zone.uuid, "zonename": zone.name,
        "networkofferingid": offering.uuid, "networkofferingname": offering.name,
        "networkofferingdisplaytext": offering.display_text,
        "networkofferingconservemode": offering.conserve_mode,
        "networkofferingavailability": offering.availability, "issystem": False, "state": network.state,
        "related": network.uuid, "dns1": zone.dns1, "dns2": zone.dns2, "type": network.guest_type,
        "acltype": network.acl_type, "account": account.name if account else None,
        "domainid": domain.uuid if domain else None, "domain": domain.name if domain else None,
        "subdomainaccess": network.subdomain_access if network.acl_type == "Domain" else None,
        "service": services_view(session, offering), "networkdomain": network.network_domain,
        "physicalnetworkid": physical.uuid if physical else None, "restartrequired": network.restart_required,
        "specifyipranges": offering.specify_ip_ranges, "canusefordeploy": network.removed is None,
        "ispersistent": offering.is_persistent, "displaynetwork": network.display_network,
        "isdefault": network.is_default,
        "vpcid": session.get(Vpc, network.vpc_id).uuid if network.vpc_id is not None else None,
        "aclid": session.get(NetworkAclList, network.acl_id).uuid if network.acl_id is not None else None}
    if is_root_admin and network.broadcast_uri:
        view["broadcasturi"] = network.broadcast_uri
        view["vlan"] = network.broadcast_uri.partition("://")[2]
    return _clean(view)


def ip_address_view(session: Session, address: PublicIpAddress, is_root_admin: bool) -> dict[str, Any]:
    zone = session.get(Zone, address.zone_id)
    public = session.get(VlanIpRange, address.vlan_range_id)
    account = session.get(Account, address.account_id) if address.account_id else None
    domain = session.get(Domain, address.domain_id) if address.domain_id else None
    network = session.get(Network, address.network_id) if address.network_id else None
    vm = session.get(VirtualMachine, address.static_nat_vm_id) if address.static_nat_vm_id else None
    physical = session.get(PhysicalNetwork, public.physical_network_id) if public.physical_network_id else None
    vlan = "vlan://untagged" if public.vlan_tag == "untagged" else f"vlan://{public.vlan_tag}"
    return _clean({
        "id": address.uuid, "ipaddress": address.address, "allocated": to_api(address.allocated),
        "zoneid": zone.uuid, "zonename": zone.name, "issourcenat": address.is_source_nat,
        "account": account.name if account else None, "domainid": domain.uuid if domain else None,
        "domain": domain.name if domain else None, "forvirtualnetwork": public.for_virtual_network,
        "vlanid": public.uuid if is_root_admin else None, "vlanname": vlan if is_root_admin else None,
        "isstaticnat": vm is not None, "issystem": False, "virtualmachineid": vm.uuid if vm else None,
        "vmipaddress": address.static_nat_ip if vm else None, "virtualmachinename": vm.name if vm else None,
        "virtualmachinedisplayname": (vm.display_name or vm.name) if vm else None,
        "associatednetworkid": network.uuid if network else None,
        "associatednetworkname": network.name if network else None,
        "state": address.state, "physicalnetworkid": physical.uuid if physical else None,
        "purpose": "StaticNat" if vm is not None else None, "isportable": False,
        "vpcid": session.get(Vpc, address.vpc_id).uuid if address.vpc_id is not None else None})


def nic_view(session: Session, nic: Nic) -> dict[str, Any]:
    network = session.get(Network, nic.network_id)
    vm = session.get(VirtualMachine, nic.vm_id)
    return _clean({
        "id": nic.uuid, "networkid": network.uuid, "networkname": network.name, "netmask": nic.netmask,
        "gateway": nic.gateway, "ipaddress": nic.ip_address, "isolationuri": nic.broadcast_uri,
        "broadcasturi": nic.broadcast_uri, "traffictype": network.traffic_type, "type": network.guest_type,
        "isdefault": nic.is_default, "macaddress": nic.mac_address, "deviceid": str(nic.device_id),
        "virtualmachineid": vm.uuid if vm else None})


def vm_nic_view(nic: Any) -> dict[str, Any]:
    """One entry of a VM response's `nic` list, from a row of `services.networks.nics.nic_rows`."""
    return _clean({
        "id": nic.uuid, "networkid": nic.network_uuid, "networkname": nic.network_name, "netmask": nic.netmask,
        "gateway": nic.gateway, "ipaddress": nic.ip_address, "isolationuri": nic.broadcast_uri,
        "broadcasturi": nic.broadcast_uri, "traffictype": nic.traffic_type, "type": nic.guest_type,
        "isdefault": nic.is_default, "macaddress": nic.mac_address, "deviceid": str(nic.device_id)})


def router_view(session: Session, router: Router) -> dict[str, Any]:
    zone = session.get(Zone, router.zone_id)
    network = session.get(Network, router.network_id) if router.network_id is not None else None
    account = session.get(Account, router.account_id)
    domain = session.get(Domain, router.domain_id)
    return _clean({
        "id": router.uuid, "name": router.name, "zoneid": zone.uuid, "zonename": zone.name, "dns1": zone.dns1,
        "dns2": zone.dns2, "networkdomain": network.network_domain if network else None,
        "gateway": network.gateway if network else None, "publicip": router.public_ip,
        "guestipaddress": router.guest_ip, "guestnetworkid": network.uuid if network else None,
        "created": to_api(router.created), "state": router.state, "account": account.name if account else None,
        "domainid": domain.uuid if domain else None, "domain": domain.name if domain else None,
        "role": "VIRTUAL_ROUTER", "isredundantrouter": False, "redundantstate": "UNKNOWN",
        "requiresupgrade": False, "healthcheckfailed": bool(router.problems),
        "healthproblems": router.problems or None})


def _clean(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if value is not None}

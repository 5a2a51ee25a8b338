"""associateIpAddress, disassociateIpAddress and listPublicIpAddresses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.networks._views import IP_ADDRESS_RESPONSE, ip_address_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Account, Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, NetworkState, PhysicalNetwork, PublicIpAddress, VlanIpRange
from cirrostack.db.models.vpc import Vpc
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.networks import public_ips
from cirrostack.services.networks.apply import push_network
from cirrostack.services.vpc import addresses as vpc_addresses

_PACKAGE = "org.apache.cloudstack.api.command.user.address."
_RELATED = ("associateIpAddress", "listPublicIpAddresses", "disassociateIpAddress")

ASSOCIATE_IP = Command(
    "associateIpAddress", "Acquires and associates a public IP to an account.", response=IP_ADDRESS_RESPONSE,
    is_async=True, creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "AssociateIPAddrCmd", related=_RELATED,
    params=(Param("networkid", Uuid("Network"), "The network this ip address should be associated to."),
            Param("zoneid", Uuid("Zone"), "the ID of the availability zone you want to acquire an public IP address "
                                          "from"),
            Param("account", String(), "the account to associate with this IP address"),
            Param("domainid", Uuid("Domain"), "the ID of the domain to associate with this IP address"),
            Param("vpcid", Uuid("Vpc"), "the VPC you want the ip address to be associated with"),
            Param("isportable", Boolean(), "should be set to true if public IP is required to be transferable across "
                                           "zones, if not specified defaults to false"),
            Param("projectid", Uuid(), "Deploy vm for the project")))

DISASSOCIATE_IP = Command(
    "disassociateIpAddress", "Disassociates an ip address from the account.", kind=CommandKind.SUCCESS,
    is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "DisassociateIPAddrCmd",
    params=(Param("id", Uuid("IpAddress"), "the id of the public ip address to disassociate", required=True),))

LIST_PUBLIC_IPS = Command(
    "listPublicIpAddresses", "Lists all public ip addresses", kind=CommandKind.LIST,
    response=replace(IP_ADDRESS_RESPONSE, object_name="publicipaddress"),
    roles=ANY_ROLE, java_class=_PACKAGE + "ListPublicIpAddressesCmd", related=_RELATED,
    params=(Param("id", Uuid("IpAddress"), "lists ip address by id"),
            Param("ipaddress", String(), "lists the specified IP address"),
            Param("zoneid", Uuid("Zone"), "lists all public IP addresses by Zone ID"),
            Param("vlanid", Uuid("VlanIpRange"), "lists all public IP addresses by VLAN ID"),
            Param("associatednetworkid", Uuid("Network"), "lists all public IP addresses associated to the network "
                                                          "specified"),
            Param("physicalnetworkid", Uuid("PhysicalNetwork"), "lists all public IP addresses by physical network "
                                                                "id"),
            Param("allocatedonly", Boolean(), "limits search results to allocated public IP addresses"),
            Param("issourcenat", Boolean(), "list only source nat ip addresses"),
            Param("isstaticnat", Boolean(), "list only static nat ip addresses"),
            Param("forvirtualnetwork", Boolean(), "the virtual network for the IP address"),
            Param("forloadbalancing", Boolean(), "list only ips used for load balancing"),
            Param("vpcid", Uuid("Vpc"), "List ips belonging to the VPC"),
            Param("tags", String(), "List resources by tags (key/value pairs)"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@ASSOCIATE_IP.prepare
def prepare_associate(call: Call, networkid: Network | None = None, zoneid: Zone | None = None,
                      account: str | None = None, domainid: Domain | None = None, vpcid: Vpc | None = None,
                      isportable: bool = False, **_ignored: Any) -> str:
    if vpcid is not None:
        if networkid is not None:
            raise InvalidParameter("vpcid", "give vpcid or networkid, not both")
        return vpc_addresses.acquire_for_vpc(call.session, call.caller, vpcid).uuid
    if isportable:
        raise InvalidParameter("isportable", "portable public IPs are not available; acquire one per zone")
    if networkid is not None:
        owner = call.session.get(Account, networkid.account_id) if account is None else scope.acting_account(
            call.session, call.caller, account, domainid, "acquire addresses")
        public_ips.require_owner_network(networkid, owner)
        zone = call.session.get(Zone, networkid.zone_id)
    else:
        if zoneid is None:
            raise InvalidParameter("zoneid", "give networkid or zoneid")
        owner, zone = scope.acting_account(call.session, call.caller, account, domainid, "acquire addresses"), zoneid
    return public_ips.acquire(call.session, call.caller, owner=owner, zone=zone, network=networkid).uuid


@ASSOCIATE_IP.handler
def associate_ip(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    address = call.session.scalars(select(PublicIpAddress).where(PublicIpAddress.uuid == id)).one()
    return ip_address_view(call.session, address, call.caller.is_root_admin)


@DISASSOCIATE_IP.handler
def disassociate_ip(call: Call, id: PublicIpAddress) -> None:
    network = call.session.get(Network, id.network_id) if id.network_id is not None else None
    public_ips.release(call.session, call.caller, id)
    if network is not None and network.state == NetworkState.IMPLEMENTED.value:
        push_network(call.session, call.registry, call.secrets, network)  # the address and its rules leave the router


@LIST_PUBLIC_IPS.handler
def list_public_ips(call: Call, id: PublicIpAddress | None = None, ipaddress: str | None = None,
                    zoneid: Zone | None = None, vlanid: VlanIpRange | None = None,
                    associatednetworkid: Network | None = None, physicalnetworkid: PhysicalNetwork | None = None,
                    allocatedonly: bool = True, issourcenat: bool | None = None, isstaticnat: bool | None = None,
                    forvirtualnetwork: bool | None = None, keyword: str | None = None, account: str | None = None,
                    domainid: Domain | None = None, isrecursive: bool = False, listall: bool = False,
                    vpcid: Vpc | None = None, **_ignored: Any) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None)
    rows, count = public_ips.list_addresses(
        call.session, call.caller, owners, id=id, ipaddress=ipaddress, zone=zoneid, vlan=vlanid,
        network=associatednetworkid, allocatedonly=allocatedonly, issourcenat=issourcenat, isstaticnat=isstaticnat,
        forvirtualnetwork=forvirtualnetwork, physical_network_id=physicalnetworkid.id if physicalnetworkid else None,
        keyword=keyword, page=call.paging.page, pagesize=call.paging.pagesize,
        vpc_id=vpcid.id if vpcid is not None else None)
    return ListResult([ip_address_view(call.session, row, call.caller.is_root_admin) for row in rows], count)

"""createVlanIpRange, deleteVlanIpRange and listVlanIpRanges (root admin): public IP ranges of a zone."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cirrostack.api.commands.networks._infra_views import VLAN_RANGE_RESPONSE, vlan_range_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import Pod, Zone
from cirrostack.db.models.networks import Network, PhysicalNetwork, VlanIpRange
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.networks import public_ranges
from cirrostack.services.networks.physical import guest_physical_network

_PACKAGE = "org.apache.cloudstack.api.command.admin.vlan."
_RELATED = ("createVlanIpRange", "listVlanIpRanges", "deleteVlanIpRange")

CREATE_VLAN_IP_RANGE = Command(
    "createVlanIpRange", "Creates a VLAN IP range.", response=VLAN_RANGE_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "CreateVlanIpRangeCmd", related=_RELATED,
    params=(Param("zoneid", Uuid("Zone"), "the Zone ID of the VLAN IP range"),
            Param("podid", Uuid("Pod"), "optional parameter. Have to be specified for Direct Untagged vlan only."),
            Param("physicalnetworkid", Uuid("PhysicalNetwork"), "the physical network id"),
            Param("networkid", Uuid("Network"), "the network id"),
            Param("vlan", String(), "the ID or VID of the VLAN. If not specified, will be defaulted to the vlan of "
                                    "the network or if vlan of the network is null - to Untagged"),
            Param("gateway", String(), "the gateway of the VLAN IP range"),
            Param("netmask", String(), "the netmask of the VLAN IP range"),
            Param("startip", String(), "the beginning IP address in the VLAN IP range"),
            Param("endip", String(), "the ending IP address in the VLAN IP range"),
            Param("forvirtualnetwork", Boolean(), "true if VLAN is of Virtual type, false if Direct"),
            Param("account", String(), "account who will own the VLAN. If VLAN is Zone wide, this parameter should "
                                       "be ommited"),
            Param("domainid", Uuid("Domain"), "domain ID of the account owning a VLAN"),
            Param("projectid", Uuid(), "project who will own the VLAN. If VLAN is Zone wide, this parameter should "
                                       "be ommited"),
            Param("startipv6", String(), "the beginning IPv6 address in the IPv6 network range"),
            Param("endipv6", String(), "the ending IPv6 address in the IPv6 network range"),
            Param("ip6gateway", String(), "the gateway of the IPv6 network. Required for Shared networks and Isolated "
                                          "networks when it belongs to VPC"),
            Param("ip6cidr", String(), "the CIDR of IPv6 network, must be at least /64")))

DELETE_VLAN_IP_RANGE = Command(
    "deleteVlanIpRange", "Creates a VLAN IP range.", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeleteVlanIpRangeCmd",
    params=(Param("id", Uuid("VlanIpRange"), "the id of the VLAN IP range", required=True),))

LIST_VLAN_IP_RANGES = Command(
    "listVlanIpRanges", "Lists all VLAN IP ranges.", kind=CommandKind.LIST,
    response=replace(VLAN_RANGE_RESPONSE, object_name="vlaniprange"),
    roles=ROOT_ADMIN, java_class=_PACKAGE + "ListVlanIpRangesCmd", related=_RELATED,
    params=(Param("id", Uuid("VlanIpRange"), "the ID of the VLAN IP range"),
            Param("zoneid", Uuid("Zone"), "the Zone ID of the VLAN IP range"),
            Param("podid", Uuid("Pod"), "the Pod ID of the VLAN IP range"),
            Param("vlan", String(), "the ID or VID of the VLAN. Default is an \"untagged\" VLAN."),
            Param("networkid", Uuid("Network"), "network id of the VLAN IP range"),
            Param("physicalnetworkid", Uuid("PhysicalNetwork"), "physical network id of the VLAN IP range"),
            Param("forvirtualnetwork", Boolean(), "true if VLAN is of Virtual type, false if Direct"),
            Param("account", String(), "the account with which the VLAN IP range is associated. Must be used with "
                                       "the domainId parameter."),
            Param("domainid", Uuid("Domain"), "the domain ID with which the VLAN IP range is associated.  If used "
                                              "with the account parameter, returns all VLAN IP ranges for that "
                                              "account in the specified domain."),
            *LIST_PARAMS))


@CREATE_VLAN_IP_RANGE.handler
def create_vlan_ip_range(call: Call, zoneid: Zone | None = None, podid: Pod | None = None,
                         physicalnetworkid: PhysicalNetwork | None = None, networkid: Network | None = None,
                         vlan: str | None = None, gateway: str | None = None, netmask: str | None = None,
                         startip: str | None = None, endip: str | None = None, forvirtualnetwork: bool = True,
                         account: str | None = None, domainid: Domain | None = None,
                         **_ipv6: Any) -> dict[str, Any]:
    zone = zoneid or (call.session.get(Zone, networkid.zone_id) if networkid else None)
    if zone is None:
        raise InvalidParameter("zoneid", "give the zone (or the network) the range belongs to")
    if not forvirtualnetwork:
        raise InvalidParameter("forvirtualnetwork", "direct ranges are created with createNetwork (startip/endip) "
                                                    "of a Shared network; only public ranges are created here")
    for param, value in (("gateway", gateway), ("netmask", netmask), ("startip", startip)):
        if value is None:
            raise InvalidParameter(param, "is required for a public range")
    owner = scope.find_account(call.session, call.caller, account, domainid) if account else None
    if owner is None and domainid is not None:
        raise InvalidParameter("domainid", "give account together with domainid to dedicate the range")
    public = public_ranges.create_public_range(
        call.session, call.caller, zone=zone, gateway=gateway, netmask=netmask, startip=startip, endip=endip,
        vlan=vlan, pod=podid, physical=physicalnetworkid or guest_physical_network(call.session, zone.id),
        owner=owner)
    return vlan_range_view(call.session, public)


@DELETE_VLAN_IP_RANGE.handler
def delete_vlan_ip_range(call: Call, id: VlanIpRange) -> None:
    public_ranges.delete_range(call.session, call.caller, id)


@LIST_VLAN_IP_RANGES.handler
def list_vlan_ip_ranges(call: Call, id: VlanIpRange | None = None, zoneid: Zone | None = None,
                        podid: Pod | None = None, vlan: str | None = None, networkid: Network | None = None,
                        physicalnetworkid: PhysicalNetwork | None = None, forvirtualnetwork: bool | None = None,
                        account: str | None = None, domainid: Domain | None = None, keyword: str | None = None,
                        **_ignored: Any) -> ListResult:
    owner = scope.find_account(call.session, call.caller, account, domainid) if account else None
    rows, count = public_ranges.list_ranges(call.session, call.caller, id=id, zone=zoneid, pod=podid,
                                            physical=physicalnetworkid, network=networkid, vlan=vlan,
                                            forvirtualnetwork=forvirtualnetwork, owner=owner, keyword=keyword,
                                            page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([vlan_range_view(call.session, row) for row in rows], count)

"""createNetwork, updateNetwork, restartNetwork, deleteNetwork and listNetworks."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.networks._views import NETWORK_RESPONSE, network_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, ListOf, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import Network, NetworkOffering, PhysicalNetwork
from cirrostack.db.models.vpc import NetworkAclList, Vpc
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.networks import guest_networks, lifecycle

_PACKAGE = "org.apache.cloudstack.api.command.user.network."
_RELATED = ("createNetwork", "listNetworks", "updateNetwork", "restartNetwork", "deleteNetwork")

CREATE_NETWORK = Command(
    "createNetwork", "Creates a network", response=NETWORK_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "CreateNetworkCmd", related=_RELATED,
    params=(Param("name", String(), "the name of the network", required=True),
            Param("displaytext", String(), "the display text of the network", required=True),
            Param("networkofferingid", Uuid("NetworkOffering"), "the network offering id", required=True),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the network", required=True),
            Param("physicalnetworkid", Uuid("PhysicalNetwork"), "the Physical Network ID the network belongs to"),
            Param("gateway", String(), "the gateway of the network. Required for Shared networks and Isolated "
                                       "networks when it belongs to VPC"),
            Param("netmask", String(), "the netmask of the network. Required for Shared networks and Isolated "
                                       "networks when it belongs to VPC"),
            Param("startip", String(), "the beginning IP address in the network IP range"),
            Param("endip", String(), "the ending IP address in the network IP range. If not specified, will be "
                                     "defaulted to startIP"),
            Param("vlan", String(), "the ID or VID of the network"),
            Param("networkdomain", String(), "network domain"),
            Param("acltype", String(), "Access control type; supported values are account and domain. In 3.0 all "
                                       "shared networks should have aclType=Domain, and all Isolated networks - "
                                       "Account. Account means that only the account owner can use the network, "
                                       "domain - all accouns in the domain can use the network"),
            Param("account", String(), "account who will own the network"),
            Param("domainid", Uuid("Domain"), "domain ID of the account owning a network"),
            Param("subdomainaccess", Boolean(), "Defines whether to allow subdomains to use networks dedicated to "
                                                "their parent domain(s). Should be used with aclType=Domain, "
                                                "defaulted to allow.subdomain.network.access global config if not "
                                                "specified"),
            Param("isolatedpvlan", String(), "the isolated private vlan for this network"),
            Param("ip6gateway", String(), "the gateway of the IPv6 network. Required for Shared networks"),
            Param("ip6cidr", String(), "the CIDR of IPv6 network, must be at least /64"),
            Param("startipv6", String(), "the beginning IPv6 address in the IPv6 network range"),
            Param("endipv6", String(), "the ending IPv6 address in the IPv6 network range"),
            Param("displaynetwork", Boolean(), "an optional field, whether to the display the network to the end "
                                               "user or not."),
            Param("vpcid", Uuid("Vpc"), "the VPC network belongs to"),
            Param("aclid", Uuid("NetworkACLList"), "Network ACL Id associated for the network")))

UPDATE_NETWORK = Command(
    "updateNetwork", "Updates a network", response=NETWORK_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "UpdateNetworkCmd", related=_RELATED,
    params=(Param("id", Uuid("Network"), "the ID of the network", required=True),
            Param("name", String(), "the new name for the network"),
            Param("displaytext", String(), "the new display text for the network"),
            Param("networkdomain", String(), "network domain"),
            Param("networkofferingid", Uuid("NetworkOffering"), "network offering ID"),
            Param("changecidr", Boolean(), "Force update even if cidr type is different"),
            Param("guestvmcidr", String(), "CIDR for Guest VMs,Cloudstack allocates IPs to Guest VMs only from this "
                                           "CIDR"),
            Param("displaynetwork", Boolean(), "an optional field, whether to the display the network to the end "
                                               "user or not.")))

RESTART_NETWORK = Command(
    "restartNetwork", "Restarts the network; includes 1) restarting network elements - virtual routers, dhcp "
                      "servers 2) reapplying all public ips 3) reapplying loadBalancing/portForwarding rules",
    response=NETWORK_RESPONSE, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "RestartNetworkCmd",
    params=(Param("id", Uuid("Network"), "The id of the network to restart.", required=True),
            Param("cleanup", Boolean(), "If cleanup old network elements")))

DELETE_NETWORK = Command(
    "deleteNetwork", "Deletes a network", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteNetworkCmd",
    params=(Param("id", Uuid("Network"), "the ID of the network", required=True),
            Param("forced", Boolean(), "Force delete a network. Network will be marked as 'Destroy' even when "
                                       "commands to shutdown and cleanup to the backend fails.")))

LIST_NETWORKS = Command(
    "listNetworks", "Lists all available networks.", kind=CommandKind.LIST, response=NETWORK_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListNetworksCmd", related=_RELATED,
    params=(Param("id", Uuid("Network"), "list networks by id"),
            Param("zoneid", Uuid("Zone"), "the Zone ID of the network"),
            Param("type", String(), "the type of the network. Supported values are: Isolated and Shared"),
            Param("isdefault", Boolean(), "true if network is default, false otherwise"),
            Param("issystem", Boolean(), "true if network is system, false otherwise"),
            Param("acltype", String(), "list networks by ACL (access control list) type. Supported values are "
                                       "Account and Domain"),
            Param("traffictype", String(), "type of the traffic"),
            Param("physicalnetworkid", Uuid("PhysicalNetwork"), "list networks by physical network id"),
            Param("supportedservices", ListOf(), "list networks supporting certain services"),
            Param("restartrequired", Boolean(), "list networks by restartRequired"),
            Param("specifyipranges", Boolean(), "true if need to list only networks which support specifying ip "
                                                "ranges"),
            Param("vpcid", Uuid("Vpc"), "List networks by VPC"),
            Param("canusefordeploy", Boolean(), "list networks available for vm deployment"),
            Param("forvpc", Boolean(), "the network belongs to vpc"),
            Param("displaynetwork", Boolean(), "list resources by display flag; only ROOT admin is eligible to pass "
                                               "this parameter"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@CREATE_NETWORK.handler
def create_network(call: Call, zoneid: Zone, networkofferingid: NetworkOffering, name: str, displaytext: str,
                   physicalnetworkid: PhysicalNetwork | None = None, account: str | None = None,
                   domainid: Domain | None = None, startipv6: str | None = None, endipv6: str | None = None,
                   vpcid: Vpc | None = None, aclid: NetworkAclList | None = None,
                   **fields: Any) -> dict[str, Any]:
    owner = scope.acting_account(call.session, call.caller, account, domainid, "create networks")
    network = guest_networks.create_network(call.session, call.caller, call.registry, owner=owner, zone=zoneid,
                                            offering=networkofferingid, name=name, displaytext=displaytext,
                                            physical=physicalnetworkid, vpc=vpcid, acl=aclid, **fields)
    return network_view(call.session, network, call.caller.is_root_admin)


@UPDATE_NETWORK.handler
def update_network(call: Call, id: Network, networkofferingid: NetworkOffering | None = None,
                   changecidr: bool | None = None, guestvmcidr: str | None = None, **changes: Any) -> dict[str, Any]:
    guest_networks.update_network(call.session, call.caller, id, **changes)
    if networkofferingid is not None:
        lifecycle.change_offering(call.session, call.caller, call.registry, call.secrets, id, networkofferingid)
    return network_view(call.session, id, call.caller.is_root_admin)


@RESTART_NETWORK.handler
def restart_network(call: Call, id: Network, cleanup: bool = False) -> dict[str, Any]:
    lifecycle.restart_network(call.session, call.caller, call.registry, call.secrets, id, cleanup)
    return network_view(call.session, id, call.caller.is_root_admin)


@DELETE_NETWORK.handler
def delete_network(call: Call, id: Network, forced: bool = False) -> None:
    lifecycle.delete_network(call.session, call.caller, call.registry, call.secrets, id, forced)


@LIST_NETWORKS.handler
def list_networks(call: Call, id: Network | None = None, zoneid: Zone | None = None, type: str | None = None,
                  acltype: str | None = None, traffictype: str | None = None,
                  physicalnetworkid: PhysicalNetwork | None = None, supportedservices: list[str] | None = None,
                  restartrequired: bool | None = None, canusefordeploy: bool | None = None,
                  issystem: bool | None = None, forvpc: bool | None = None, vpcid: Vpc | None = None,
                  keyword: str | None = None,
                  account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
                  listall: bool = False, **_ignored: Any) -> ListResult:
    if issystem:
        return ListResult([], 0)
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None)
    rows, count = guest_networks.list_networks(
        call.session, call.caller, owners, id=id, zone=zoneid, physical=physicalnetworkid, guest_type=type,
        acltype=acltype, traffictype=traffictype, supportedservices=supportedservices,
        restartrequired=restartrequired, canusefordeploy=canusefordeploy, keyword=keyword, page=call.paging.page,
        pagesize=call.paging.pagesize, vpc=vpcid, forvpc=forvpc)
    return ListResult([network_view(call.session, row, call.caller.is_root_admin) for row in rows], count)

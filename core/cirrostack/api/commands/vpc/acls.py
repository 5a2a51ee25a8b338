"""Network ACL lists and their rules: createNetworkACLList, deleteNetworkACLList, listNetworkACLLists,
createNetworkACL, deleteNetworkACL, listNetworkACLs and replaceNetworkACLList."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Integer, ListOf, String, Uuid
from cirrostack.db.models.networks import Network
from cirrostack.db.models.vpc import NetworkAclItem, NetworkAclList, Vpc
from cirrostack.errors import InvalidParameter
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vpc import acls

_PACKAGE = "org.apache.cloudstack.api.command.user.network."
_RELATED = ("createNetworkACLList", "listNetworkACLLists", "deleteNetworkACLList", "replaceNetworkACLList",
            "createNetworkACL", "listNetworkACLs", "deleteNetworkACL")

ACL_LIST_RESPONSE = Response("networkacllist", (
    Field("id", "string", "the ID of the ACL"),
    Field("name", "string", "the Name of the ACL"),
    Field("description", "string", "Description of the ACL"),
    Field("vpcid", "string", "Id of the VPC this ACL is associated with"),
), instance_type="NetworkAcl")

ACL_ITEM_RESPONSE = Response("networkacl", (
    Field("id", "string", "the ID of the ACL Item"),
    Field("protocol", "string", "the protocol of the ACL"),
    Field("startport", "string", "the starting port of ACL's port range"),
    Field("endport", "string", "the ending port of ACL's port range"),
    Field("traffictype", "string", "the traffic type for the ACL"),
    Field("state", "string", "the state of the rule"),
    Field("cidrlist", "string", "the cidr list to forward traffic from"),
    Field("icmptype", "integer", "type of the icmp message being sent"),
    Field("icmpcode", "integer", "error code for this icmp message"),
    Field("aclid", "string", "the ID of the ACL this item belongs to"),
    Field("number", "integer", "Number of the ACL Item"),
    Field("action", "string", "Action of ACL Item. Allow/Deny"),
), instance_type="NetworkAclItem")

CREATE_ACL_LIST = Command(
    "createNetworkACLList", "Creates a Network ACL for the given VPC", response=ACL_LIST_RESPONSE, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "CreateNetworkACLListCmd", related=_RELATED,
    params=(Param("name", String(), "Name of the network ACL List", required=True),
            Param("description", String(), "Description of the network ACL List"),
            Param("vpcid", Uuid("Vpc"), "Id of the VPC associated with this network ACL List", required=True)))

DELETE_ACL_LIST = Command(
    "deleteNetworkACLList", "Deletes a Network ACL", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteNetworkACLListCmd",
    params=(Param("id", Uuid("NetworkACLList"), "the ID of the network ACL", required=True),))

LIST_ACL_LISTS = Command(
    "listNetworkACLLists", "Lists all network ACLs", kind=CommandKind.LIST, response=ACL_LIST_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListNetworkACLListsCmd", related=_RELATED,
    params=(Param("id", Uuid("NetworkACLList"), "Lists network ACL with the specified ID."),
            Param("networkid", Uuid("Network"), "list network ACLs by network Id"),
            Param("vpcid", Uuid("Vpc"), "list network ACLs by Vpc Id"),
            Param("name", String(), "list network ACLs by specified name"),
            *LIST_PARAMS))

CREATE_ACL_ITEM = Command(
    "createNetworkACL", "Creates a ACL rule in the given network (the network has to belong to VPC)",
    response=ACL_ITEM_RESPONSE, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "CreateNetworkACLCmd",
    related=_RELATED,
    params=(Param("protocol", String(), "the protocol for the ACL rule. Valid values are TCP/UDP/ICMP/ALL",
                  required=True),
            Param("startport", Integer(), "the starting port of ACL"),
            Param("endport", Integer(), "the ending port of ACL"),
            Param("cidrlist", ListOf(), "the cidr list to allow traffic from/to"),
            Param("icmptype", Integer(), "type of the icmp message being sent"),
            Param("icmpcode", Integer(), "error code for this icmp message"),
            Param("networkid", Uuid("Network"), "The network of the vm the ACL will be created for"),
            Param("aclid", Uuid("NetworkACLList"), "The network ACL list the rule is created in"),
            Param("traffictype", String(), "the traffic type for the ACL,can be Ingress or Egress, defaulted to "
                                           "Ingress if not specified"),
            Param("number", Integer(), "The number of the ACL item, its ordering"),
            Param("action", String(), "scl entry action, allow or deny")))

DELETE_ACL_ITEM = Command(
    "deleteNetworkACL", "Deletes a Network ACL", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteNetworkACLCmd",
    params=(Param("id", Uuid("NetworkACL"), "the ID of the network ACL", required=True),))

LIST_ACL_ITEMS = Command(
    "listNetworkACLs", "Lists all network ACL items", kind=CommandKind.LIST, response=ACL_ITEM_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListNetworkACLsCmd", related=_RELATED,
    params=(Param("id", Uuid("NetworkACL"), "Lists network ACL Item with the specified ID"),
            Param("networkid", Uuid("Network"), "list network ACL Items by network Id"),
            Param("traffictype", String(), "list network ACL Items by traffic type - Ingress or Egress"),
            Param("aclid", Uuid("NetworkACLList"), "list network ACL Items by ACL Id"),
            Param("protocol", String(), "list network ACL Items by Protocol"),
            Param("action", String(), "list network ACL Items by Action"),
            *LIST_PARAMS))

REPLACE_ACL_LIST = Command(
    "replaceNetworkACLList", "Replaces ACL associated with a Network or private gateway",
    kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "ReplaceNetworkACLListCmd",
    params=(Param("aclid", Uuid("NetworkACLList"), "the ID of the network ACL", required=True),
            Param("networkid", Uuid("Network"), "the ID of the network", required=True)))


def acl_list_view(session: Session, acl: NetworkAclList) -> dict[str, Any]:
    vpc = session.get(Vpc, acl.vpc_id) if acl.vpc_id is not None else None
    view = {"id": acl.uuid, "name": acl.name, "description": acl.description}
    if vpc is not None:
        view["vpcid"] = vpc.uuid
    return view


def acl_item_view(session: Session, item: NetworkAclItem) -> dict[str, Any]:
    view = {"id": item.uuid, "protocol": item.protocol, "traffictype": item.traffic_type, "state": item.state,
            "cidrlist": item.cidrs, "aclid": session.get(NetworkAclList, item.acl_id).uuid, "number": item.number,
            "action": item.action, "startport": item.start_port, "endport": item.end_port,
            "icmptype": item.icmp_type, "icmpcode": item.icmp_code}
    return {key: value for key, value in view.items() if value is not None}


@CREATE_ACL_LIST.handler
def create_acl_list(call: Call, name: str, vpcid: Vpc, description: str | None = None) -> dict[str, Any]:
    return acl_list_view(call.session, acls.create_list(call.session, call.caller, vpcid, name, description))


@DELETE_ACL_LIST.handler
def delete_acl_list(call: Call, id: NetworkAclList) -> None:
    acls.delete_list(call.session, call.caller, id)


@LIST_ACL_LISTS.handler
def list_acl_lists(call: Call, id: NetworkAclList | None = None, networkid: Network | None = None,
                   vpcid: Vpc | None = None, name: str | None = None, keyword: str | None = None,
                   **_ignored: Any) -> ListResult:
    rows, count = acls.list_lists(call.session, call.caller, id=id, name=name, vpc=vpcid, network=networkid,
                                  keyword=keyword, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([acl_list_view(call.session, row) for row in rows], count)


@CREATE_ACL_ITEM.handler
def create_acl_item(call: Call, protocol: str, networkid: Network | None = None,
                    aclid: NetworkAclList | None = None, cidrlist: list[str] | None = None,
                    **fields: Any) -> dict[str, Any]:
    if aclid is None:
        if networkid is None:
            raise InvalidParameter("aclid", "give aclid, or networkid of a VPC tier")
        if networkid.vpc_id is None:
            raise InvalidParameter("networkid", f"network {networkid.name} is not a VPC tier")
        aclid = call.session.get(NetworkAclList, networkid.acl_id) if networkid.acl_id else \
            acls.default_deny(call.session)
    item = acls.create_item(call.session, call.caller, call.registry, call.secrets, aclid, protocol=protocol,
                            cidrs=cidrlist, **fields)
    return acl_item_view(call.session, item)


@DELETE_ACL_ITEM.handler
def delete_acl_item(call: Call, id: NetworkAclItem) -> None:
    acls.delete_item(call.session, call.caller, call.registry, call.secrets, id)


@LIST_ACL_ITEMS.handler
def list_acl_items(call: Call, id: NetworkAclItem | None = None, networkid: Network | None = None,
                   aclid: NetworkAclList | None = None, traffictype: str | None = None, protocol: str | None = None,
                   action: str | None = None, **_ignored: Any) -> ListResult:
    rows, count = acls.list_items(call.session, call.caller, id=id, acl=aclid, network=networkid,
                                  traffictype=traffictype, action=action, protocol=protocol, page=call.paging.page,
                                  pagesize=call.paging.pagesize)
    return ListResult([acl_item_view(call.session, row) for row in rows], count)


@REPLACE_ACL_LIST.handler
def replace_acl_list(call: Call, aclid: NetworkAclList, networkid: Network) -> None:
    acls.replace_list(call.session, call.caller, call.registry, call.secrets, aclid, networkid)

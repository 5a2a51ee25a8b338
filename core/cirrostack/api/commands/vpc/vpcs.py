"""createVPC, listVPCs, updateVPC, deleteVPC and restartVPC."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.vpc._views import VPC_RESPONSE, vpc_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.vpc import Vpc, VpcOffering
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.vpc import vpcs

_PACKAGE = "org.apache.cloudstack.api.command.user.vpc."
_RELATED = ("createVPC", "listVPCs", "updateVPC", "deleteVPC", "restartVPC")

CREATE_VPC = Command(
    "createVPC", "Creates a VPC", response=VPC_RESPONSE, is_async=True, creates=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "CreateVPCCmd", related=_RELATED,
    params=(Param("name", String(), "the name of the VPC", required=True),
            Param("displaytext", String(), "the display text of the VPC", required=True),
            Param("cidr", String(), "the cidr of the VPC. All VPC guest networks' cidrs should be within this CIDR",
                  required=True),
            Param("vpcofferingid", Uuid("VpcOffering"), "the ID of the VPC offering", required=True),
            Param("zoneid", Uuid("Zone"), "the ID of the availability zone", required=True),
            Param("networkdomain", String(), "VPC network domain. All networks inside the VPC will belong to this "
                                             "domain"),
            Param("account", String(), "the account associated with the VPC. Must be used with the domainId "
                                       "parameter."),
            Param("domainid", Uuid("Domain"), "the domain ID associated with the VPC. If used with the account "
                                              "parameter returns the VPC associated with the account for the "
                                              "specified domain."),
            Param("projectid", Uuid(), "create VPC for the project"),
            Param("start", Boolean(), "If set to false, the VPC won't start (VPC VR will not get allocated) until "
                                      "its first network gets implemented. True by default.")))

UPDATE_VPC = Command(
    "updateVPC", "Updates a VPC", response=VPC_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "UpdateVPCCmd", related=_RELATED,
    params=(Param("id", Uuid("Vpc"), "the id of the VPC", required=True),
            Param("name", String(), "the name of the VPC"),
            Param("displaytext", String(), "the display text of the VPC")))

DELETE_VPC = Command(
    "deleteVPC", "Deletes a VPC", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteVPCCmd",
    params=(Param("id", Uuid("Vpc"), "the ID of the VPC", required=True),))

RESTART_VPC = Command(
    "restartVPC", "Restarts a VPC", response=VPC_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "RestartVPCCmd", related=_RELATED,
    params=(Param("id", Uuid("Vpc"), "the id of the VPC", required=True),))

LIST_VPCS = Command(
    "listVPCs", "Lists VPCs", kind=CommandKind.LIST, response=VPC_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "ListVPCsCmd", related=_RELATED,
    params=(Param("id", Uuid("Vpc"), "list VPC by id"),
            Param("zoneid", Uuid("Zone"), "list by zone"),
            Param("name", String(), "list by name of the VPC"),
            Param("displaytext", String(), "List by display text of the VPC"),
            Param("cidr", String(), "list by cidr of the VPC. All VPC guest networks' cidrs should be within this "
                                    "CIDR"),
            Param("vpcofferingid", Uuid("VpcOffering"), "list by ID of the VPC offering"),
            Param("state", String(), "list VPCs by state"),
            Param("restartrequired", Boolean(), "list VPCs by restartRequired option"),
            Param("supportedservices", String(), "list VPC supporting certain services"),
            Param("tags", String(), "List resources by tags (key/value pairs)"),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@CREATE_VPC.prepare
def prepare_create_vpc(call: Call, name: str, displaytext: str, cidr: str, vpcofferingid: VpcOffering, zoneid: Zone,
                       networkdomain: str | None = None, account: str | None = None, domainid: Domain | None = None,
                       **_ignored: Any) -> str:
    owner = scope.acting_account(call.session, call.caller, account, domainid, "create VPCs")
    vpc = vpcs.create_vpc(call.session, call.caller, call.registry, owner=owner, zone=zoneid,
                          offering=vpcofferingid, name=name, displaytext=displaytext, cidr=cidr,
                          networkdomain=networkdomain)
    return vpc.uuid


@CREATE_VPC.handler
def create_vpc(call: Call, id: str, start: bool = True, **_arguments: Any) -> dict[str, Any]:
    vpc = call.session.scalars(select(Vpc).where(Vpc.uuid == id)).one()
    if start:
        vpc = vpcs.start_new_vpc(call.session, call.caller, call.registry, vpc)
    return vpc_view(call.session, vpc, call.caller.is_root_admin)


@UPDATE_VPC.handler
def update_vpc(call: Call, id: Vpc, name: str | None = None, displaytext: str | None = None) -> dict[str, Any]:
    vpcs.update_vpc(call.session, call.caller, id, name=name, displaytext=displaytext)
    return vpc_view(call.session, id, call.caller.is_root_admin)


@DELETE_VPC.handler
def delete_vpc(call: Call, id: Vpc) -> None:
    vpcs.delete_vpc(call.session, call.caller, call.registry, id)


@RESTART_VPC.handler
def restart_vpc(call: Call, id: Vpc) -> dict[str, Any]:
    vpcs.restart_vpc(call.session, call.caller, call.registry, call.secrets, id)
    return vpc_view(call.session, id, call.caller.is_root_admin)


@LIST_VPCS.handler
def list_vpcs(call: Call, id: Vpc | None = None, zoneid: Zone | None = None, vpcofferingid: VpcOffering | None = None,
              account: str | None = None, domainid: Domain | None = None, isrecursive: bool = False,
              listall: bool = False, keyword: str | None = None, supportedservices: str | None = None,
              tags: str | None = None, page: int | None = None, pagesize: int | None = None,
              **filters: Any) -> ListResult:
    del page, pagesize  # in call.paging
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None)
    rows, count = vpcs.list_vpcs(call.session, call.caller, owners, id=id, zone=zoneid, offering=vpcofferingid,
                                 keyword=keyword, page=call.paging.page, pagesize=call.paging.pagesize, **filters)
    return ListResult([vpc_view(call.session, row, call.caller.is_root_admin) for row in rows], count)

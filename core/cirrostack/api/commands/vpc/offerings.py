"""listVPCOfferings, and createVPCOffering, updateVPCOffering, deleteVPCOffering for the root admin."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vpc._views import VPC_OFFERING_RESPONSE, vpc_offering_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, ListOf, Map, String, Uuid
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.vpc import VpcOffering
from cirrostack.services.context import ANY_ROLE, ROOT_ADMIN
from cirrostack.services.vpc import offerings

_PACKAGE = "org.apache.cloudstack.api.command.admin.vpc."
_RELATED = ("createVPCOffering", "listVPCOfferings", "updateVPCOffering", "deleteVPCOffering")

CREATE_VPC_OFFERING = Command(
    "createVPCOffering", "Creates VPC offering", response=VPC_OFFERING_RESPONSE, is_async=True, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "CreateVPCOfferingCmd", related=_RELATED,
    params=(Param("name", String(), "the name of the vpc offering", required=True),
            Param("displaytext", String(), "the display text of the vpc offering", required=True),
            Param("supportedservices", ListOf(), "services supported by the vpc offering", required=True),
            Param("serviceproviderlist", Map(), "provider to service mapping. If not specified, the provider for the "
                                                "service will be mapped to the default provider on the physical "
                                                "network"),
            Param("serviceofferingid", Uuid("ServiceOffering"), "the ID of the service offering for the VPC router "
                                                                "appliance")))

UPDATE_VPC_OFFERING = Command(
    "updateVPCOffering", "Updates VPC offering", response=VPC_OFFERING_RESPONSE, is_async=True, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateVPCOfferingCmd", related=_RELATED,
    params=(Param("id", Uuid("VpcOffering"), "the id of the VPC offering", required=True),
            Param("name", String(), "the name of the VPC offering"),
            Param("displaytext", String(), "the display text of the VPC offering"),
            Param("state", String(), "update state for the VPC offering; supported states - Enabled/Disabled")))

DELETE_VPC_OFFERING = Command(
    "deleteVPCOffering", "Deletes VPC offering", kind=CommandKind.SUCCESS, is_async=True, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeleteVPCOfferingCmd",
    params=(Param("id", Uuid("VpcOffering"), "the ID of the VPC offering", required=True),))

LIST_VPC_OFFERINGS = Command(
    "listVPCOfferings", "Lists VPC offerings", kind=CommandKind.LIST, response=VPC_OFFERING_RESPONSE,
    roles=ANY_ROLE, java_class="org.apache.cloudstack.api.command.user.vpc.ListVPCOfferingsCmd", related=_RELATED,
    params=(Param("id", Uuid("VpcOffering"), "list VPC offerings by id"),
            Param("name", String(), "list VPC offerings by name"),
            Param("displaytext", String(), "list VPC offerings by display text"),
            Param("isdefault", Boolean(), "true if need to list only default VPC offerings. Default value is false"),
            Param("supportedservices", ListOf(), "list VPC offerings supporting certain services"),
            Param("state", String(), "list VPC offerings by state"),
            *LIST_PARAMS))


@CREATE_VPC_OFFERING.handler
def create_vpc_offering(call: Call, name: str, displaytext: str, supportedservices: list[str],
                        serviceproviderlist: list[dict] | None = None,
                        serviceofferingid: ServiceOffering | None = None) -> dict[str, Any]:
    offering = offerings.create_offering(call.session, call.caller, call.registry, name=name,
                                         displaytext=displaytext, supportedservices=supportedservices,
                                         serviceproviderlist=serviceproviderlist, service_offering=serviceofferingid)
    return vpc_offering_view(call.session, offering)


@UPDATE_VPC_OFFERING.handler
def update_vpc_offering(call: Call, id: VpcOffering, **changes: Any) -> dict[str, Any]:
    return vpc_offering_view(call.session, offerings.update_offering(call.session, call.caller, id, **changes))


@DELETE_VPC_OFFERING.handler
def delete_vpc_offering(call: Call, id: VpcOffering) -> None:
    offerings.delete_offering(call.session, call.caller, id)


@LIST_VPC_OFFERINGS.handler
def list_vpc_offerings(call: Call, id: VpcOffering | None = None, keyword: str | None = None,
                       page: int | None = None, pagesize: int | None = None, **filters: Any) -> ListResult:
    del page, pagesize  # in call.paging
    rows, count = offerings.list_offerings(call.session, call.caller, id=id, keyword=keyword, page=call.paging.page,
                                           pagesize=call.paging.pagesize, **filters)
    return ListResult([vpc_offering_view(call.session, row) for row in rows], count)

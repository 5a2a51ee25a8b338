"""listServiceOfferings and listDiskOfferings."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.offerings._views import (
    DISK_OFFERING_RESPONSE,
    SERVICE_OFFERING_RESPONSE,
    disk_offering_view,
    service_offering_view,
)
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import DiskOffering, Domain, ServiceOffering, VirtualMachine
from cirrostack.services import offerings
from cirrostack.services.context import ANY_ROLE

LIST_SERVICE_OFFERINGS = Command(
    "listServiceOfferings", "Lists all available service offerings.", kind=CommandKind.LIST,
    response=SERVICE_OFFERING_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.offering.ListServiceOfferingsCmd",
    params=(Param("id", Uuid("ServiceOffering"), "ID of the service offering"),
            Param("name", String(), "name of the service offering"),
            Param("domainid", Uuid("Domain"), "the ID of the domain associated with the service offering"),
            Param("issystem", Boolean(), "is this a system vm offering"),
            Param("systemvmtype", String(), "the system VM type. Possible types are \"consoleproxy\", "
                                            "\"secondarystoragevm\" or \"domainrouter\"."),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine. Pass "
                                                                          "this in if you want to see the available "
                                                                          "service offering that a virtual machine "
                                                                          "can be changed to."),
            *LIST_PARAMS))

LIST_DISK_OFFERINGS = Command(
    "listDiskOfferings", "Lists all available disk offerings.", kind=CommandKind.LIST,
    response=DISK_OFFERING_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.offering.ListDiskOfferingsCmd",
    params=(Param("id", Uuid("DiskOffering"), "ID of the disk offering"),
            Param("name", String(), "name of the disk offering"),
            Param("domainid", Uuid("Domain"), "the ID of the domain of the disk offering."),
            *LIST_PARAMS))


@LIST_SERVICE_OFFERINGS.handler
def list_service_offerings(call: Call, id: ServiceOffering | None = None, name: str | None = None,
                           domainid: Domain | None = None, issystem: bool = False, systemvmtype: str | None = None,
                           virtualmachineid: VirtualMachine | None = None, keyword: str | None = None,
                           **_paging: Any) -> ListResult:
    rows, count = offerings.list_service_offerings(call.session, call.caller, offering=id, name=name,
                                                   domain=domainid, issystem=issystem, systemvmtype=systemvmtype,
                                                   keyword=keyword, page=call.paging.page,
                                                   pagesize=call.paging.pagesize, vm=virtualmachineid)
    return ListResult([service_offering_view(row) for row in rows], count)


@LIST_DISK_OFFERINGS.handler
def list_disk_offerings(call: Call, id: DiskOffering | None = None, name: str | None = None,
                        domainid: Domain | None = None, keyword: str | None = None, **_paging: Any) -> ListResult:
    rows, count = offerings.list_disk_offerings(call.session, call.caller, offering=id, name=name, domain=domainid,
                                                keyword=keyword, page=call.paging.page,
                                                pagesize=call.paging.pagesize)
    return ListResult([disk_offering_view(row) for row in rows], count)

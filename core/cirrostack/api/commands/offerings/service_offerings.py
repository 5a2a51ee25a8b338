"""createServiceOffering, updateServiceOffering and deleteServiceOffering (root admin)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.offerings._views import SERVICE_OFFERING_RESPONSE, service_offering_view
from cirrostack.api.declaration import Call, Command, CommandKind, Param
from cirrostack.api.params import Boolean, Integer, Long, Map, String, Uuid
from cirrostack.db.models import Domain, ServiceOffering
from cirrostack.services import offering_changes
from cirrostack.services.context import ROOT_ADMIN

_PACKAGE = "org.apache.cloudstack.api.command.admin.offering."
_RELATED = ("createServiceOffering", "updateServiceOffering", "listServiceOfferings")

#: Disk I/O throttling parameters shared with createDiskOffering.
IO_RATE_PARAMS = (
    Param("bytesreadrate", Long(minimum=1), "bytes read rate of the disk offering"),
    Param("byteswriterate", Long(minimum=1), "bytes write rate of the disk offering"),
    Param("iopsreadrate", Long(minimum=1), "io requests read rate of the disk offering"),
    Param("iopswriterate", Long(minimum=1), "io requests write rate of the disk offering"),
)

CREATE_SERVICE_OFFERING = Command(
    "createServiceOffering", "Creates a service offering; leave cpunumber, cpuspeed and memory out for a custom "
    "offering whose VMs name their own values (details[0].cpuNumber, .cpuSpeed, .memory).",
    response=SERVICE_OFFERING_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "CreateServiceOfferingCmd",
    related=_RELATED,
    params=(Param("name", String(), "the name of the service offering", required=True),
            Param("displaytext", String(4096), "the display text of the service offering", required=True),
            Param("cpunumber", Integer(), "the CPU number of the service offering (leave out for a custom offering)"),
            Param("cpuspeed", Integer(), "the CPU speed of the service offering in MHz (leave out for a custom "
                                         "offering)"),
            Param("memory", Integer(), "the total memory of the service offering in MB, at least 32 (leave out "
                                       "for a custom offering)"),
            Param("storagetype", String(), "the storage type of the service offering. Values are local and shared."),
            Param("offerha", Boolean(), "the HA for the service offering"),
            Param("limitcpuuse", Boolean(), "restrict the CPU usage to committed service offering"),
            Param("isvolatile", Boolean(), "true if the virtual machine needs to be volatile so that on every reboot "
                                           "of VM, original root disk is dettached then destroyed and a fresh root "
                                           "disk is created and attached to VM"),
            Param("tags", String(4096), "the tags for this service offering."),
            Param("hosttags", String(), "the host tag for this service offering."),
            Param("domainid", Uuid("Domain"), "the ID of the containing domain, null for public offerings"),
            Param("issystem", Boolean(), "is this a system vm offering"),
            Param("systemvmtype", String(), "the system VM type. Possible types are \"domainrouter\", "
                                            "\"consoleproxy\" and \"secondarystoragevm\"."),
            Param("networkrate", Integer(minimum=0), "data transfer rate in megabits per second allowed. Supported "
                                                     "only for non-System offering and system offerings having "
                                                     "\"domainrouter\" systemvmtype"),
            Param("deploymentplanner", String(), "The deployment planner heuristics used to deploy a VM of this "
                                                 "offering. If null, value of global config vm.deployment.planner "
                                                 "is used"),
            Param("serviceofferingdetails", Map(key_value=True), "details for planner, used to store specific "
                                                                 "parameters (serviceofferingdetails[0].key=k and "
                                                                 "serviceofferingdetails[0].value=v)"),
            *IO_RATE_PARAMS))

UPDATE_SERVICE_OFFERING = Command(
    "updateServiceOffering", "Updates a service offering.", response=SERVICE_OFFERING_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateServiceOfferingCmd", related=_RELATED,
    params=(Param("id", Uuid("ServiceOffering"), "the ID of the service offering to be updated", required=True),
            Param("name", String(), "the name of the service offering to be updated"),
            Param("displaytext", String(4096), "the display text of the service offering to be updated"),
            Param("sortkey", Integer(), "sort key of the service offering, integer")))

DELETE_SERVICE_OFFERING = Command(
    "deleteServiceOffering", "Deletes a service offering; virtual machines created from it keep it.",
    kind=CommandKind.SUCCESS, roles=ROOT_ADMIN, java_class=_PACKAGE + "DeleteServiceOfferingCmd",
    params=(Param("id", Uuid("ServiceOffering"), "the ID of the service offering", required=True),))


@CREATE_SERVICE_OFFERING.handler
def create_service_offering(call: Call, domainid: Domain | None = None,
                            serviceofferingdetails: dict[str, str] | None = None,
                            **fields: Any) -> dict[str, Any]:
    offering = offering_changes.create_service_offering(call.session, call.caller, domainid=domainid,
                                                        details=serviceofferingdetails, **fields)
    return service_offering_view(offering)


@UPDATE_SERVICE_OFFERING.handler
def update_service_offering(call: Call, id: ServiceOffering, **changes: Any) -> dict[str, Any]:
    return service_offering_view(offering_changes.update_service_offering(call.session, call.caller, id, **changes))


@DELETE_SERVICE_OFFERING.handler
def delete_service_offering(call: Call, id: ServiceOffering) -> None:
    offering_changes.delete_service_offering(call.session, call.caller, id)

"""createDiskOffering, updateDiskOffering and deleteDiskOffering (root admin)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.offerings._views import DISK_OFFERING_RESPONSE, disk_offering_view
from cirrostack.api.commands.offerings.service_offerings import IO_RATE_PARAMS
from cirrostack.api.declaration import Call, Command, CommandKind, Param
from cirrostack.api.params import Boolean, Integer, Long, String, Uuid
from cirrostack.db.models import DiskOffering, Domain
from cirrostack.services import offering_changes
from cirrostack.services.context import ROOT_ADMIN

_PACKAGE = "org.apache.cloudstack.api.command.admin.offering."
_RELATED = ("createDiskOffering", "updateDiskOffering", "listDiskOfferings")

CREATE_DISK_OFFERING = Command(
    "createDiskOffering", "Creates a disk offering.", response=DISK_OFFERING_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "CreateDiskOfferingCmd", related=_RELATED,
    params=(Param("name", String(), "name of the disk offering", required=True),
            Param("displaytext", String(4096), "alternate display text of the disk offering", required=True),
            Param("disksize", Long(), "size of the disk offering in GB"),
            Param("customized", Boolean(), "whether disk offering size is custom or not"),
            Param("tags", String(4096), "tags for the disk offering"),
            Param("domainid", Uuid("Domain"), "the ID of the containing domain, null for public offerings"),
            Param("storagetype", String(), "the storage type of the disk offering. Values are local and shared."),
            Param("displayoffering", Boolean(), "an optional field, whether to display the offering to the end "
                                                "user or not."),
            Param("customizediops", Boolean(), "whether disk offering iops is custom or not"),
            Param("miniops", Long(minimum=1), "min iops of the disk offering"),
            Param("maxiops", Long(minimum=1), "max iops of the disk offering"),
            Param("hypervisorsnapshotreserve", Integer(minimum=0), "Hypervisor snapshot reserve space as a percent "
                                                                   "of a volume (for managed storage using Xen or "
                                                                   "VMware)"),
            *IO_RATE_PARAMS))

UPDATE_DISK_OFFERING = Command(
    "updateDiskOffering", "Updates a disk offering.", response=DISK_OFFERING_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateDiskOfferingCmd", related=_RELATED,
    params=(Param("id", Uuid("DiskOffering"), "ID of the disk offering", required=True),
            Param("name", String(), "updates name of the disk offering with this value"),
            Param("displaytext", String(4096), "updates alternate display text of the disk offering with this "
                                               "value"),
            Param("sortkey", Integer(), "sort key of the disk offering, integer"),
            Param("displayoffering", Boolean(), "an optional field, whether to display the offering to the end "
                                                "user or not.")))

DELETE_DISK_OFFERING = Command(
    "deleteDiskOffering", "Deletes a disk offering; volumes created from it keep it.", kind=CommandKind.SUCCESS,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "DeleteDiskOfferingCmd",
    params=(Param("id", Uuid("DiskOffering"), "ID of the disk offering", required=True),))


@CREATE_DISK_OFFERING.handler
def create_disk_offering(call: Call, domainid: Domain | None = None, **fields: Any) -> dict[str, Any]:
    return disk_offering_view(offering_changes.create_disk_offering(call.session, call.caller, domainid=domainid,
                                                                    **fields))


@UPDATE_DISK_OFFERING.handler
def update_disk_offering(call: Call, id: DiskOffering, **changes: Any) -> dict[str, Any]:
    return disk_offering_view(offering_changes.update_disk_offering(call.session, call.caller, id, **changes))


@DELETE_DISK_OFFERING.handler
def delete_disk_offering(call: Call, id: DiskOffering) -> None:
    offering_changes.delete_disk_offering(call.session, call.caller, id)

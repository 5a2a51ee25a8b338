"""How compute and disk offerings look on the API (CloudStack 4.3 fields and spelling)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import DiskOffering, ServiceOffering
from cirrostack.db.timestamps import to_api

_IO_FIELDS = (
    Field("diskBytesReadRate", "long", "bytes read rate of the offering's disks"),
    Field("diskBytesWriteRate", "long", "bytes write rate of the offering's disks"),
    Field("diskIopsReadRate", "long", "io requests read rate of the offering's disks"),
    Field("diskIopsWriteRate", "long", "io requests write rate of the offering's disks"),
)

SERVICE_OFFERING_RESPONSE = Response("serviceoffering", (
    Field("id", "string", "the id of the service offering"),
    Field("name", "string", "the name of the service offering"),
    Field("displaytext", "string", "an alternate display text of the service offering."),
    Field("cpunumber", "integer", "the number of CPU (absent for custom offerings)"),
    Field("cpuspeed", "integer", "the clock rate CPU speed in Mhz (absent for custom offerings)"),
    Field("memory", "integer", "the memory in MB (absent for custom offerings)"),
    Field("created", "date", "the date this service offering was created"),
    Field("storagetype", "string", "the storage type for this service offering"),
    Field("offerha", "boolean", "the ha support in the service offering"),
    Field("limitcpuuse", "boolean", "restrict the CPU usage to committed service offering"),
    Field("isvolatile", "boolean", "true if the vm needs to be volatile, i.e., on every reboot of vm from API root "
                                   "disk is discarded and creates a new root disk"),
    Field("tags", "string", "the tags for the service offering"),
    Field("hosttags", "string", "the host tag for the service offering"),
    Field("domainid", "string", "the domain id of the service offering"),
    Field("domain", "string", "Domain name for the offering"),
    Field("issystem", "boolean", "is this a system vm offering"),
    Field("defaultuse", "boolean", "is this a  default system vm offering"),
    Field("systemvmtype", "string", "is this a the systemvm type for system vm offering"),
    Field("networkrate", "integer", "data transfer rate in megabits per second allowed."),
    Field("deploymentplanner", "string", "deployment strategy used to deploy VM."),
    Field("iscustomized", "boolean", "is true if the offering is customized"),
    *_IO_FIELDS,
    Field("serviceofferingdetails", "map", "additional key/value details tied with this service offering"),
))

DISK_OFFERING_RESPONSE = Response("diskoffering", (
    Field("id", "string", "unique ID of the disk offering"),
    Field("name", "string", "the name of the disk offering"),
    Field("displaytext", "string", "an alternate display text of the disk offering."),
    Field("disksize", "long", "the size of the disk offering in GB"),
    Field("created", "date", "the date this disk offering was created"),
    Field("iscustomized", "boolean", "true if disk offering uses custom size, false otherwise"),
    Field("iscustomizediops", "boolean", "true if disk offering uses custom iops, false otherwise"),
    Field("miniops", "long", "the min iops of the disk offering"),
    Field("maxiops", "long", "the max iops of the disk offering"),
    Field("hypervisorsnapshotreserve", "integer", "Hypervisor snapshot reserve space as a percent of a volume "
                                                  "(for managed storage using Xen or VMware)"),
    Field("domainid", "string", "the domain ID this disk offering belongs to. Ignore this information as it is "
                                "not currently applicable."),
    Field("domain", "string", "the domain name this disk offering belongs to. Ignore this information as it is "
                              "not currently applicable."),
    Field("storagetype", "string", "the storage type for this disk offering"),
    Field("tags", "string", "the tags for the disk offering"),
    Field("displayoffering", "boolean", "whether to display the offering to the end user or not."),
    *_IO_FIELDS,
))


def _io(offering: ServiceOffering | DiskOffering) -> dict[str, Any]:
    return {"diskBytesReadRate": offering.bytes_read_rate, "diskBytesWriteRate": offering.bytes_write_rate,
            "diskIopsReadRate": offering.iops_read_rate, "diskIopsWriteRate": offering.iops_write_rate}


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def service_offering_view(offering: ServiceOffering) -> dict[str, Any]:
    domain = offering.domain
    return _without_none({
        "id": offering.uuid, "name": offering.name, "displaytext": offering.display_text,
        "cpunumber": offering.cpu_number, "cpuspeed": offering.cpu_speed_mhz, "memory": offering.memory_mb,
        "created": to_api(offering.created), "storagetype": offering.storage_type, "offerha": offering.offer_ha,
        "limitcpuuse": offering.limit_cpu_use, "isvolatile": offering.is_volatile, "tags": offering.tags,
        "hosttags": offering.host_tags, "domainid": domain.uuid if domain else None,
        "domain": domain.name if domain else None, "issystem": offering.is_system,
        "defaultuse": offering.default_use, "systemvmtype": offering.system_vm_type,
        "networkrate": offering.network_rate, "deploymentplanner": offering.deployment_planner,
        "iscustomized": offering.is_customized, **_io(offering),
        "serviceofferingdetails": {detail.name: detail.value for detail in offering.details} or None,
    })


def disk_offering_view(offering: DiskOffering) -> dict[str, Any]:
    domain = offering.domain
    return _without_none({
        "id": offering.uuid, "name": offering.name, "displaytext": offering.display_text,
        "disksize": offering.disk_size_gb, "created": to_api(offering.created),
        "iscustomized": offering.is_customized, "iscustomizediops": offering.customized_iops,
        "miniops": offering.min_iops, "maxiops": offering.max_iops,
        "hypervisorsnapshotreserve": offering.hypervisor_snapshot_reserve,
        "domainid": domain.uuid if domain else None, "domain": domain.name if domain else None,
        "storagetype": offering.storage_type, "tags": offering.tags, "displayoffering": offering.display_offering,
        **_io(offering),
    })

"""Creating, changing and deleting compute and disk offerings (root admin).

A compute offering created without cpunumber, cpuspeed and memory is a custom offering: each
VM deployed from it names its own values (see services/compute_offerings.py). Deleting an
offering marks it removed: it is no longer listed or offered, and VMs and volumes created from
it keep it, as in CloudStack. Every change records an event (SERVICE.OFFERING.*, DISK.OFFERING.*).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.db.models import DiskOffering, Domain, ServiceOffering
from cirrostack.db.models.offerings import STORAGE_TYPES, ServiceOfferingDetail
from cirrostack.errors import InvalidParameter
from cirrostack.services import settings
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event

_INT_MAX = 2**31 - 1
#: System VM types a system offering can be created for (CloudStack 4.3 createServiceOffering).
SYSTEM_OFFERING_VM_TYPES = ("domainrouter", "consoleproxy", "secondarystoragevm")
_IO_RATES = {"bytesreadrate": "bytes_read_rate", "byteswriterate": "bytes_write_rate",
             "iopsreadrate": "iops_read_rate", "iopswriterate": "iops_write_rate"}


def create_service_offering(session: Session, caller: Caller, *, name: str, displaytext: str,
                            cpunumber: int | None = None, cpuspeed: int | None = None, memory: int | None = None,
                            storagetype: str | None = None, tags: str | None = None, hosttags: str | None = None,
                            offerha: bool = False, limitcpuuse: bool = False, isvolatile: bool = False,
                            domainid: Domain | None = None, issystem: bool = False, systemvmtype: str | None = None,
                            networkrate: int | None = None, deploymentplanner: str | None = None,
                            details: dict[str, str] | None = None, **io_rates: int | None) -> ServiceOffering:
    """A new compute offering; all three of cpunumber/cpuspeed/memory, or none (custom).

    Records SERVICE.OFFERING.CREATE. Raises InvalidParameter naming the parameter at fault."""
    sizes = {"cpunumber": cpunumber, "cpuspeed": cpuspeed, "memory": memory}
    given = [key for key, value in sizes.items() if value is not None]
    if given and len(given) < len(sizes):
        missing = ", ".join(key for key in sizes if key not in given)
        raise InvalidParameter(missing.split(", ")[0], "For creating a custom compute offering cpu, cpu speed and "
                                                       f"memory all should be null; {', '.join(given)} given but "
                                                       f"{missing} left out")
    _in_range("cpunumber", cpunumber, 1, "the cpu number")
    _in_range("cpuspeed", cpuspeed, 1, "the cpu speed (MHz)")
    _in_range("memory", memory, 32, "the memory (MB)")
    vm_type = _system_vm_type(issystem, systemvmtype)
    if networkrate is not None and vm_type not in (None, "domainrouter"):
        raise InvalidParameter("networkrate", "Network rate can be specified only for non-System offering and "
                                              "system offerings having \"domainrouter\" systemvmtype")
    offering = ServiceOffering(
        name=_text("name", name), display_text=_text("displaytext", displaytext), cpu_number=cpunumber,
        cpu_speed_mhz=cpuspeed, memory_mb=memory, storage_type=_storage_type(storagetype), tags=_tags(tags),
        host_tags=(hosttags or '').strip() or None, offer_ha=offerha, limit_cpu_use=limitcpuuse,
        is_volatile=isvolatile, domain_id=domainid.id if domainid else None, is_system=issystem,
        system_vm_type=vm_type, network_rate=networkrate, deployment_planner=deploymentplanner or None,
        details=[ServiceOfferingDetail(name=_text("serviceofferingdetails", key), value=value)
                 for key, value in (details or {}).items()],
        **_io_columns(io_rates))
    session.add(offering)
    session.flush()
    kind = "custom " if offering.is_customized else ""
    record_event(session, caller, "SERVICE.OFFERING.CREATE", f"Created {kind}service offering {offering.name}",
                 resource_type="ServiceOffering", resource_uuid=offering.uuid)
    return offering


def update_service_offering(session: Session, caller: Caller, offering: ServiceOffering, *, name: str | None = None,
                            displaytext: str | None = None, sortkey: int | None = None) -> ServiceOffering:
    """Rename an offering, change its text or its place in lists. Records SERVICE.OFFERING.EDIT."""
    _update_common(offering, name, displaytext, sortkey)
    session.flush()
    record_event(session, caller, "SERVICE.OFFERING.EDIT", f"Updated service offering {offering.name}",
                 resource_type="ServiceOffering", resource_uuid=offering.uuid)
    return offering


def delete_service_offering(session: Session, caller: Caller, offering: ServiceOffering) -> None:
    """Mark the offering removed; VMs using it keep it. Default system offerings stay (431).

    Records SERVICE.OFFERING.DELETE."""
    if offering.default_use:
        raise InvalidParameter("id", f"service offering {offering.name} ({offering.uuid}) is a default system "
                                     "offering; default service offerings cannot be deleted")
    offering.mark_removed()
    session.flush()
    record_event(session, caller, "SERVICE.OFFERING.DELETE", f"Deleted service offering {offering.name}",
                 resource_type="ServiceOffering", resource_uuid=offering.uuid)


def create_disk_offering(session: Session, caller: Caller, *, name: str, displaytext: str,
                         disksize: int | None = None, customized: bool = False, tags: str | None = None,
                         domainid: Domain | None = None, storagetype: str | None = None,
                         displayoffering: bool = True, customizediops: bool | None = None,
                         miniops: int | None = None, maxiops: int | None = None,
                         hypervisorsnapshotreserve: int | None = None, **io_rates: int | None) -> DiskOffering:
    """A new disk offering of `disksize` GB, or of any size when `customized`.

    Records DISK.OFFERING.CREATE. Raises InvalidParameter naming the parameter at fault."""
    largest = int(settings.value(session, "storage.max.volume.size"))
    if disksize is not None and disksize <= 0:
        raise InvalidParameter("disksize", f"{disksize} GB: Please specify a disk size of at least 1 Gb.")
    if disksize is not None and disksize > largest:
        raise InvalidParameter("disksize", f"{disksize} GB: The maximum size for a disk is {largest} Gb "
                                           "(setting storage.max.volume.size)")
    if not customized and not disksize:
        raise InvalidParameter("disksize", "Disksize is required for a non-customized disk offering")
    if customized and disksize:
        raise InvalidParameter("disksize", f"{disksize} GB given with customized=true; a customized disk offering "
                                           "takes its size from each volume, leave disksize out")
    _check_iops(customizediops, miniops, maxiops)
    offering = DiskOffering(
        name=_text("name", name), display_text=_text("displaytext", displaytext), disk_size_gb=disksize or 0,
        is_customized=customized, tags=_tags(tags), domain_id=domainid.id if domainid else None,
        storage_type=_storage_type(storagetype), display_offering=displayoffering, customized_iops=customizediops,
        min_iops=miniops, max_iops=maxiops, hypervisor_snapshot_reserve=hypervisorsnapshotreserve,
        **_io_columns(io_rates))
    session.add(offering)
    session.flush()
    record_event(session, caller, "DISK.OFFERING.CREATE", f"Created disk offering {offering.name}",
                 resource_type="DiskOffering", resource_uuid=offering.uuid)
    return offering


def update_disk_offering(session: Session, caller: Caller, offering: DiskOffering, *, name: str | None = None,
                         displaytext: str | None = None, sortkey: int | None = None,
                         displayoffering: bool | None = None) -> DiskOffering:
    """Rename, re-describe, reorder or show/hide a disk offering. Records DISK.OFFERING.EDIT."""
    _update_common(offering, name, displaytext, sortkey)
    if displayoffering is not None:
        offering.display_offering = displayoffering
    session.flush()
    record_event(session, caller, "DISK.OFFERING.EDIT", f"Updated disk offering {offering.name}",
                 resource_type="DiskOffering", resource_uuid=offering.uuid)
    return offering


def delete_disk_offering(session: Session, caller: Caller, offering: DiskOffering) -> None:
    """Mark the disk offering removed; volumes using it keep it. Records DISK.OFFERING.DELETE."""
    offering.mark_removed()
    session.flush()
    record_event(session, caller, "DISK.OFFERING.DELETE", f"Deleted disk offering {offering.name}",
                 resource_type="DiskOffering", resource_uuid=offering.uuid)


def _update_common(offering: ServiceOffering | DiskOffering, name: str | None, displaytext: str | None,
                   sortkey: int | None) -> None:
    if name is not None:
        offering.name = _text("name", name)
    if displaytext is not None:
        offering.display_text = _text("displaytext", displaytext)
    if sortkey is not None:
        offering.sort_key = sortkey


def _text(param: str, value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidParameter(param, "must not be empty")
    return text


def _in_range(param: str, value: int | None, minimum: int, what: str) -> None:
    if value is not None and not minimum <= value <= _INT_MAX:
        raise InvalidParameter(param, f"{value} is out of range: specify {what} value between {minimum} and "
                                      f"{_INT_MAX}")


def _storage_type(value: str | None) -> str:
    if value is None:
        return "shared"
    if value.strip().lower() not in STORAGE_TYPES:
        raise InvalidParameter("storagetype", f"Invalid storage type {value} specified, valid types are: 'local' "
                                              "and 'shared'")
    return value.strip().lower()


def _system_vm_type(issystem: bool, systemvmtype: str | None) -> str | None:
    if not issystem:
        if systemvmtype is not None:
            raise InvalidParameter("systemvmtype", f"{systemvmtype!r} is only valid for a system offering "
                                                   "(issystem=true)")
        return None
    vm_type = (systemvmtype or "domainrouter").strip().lower()
    if vm_type not in SYSTEM_OFFERING_VM_TYPES:
        raise InvalidParameter("systemvmtype", f"Invalid systemVmType {systemvmtype!r}. Supported types are: "
                                               f"{', '.join(SYSTEM_OFFERING_VM_TYPES)}")
    return vm_type


def _tags(value: str | None) -> str | None:
    if value is None:
        return None
    tags = [tag.strip() for tag in value.split(",") if tag.strip()]
    return ",".join(tags) or None


def _io_columns(io_rates: dict[str, Any]) -> dict[str, int | None]:
    unknown = set(io_rates) - set(_IO_RATES)
    if unknown:
        raise TypeError(f"unexpected offering fields: {sorted(unknown)}")
    for param, value in io_rates.items():
        if value is not None and value <= 0:
            raise InvalidParameter(param, f"{value} is not a rate; give a positive number or leave it out")
    return {_IO_RATES[param]: value for param, value in io_rates.items()}


def _check_iops(customized: bool | None, miniops: int | None, maxiops: int | None) -> None:
    if customized and (miniops is not None or maxiops is not None):
        raise InvalidParameter("miniops" if miniops is not None else "maxiops",
                               "leave miniops and maxiops out when customizediops is true; each volume names them")
    if miniops is not None and maxiops is not None and miniops > maxiops:
        raise InvalidParameter("miniops", f"{miniops} is greater than maxiops {maxiops}")
    for param, value in (("miniops", miniops), ("maxiops", maxiops)):
        if value is not None and value <= 0:
            raise InvalidParameter(param, f"{value} is not a number of IOPS; give a positive number")

"""The usage record response: CloudStack's fields, its usage date format and "N Hrs" texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import Account, DiskOffering, Domain, ServiceOffering, Template, Zone
from cirrostack.db.models.usage import UsageRecord
from cirrostack.services.usage.types import UsageType

USAGE_RECORD_RESPONSE = Response("usagerecord", (
    Field("account", "string", "the user account name"),
    Field("accountid", "string", "the user account Id"),
    Field("domainid", "string", "the domain ID"),
    Field("domain", "string", "the domain the resource is associated with"),
    Field("zoneid", "string", "the zone ID"),
    Field("description", "string", "description of the usage record"),
    Field("usage", "string", "usage in hours"),
    Field("usagetype", "integer", "usage type ID"),
    Field("rawusage", "string", "raw usage in hours"),
    Field("virtualmachineid", "string", "virtual machine ID"),
    Field("name", "string", "resource or virtual machine name"),
    Field("offeringid", "string", "offering ID"),
    Field("templateid", "string", "template ID"),
    Field("usageid", "string", "id of the resource"),
    Field("size", "long", "resource size"),
    Field("cpunumber", "long", "number of cpu of resource"),
    Field("cpuspeed", "long", "speed of each cpu of resource"),
    Field("memory", "long", "memory allocated for the resource"),
    Field("startdate", "string", "start date of the usage record"),
    Field("enddate", "string", "end date of the usage record"),
))

_VM_TYPES = (UsageType.RUNNING_VM, UsageType.ALLOCATED_VM)


def usage_date(moment: datetime) -> str:
    """CloudStack's usage date text, literal quotes around the T included (clients parse it so)."""
    return f"{moment:%Y-%m-%d}'T'{moment:%H:%M:%S}+00:00"


def hours_text(hours: float) -> str:
    """Hours with at most six decimals and no trailing zeros (24 -> "24", 1.5 -> "1.5")."""
    text = f"{hours:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def usage_record_view(session: Session, record: UsageRecord) -> dict[str, Any]:
    account = session.get(Account, record.account_id)
    domain = session.get(Domain, record.domain_id)
    zone = session.get(Zone, record.zone_id) if record.zone_id else None
    is_vm = record.usage_type in _VM_TYPES
    offering_model = ServiceOffering if is_vm else DiskOffering
    offering = session.get(offering_model, record.offering_id) if record.offering_id else None
    template = session.get(Template, record.template_id) if record.template_id else None
    view = {"account": account.name if account else None, "accountid": account.uuid if account else None,
            "domainid": domain.uuid if domain else None, "domain": domain.name if domain else None,
            "zoneid": zone.uuid if zone else None, "description": record.description,
            "usage": f"{hours_text(record.raw_usage)} Hrs", "usagetype": record.usage_type,
            "rawusage": hours_text(record.raw_usage),
            "virtualmachineid": record.resource_uuid if is_vm else None,
            "name": record.resource_name or None, "offeringid": offering.uuid if offering else None,
            "templateid": template.uuid if template else None, "usageid": record.resource_uuid,
            "size": record.size, "cpunumber": record.cpu_number, "cpuspeed": record.cpu_speed,
            "memory": record.memory, "startdate": usage_date(record.start_date),
            "enddate": usage_date(record.end_date)}
    return {key: value for key, value in view.items() if value is not None}

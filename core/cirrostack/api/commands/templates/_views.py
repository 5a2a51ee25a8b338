"""How templates, ISOs and OS types look on the API (CloudStack 4.3's template response).

`status` and `isready` describe the image in the row's zone; a registered image is not fetched
until the storage work brings image transfer, and its status says so.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models import GuestOS, GuestOSCategory, Template
from cirrostack.db.timestamps import to_api
from cirrostack.services.templates import TemplateRow

_COMMON = (
    Field("id", "string", "the template ID"),
    Field("name", "string", "the template name"),
    Field("displaytext", "string", "the template display text"),
    Field("ispublic", "boolean", "true if this template is a public template, false otherwise"),
    Field("created", "date", "the date this template was created"),
    Field("isready", "boolean", "true if the template is ready to be deployed from, false otherwise"),
    Field("isfeatured", "boolean", "true if this template is a featured template, false otherwise"),
    Field("crossZones", "boolean", "true if the template is managed across all Zones, false otherwise"),
    Field("ostypeid", "string", "the ID of the OS type for this template"),
    Field("ostypename", "string", "the name of the OS type for this template"),
    Field("account", "string", "the account name to which the template belongs"),
    Field("accountid", "string", "the account id to which the template belongs"),
    Field("domain", "string", "the name of the domain to which the template belongs"),
    Field("domainid", "string", "the ID of the domain to which the template belongs"),
    Field("zoneid", "string", "the ID of the zone for this template"),
    Field("zonename", "string", "the name of the zone for this template"),
    Field("status", "string", "the status of the template in this zone (whether and how far its image arrived)"),
    Field("size", "long", "the size of the template in bytes, once known"),
    Field("physicalsize", "long", "the size of the image file in bytes (a sparse format is smaller than size), once "
                                  "downloaded"),
    Field("templatetype", "string", "the type of the template: USER, BUILTIN, SYSTEM or PERHOST"),
    Field("isextractable", "boolean", "true if the template is extractable, false otherwise"),
    Field("checksum", "string", "checksum of the template"),
    Field("isdynamicallyscalable", "boolean", "true if template contains XS/VMWare tools inorder to support "
                                              "dynamic scaling of VM cpu/memory"),
    Field("tags", "list", "the list of resource tags associated with tempate"),
)

TEMPLATE_RESPONSE = Response("template", (
    *_COMMON,
    Field("format", "string", "the format of the template"),
    Field("hypervisor", "string", "the hypervisor on which the template runs"),
    Field("passwordenabled", "boolean", "true if the reset password feature is enabled, false otherwise"),
    Field("sshkeyenabled", "boolean", "true if template is sshkey enabled, false otherwise"),
    Field("sourcetemplateid", "string", "the template ID of the parent template if present"),
    Field("templatetag", "string", "the tag of this template"),
), instance_type="Template")

ISO_RESPONSE = Response("iso", (
    *_COMMON,
    Field("bootable", "boolean", "true if the ISO is bootable, false otherwise"),
), instance_type="Iso")

OS_TYPE_RESPONSE = Response("ostype", (
    Field("id", "string", "the ID of the OS type"),
    Field("description", "string", "the name/description of the OS type"),
    Field("oscategoryid", "string", "the ID of the OS category"),
    Field("isuserdefined", "boolean", "true if the OS type was added by an operator, false for the catalogue's own"),
))

OS_CATEGORY_RESPONSE = Response("oscategory", (
    Field("id", "string", "the ID of the OS category"),
    Field("name", "string", "the name of the OS category"),
))


def template_view(session: Session, row: TemplateRow) -> dict[str, Any]:
    """One template (or ISO) in one zone, as listTemplates/listIsos show it."""
    template: Template = row.template
    os_type = session.get(GuestOS, template.guest_os_id) if template.guest_os_id is not None else None
    account = template.account
    view: dict[str, Any] = {
        "id": template.uuid, "name": template.name, "displaytext": template.display_text,
        "ispublic": template.is_public, "created": to_api(template.created),
        "isready": bool(row.ref and row.ref.is_ready), "isfeatured": template.is_featured,
        "crossZones": template.cross_zones, "ostypeid": os_type.uuid if os_type else None,
        "ostypename": os_type.display_name if os_type else None, "account": account.name,
        "accountid": account.uuid, "domain": account.domain.name, "domainid": account.domain.uuid,
        "zoneid": row.ref.zone.uuid if row.ref else None, "zonename": row.ref.zone.name if row.ref else None,
        "status": row.ref.status if row.ref else None, "size": row.ref.size_bytes if row.ref else None,
        "physicalsize": row.ref.physical_size_bytes if row.ref else None,
        "templatetype": template.template_type, "isextractable": template.is_extractable,
        "checksum": template.checksum, "isdynamicallyscalable": template.is_dynamically_scalable, "tags": [],
    }
    if template.is_iso:
        view["bootable"] = template.bootable
    else:
        source = session.get(Template, template.source_template_id) if template.source_template_id else None
        view.update(format=template.format, hypervisor=template.hypervisor_type,
                    passwordenabled=template.password_enabled, sshkeyenabled=template.sshkey_enabled,
                    sourcetemplateid=source.uuid if source else None, templatetag=template.template_tag)
    return {key: value for key, value in view.items() if value is not None}


def template_rows(template: Template) -> list[TemplateRow]:
    """A template's rows, one per zone (one without a zone when it is in none)."""
    return [TemplateRow(template, ref) for ref in template.zone_refs] or [TemplateRow(template, None)]


def os_type_view(os_type: GuestOS) -> dict[str, Any]:
    return {"id": os_type.uuid, "description": os_type.display_name, "oscategoryid": os_type.category.uuid,
            "isuserdefined": os_type.is_user_defined}


def os_category_view(category: GuestOSCategory) -> dict[str, Any]:
    return {"id": category.uuid, "name": category.name}

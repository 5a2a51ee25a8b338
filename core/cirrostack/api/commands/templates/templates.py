"""registerTemplate, listTemplates, updateTemplate, deleteTemplate (async), copyTemplate (async)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.templates._views import TEMPLATE_RESPONSE, template_rows, template_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Integer, Map, String, Uuid
from cirrostack.db.models import Domain, GuestOS, Template, Zone
from cirrostack.services import templates
from cirrostack.services.context import ANY_ROLE

_PACKAGE = "org.apache.cloudstack.api.command.user.template."
_RELATED = ("listTemplates", "registerTemplate", "updateTemplate", "copyTemplate")

REGISTER_TEMPLATE = Command(
    "registerTemplate", "Registers an existing template into the CloudStack cloud. A download job per zone fetches "
                        "the URL and checks it; each zone's status and isready follow it.",
    kind=CommandKind.LIST, response=TEMPLATE_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "RegisterTemplateCmd",
    related=_RELATED,
    params=(Param("displaytext", String(length=4096), "the display text of the template. This is usually used for "
                                                      "display purposes.", required=True, length=4096),
            Param("format", String(), "the format for the template. Possible values include QCOW2, RAW, VHD, VHDX "
                                      "and OVA; the format must suit the hypervisor", required=True),
            Param("hypervisor", String(), "the target hypervisor for the template", required=True),
            Param("name", String(), "the name of the template", required=True),
            Param("ostypeid", Uuid("GuestOS"), "the ID of the OS Type that best represents the OS of this template.",
                  required=True),
            Param("url", String(length=2048), "the URL of where the template is hosted. Possible URL include http:// "
                                              "and https://", required=True, length=2048),
            Param("zoneid", String(), "the ID of the zone the template is to be hosted on; -1 for every zone",
                  required=True),
            Param("account", String(), "an optional accountName. Must be used with domainId."),
            Param("domainid", Uuid("Domain"), "an optional domainId. If the account parameter is used, domainId "
                                              "must also be used."),
            Param("bits", Integer(), "32 or 64 bits support. 64 by default"),
            Param("checksum", String(), "the checksum of this template: MD5 hex, or {MD5}, {SHA-1}, {SHA-256}, "
                                        "{SHA-384} or {SHA-512} followed by hex"),
            Param("details", Map(key_value=True), "Template details in key/value pairs."),
            Param("isdynamicallyscalable", Boolean(), "true if template contains XS/VMWare tools inorder to support "
                                                      "dynamic scaling of VM cpu/memory"),
            Param("isextractable", Boolean(), "true if the template or its derivatives are extractable; default is "
                                              "false"),
            Param("isfeatured", Boolean(), "true if this template is a featured template, false otherwise"),
            Param("ispublic", Boolean(), "true if the template is available to all accounts; default is true"),
            Param("passwordenabled", Boolean(), "true if the template supports the password reset feature; default "
                                                "is false"),
            Param("projectid", Uuid("Project", load=False), "Register template for the project"),
            Param("requireshvm", Boolean(), "true if this template requires HVM"),
            Param("sshkeyenabled", Boolean(), "true if the template supports the sshkey upload feature; default is "
                                              "false"),
            Param("templatetag", String(), "the tag for this template.")))

LIST_TEMPLATES = Command(
    "listTemplates", "List all public, private, and privileged templates.", kind=CommandKind.LIST,
    response=TEMPLATE_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "ListTemplatesCmd", related=_RELATED,
    params=(Param("templatefilter", String(), "possible values are \"featured\", \"self\", \"selfexecutable\", "
                                              "\"sharedexecutable\", \"executable\", \"community\" and \"all\" "
                                              "(administrators only)", required=True),
            Param("id", Uuid("Template"), "the template ID"),
            Param("name", String(), "the template name"),
            Param("hypervisor", String(), "the hypervisor for which to restrict the search"),
            Param("zoneid", Uuid("Zone"), "list templates by zoneId"),
            Param("account", String(), "list resources by account. Must be used with the domainId parameter."),
            Param("domainid", Uuid("Domain"), "list only resources belonging to the domain specified"),
            Param("isrecursive", Boolean(), "defaults to false, but if true, lists all resources from the parent "
                                            "specified by the domainId till leaves."),
            Param("listall", Boolean(), "If set to false, list only resources belonging to the command's caller; "
                                        "if set to true - list resources that the caller is authorized to see. "
                                        "Default value is false"),
            Param("projectid", Uuid("Project", load=False), "list objects by project"),
            Param("tags", Map(), "List resources by tags (key/value pairs)"),
            *LIST_PARAMS))

UPDATE_TEMPLATE = Command(
    "updateTemplate", "Updates attributes of a template.", response=TEMPLATE_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "UpdateTemplateCmd", related=_RELATED,
    params=(Param("id", Uuid("Template"), "the ID of the image file", required=True),
            Param("bootable", Boolean(), "true if image is bootable, false otherwise"),
            Param("displaytext", String(length=4096), "the display text of the image", length=4096),
            Param("format", String(), "the format for the image"),
            Param("isdynamicallyscalable", Boolean(), "true if template/ISO contains XS/VMWare tools inorder to "
                                                      "support dynamic scaling of VM cpu/memory"),
            Param("name", String(), "the name of the image file"),
            Param("ostypeid", Uuid("GuestOS"), "the ID of the OS type that best represents the OS of this image."),
            Param("passwordenabled", Boolean(), "true if the image supports the password reset feature; default is "
                                                "false"),
            Param("sortkey", Integer(), "sort key of the template, integer")))

DELETE_TEMPLATE = Command(
    "deleteTemplate", "Deletes a template from the system. All virtual machines using the deleted template will not "
                      "be affected.", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    java_class=_PACKAGE + "DeleteTemplateCmd", response=TEMPLATE_RESPONSE,
    params=(Param("id", Uuid("Template"), "the ID of the template", required=True),
            Param("zoneid", Uuid("Zone"), "the ID of zone of the template")))

COPY_TEMPLATE = Command(
    "copyTemplate", "Copies a template from one zone to another.", response=TEMPLATE_RESPONSE, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "CopyTemplateCmd", related=_RELATED,
    params=(Param("id", Uuid("Template"), "Template ID.", required=True),
            Param("destzoneid", Uuid("Zone"), "ID of the zone the template is being copied to.", required=True),
            Param("sourcezoneid", Uuid("Zone"), "ID of the zone the template is currently hosted on.",
                  required=True)))


@REGISTER_TEMPLATE.handler
def register_template(call: Call, ostypeid: GuestOS, domainid: Domain | None = None, details: Any = None,
                      projectid: str | None = None, **fields: Any) -> ListResult:
    template = templates.register_template(call.session, call.caller, call.registry, ostype=ostypeid,
                                           domain=domainid, jobs=call.jobs, **fields)
    rows = template_rows(template)
    return ListResult([template_view(call.session, row) for row in rows], len(rows))


@LIST_TEMPLATES.handler
def list_templates(call: Call, templatefilter: str, id: Template | None = None, zoneid: Zone | None = None,
                   domainid: Domain | None = None, projectid: str | None = None, tags: Any = None,
                   page: int | None = None, pagesize: int | None = None, **filters: Any) -> ListResult:
    chosen = templates.parse_filter(templatefilter, call.caller)
    rows = templates.list_templates(call.session, call.caller, chosen, template=id, zone=zoneid, domain=domainid,
                                    **filters)
    return ListResult([template_view(call.session, row) for row in call.paging.slice(rows)], len(rows))


@UPDATE_TEMPLATE.handler
def update_template(call: Call, id: Template, ostypeid: GuestOS | None = None, **changes: Any) -> dict[str, Any]:
    template = templates.update_template(call.session, call.caller, id, ostype=ostypeid, **changes)
    return template_view(call.session, template_rows(template)[0])


@DELETE_TEMPLATE.handler
def delete_template(call: Call, id: Template, zoneid: Zone | None = None) -> None:
    templates.delete_template(call.session, call.caller, id, zoneid)


@COPY_TEMPLATE.handler
def copy_template(call: Call, id: Template, destzoneid: Zone, sourcezoneid: Zone) -> dict[str, Any]:
    template = templates.copy_template(call.session, call.caller, id, destzoneid, sourcezoneid, jobs=call.jobs)
    row = next(row for row in template_rows(template) if row.ref is not None and row.ref.zone_id == destzoneid.id)
    return template_view(call.session, row)

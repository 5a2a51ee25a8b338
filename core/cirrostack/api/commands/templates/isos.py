"""registerIso, listIsos, deleteIso (async; CloudStack's reply is named deleteisosresponse)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.templates._views import ISO_RESPONSE, template_rows, template_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, Map, String, Uuid
from cirrostack.db.models import Domain, GuestOS, Template, Zone
from cirrostack.services import templates
from cirrostack.services.context import ANY_ROLE

_PACKAGE = "org.apache.cloudstack.api.command.user.iso."
_RELATED = ("listIsos", "registerIso")

REGISTER_ISO = Command(
    "registerIso", "Registers an existing ISO into the CloudStack Cloud. A download job per zone fetches the URL "
                   "and checks it; each zone's status and isready follow it.",
    kind=CommandKind.LIST, response=ISO_RESPONSE, roles=ANY_ROLE, java_class=_PACKAGE + "RegisterIsoCmd",
    related=_RELATED,
    params=(Param("displaytext", String(length=4096), "the display text of the ISO. This is usually used for display "
                                                      "purposes.", required=True, length=4096),
            Param("name", String(), "the name of the ISO", required=True),
            Param("url", String(length=2048), "the URL to where the ISO is currently being hosted", required=True,
                  length=2048),
            Param("zoneid", String(), "the ID of the zone you wish to register the ISO to; -1 for every zone",
                  required=True),
            Param("account", String(), "an optional account name. Must be used with domainId."),
            Param("domainid", Uuid("Domain"), "an optional domainId. If the account parameter is used, domainId "
                                              "must also be used."),
            Param("bootable", Boolean(), "true if this ISO is bootable. If not passed explicitly its assumed to be "
                                         "true"),
            Param("checksum", String(), "the checksum of this ISO: MD5 hex, or {MD5}, {SHA-1}, {SHA-256}, "
                                        "{SHA-384} or {SHA-512} followed by hex"),
            Param("isdynamicallyscalable", Boolean(), "true if ISO contains XS/VMWare tools inorder to support "
                                                      "dynamic scaling of VM cpu/memory"),
            Param("isextractable", Boolean(), "true if the iso or its derivatives are extractable; default is false"),
            Param("isfeatured", Boolean(), "true if you want this ISO to be featured"),
            Param("ispublic", Boolean(), "true if you want to register the ISO to be publicly available to all "
                                         "users, false otherwise."),
            Param("ostypeid", Uuid("GuestOS"), "the ID of the OS Type that best represents the OS of this ISO. If "
                                               "the iso is bootable this parameter needs to be passed"),
            Param("projectid", Uuid("Project", load=False), "Register iso for the project")))

LIST_ISOS = Command(
    "listIsos", "Lists all available ISO files.", kind=CommandKind.LIST, response=ISO_RESPONSE, roles=ANY_ROLE,
    java_class=_PACKAGE + "ListIsosCmd", related=_RELATED,
    params=(Param("isofilter", String(), "possible values are \"featured\", \"self\", \"selfexecutable\", "
                                         "\"sharedexecutable\", \"executable\", \"community\" and \"all\" "
                                         "(administrators only); default selfexecutable"),
            Param("id", Uuid("Iso"), "list ISO by id"),
            Param("name", String(), "list all isos by name"),
            Param("bootable", Boolean(), "true if the ISO is bootable, false otherwise"),
            Param("hypervisor", String(), "the hypervisor for which to restrict the search"),
            Param("ispublic", Boolean(), "true if the ISO is publicly available to all users, false otherwise."),
            Param("isready", Boolean(), "true if this ISO is ready to be deployed"),
            Param("zoneid", Uuid("Zone"), "the ID of the zone"),
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

DELETE_ISO = Command(
    "deleteIso", "Deletes an ISO file.", kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE,
    response_name="deleteisosresponse", java_class=_PACKAGE + "DeleteIsoCmd", response=ISO_RESPONSE,
    params=(Param("id", Uuid("Iso"), "the ID of the ISO file", required=True),
            Param("zoneid", Uuid("Zone"), "the ID of the zone of the ISO file. If not specified, the ISO will be "
                                          "deleted from all the zones")))


@REGISTER_ISO.handler
def register_iso(call: Call, ostypeid: GuestOS | None = None, domainid: Domain | None = None,
                 projectid: str | None = None, **fields: Any) -> ListResult:
    iso = templates.register_iso(call.session, call.caller, ostype=ostypeid, domain=domainid, jobs=call.jobs,
                                 **fields)
    rows = template_rows(iso)
    return ListResult([template_view(call.session, row) for row in rows], len(rows))


@LIST_ISOS.handler
def list_isos(call: Call, isofilter: str = "selfexecutable", id: Template | None = None, zoneid: Zone | None = None,
              domainid: Domain | None = None, projectid: str | None = None, tags: Any = None,
              page: int | None = None, pagesize: int | None = None, **filters: Any) -> ListResult:
    chosen = templates.parse_filter(isofilter, call.caller, "isofilter")
    rows = templates.list_templates(call.session, call.caller, chosen, isos=True, template=id, zone=zoneid,
                                    domain=domainid, **filters)
    return ListResult([template_view(call.session, row) for row in call.paging.slice(rows)], len(rows))


@DELETE_ISO.handler
def delete_iso(call: Call, id: Template, zoneid: Zone | None = None) -> None:
    templates.delete_template(call.session, call.caller, id, zoneid)

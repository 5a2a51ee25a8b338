"""createTemplate (async) from a volume: the host writes it to the zone's image store."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.templates._views import TEMPLATE_RESPONSE, template_rows, template_view
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Boolean, Integer, Map, String, Uuid
from cirrostack.db.models import GuestOS
from cirrostack.db.models.compute import Volume
from cirrostack.errors import InvalidParameter
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.templates.from_volume import create_from_volume
from cirrostack.services.templates.registration import _check_flags

CREATE_TEMPLATE = Command(
    "createTemplate", "Creates a template of a virtual machine's ROOT volume (the VM stopped) or of a data volume. "
                      "The hypervisor host copies the volume to the zone's image store; the template is ready there "
                      "when the job ends.",
    response=TEMPLATE_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.template.CreateTemplateCmd",
    related=("listTemplates", "copyTemplate", "extractTemplate"),
    params=(Param("displaytext", String(length=4096), "the display text of the template. This is usually used for "
                                                      "display purposes.", required=True, length=4096),
            Param("name", String(), "the name of the template", required=True),
            Param("ostypeid", Uuid("GuestOS"), "the ID of the OS Type that best represents the OS of this template.",
                  required=True),
            Param("volumeid", Uuid("Volume"), "the ID of the disk volume the template is being created from. Either "
                                              "this parameter, or snapshotId has to be passed in"),
            Param("snapshotid", String(), "the ID of the snapshot the template is being created from (not offered: "
                                          "give volumeid)"),
            Param("virtualmachineid", String(), "Optional, VM ID. If this presents, it is going to create a "
                                                "baremetal template for VM this ID refers to (not offered)"),
            Param("url", String(length=2048), "Optional, only for baremetal hypervisor (not offered)", length=2048),
            Param("bits", Integer(), "32 or 64 bit"),
            Param("details", Map(key_value=True), "Template details in key/value pairs."),
            Param("isdynamicallyscalable", Boolean(), "true if template contains XS/VMWare tools inorder to support "
                                                      "dynamic scaling of VM cpu/memory"),
            Param("isfeatured", Boolean(), "true if this template is a featured template, false otherwise"),
            Param("ispublic", Boolean(), "true if this template is a public template, false otherwise"),
            Param("passwordenabled", Boolean(), "true if the template supports the password reset feature; default "
                                                "is false"),
            Param("requireshvm", Boolean(), "true if the template requres HVM, false otherwise"),
            Param("templatetag", String(), "the tag for this template.")))


@CREATE_TEMPLATE.handler
def create_template(call: Call, name: str, displaytext: str, ostypeid: GuestOS, volumeid: Volume | None = None,
                    snapshotid: str | None = None, virtualmachineid: str | None = None, url: str | None = None,
                    details: Any = None, isfeatured: bool = False, **flags: Any) -> dict[str, Any]:
    if snapshotid:
        raise InvalidParameter("snapshotid", "templates are made from volumes here; give volumeid")
    if volumeid is None:
        raise InvalidParameter("volumeid", "missing: give the ID of the volume to make the template from")
    _check_flags(call.caller, isfeatured)
    template = create_from_volume(call.session, call.caller, call.registry, call.secrets, volumeid, name=name,
                                  displaytext=displaytext, ostype=ostypeid, isfeatured=isfeatured, **flags)
    return template_view(call.session, template_rows(template)[0])

"""createZone, updateZone, deleteZone (root admin) and listZones (every caller)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.infrastructure._views import ZONE_RESPONSE, zone_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.services.context import ANY_ROLE, ROOT_ADMIN
from cirrostack.services.infrastructure import zones

_PACKAGE = "org.apache.cloudstack.api.command.admin.zone."
_RELATED = ("createZone", "listZones", "updateZone")


def _address_params(verb: str) -> tuple[Param, ...]:
    return (Param("dns2", String(), f"the second DNS for the Zone ({verb})"),
            Param("ip6dns1", String(), f"the first DNS for IPv6 network in the Zone ({verb})"),
            Param("ip6dns2", String(), f"the second DNS for IPv6 network in the Zone ({verb})"),
            Param("internaldns2", String(), f"the second internal DNS for the Zone ({verb})"),
            Param("guestcidraddress", String(), "the guest CIDR address for the Zone (Advanced zones)"),
            Param("domain", String(), "Network domain name for the networks in the zone"),
            Param("allocationstate", String(), "Allocation state of this Zone for allocation of new resources: "
                                               "Enabled or Disabled"),
            Param("localstorageenabled", Boolean(), "true if local storage offering enabled, false otherwise"))


CREATE_ZONE = Command(
    "createZone", "Creates a Zone.", response=ZONE_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "CreateZoneCmd",
    related=_RELATED,
    params=(Param("name", String(), "the name of the Zone", required=True),
            Param("networktype", String(), "network type of the zone, can be Basic or Advanced", required=True),
            Param("dns1", String(), "the first DNS for the Zone", required=True),
            Param("internaldns1", String(), "the first internal DNS for the Zone", required=True),
            *_address_params("create"),
            Param("domainid", Uuid("Domain"), "the ID of the containing domain, null for public zones"),
            Param("securitygroupenabled", Boolean(), "true if network is security group enabled, false otherwise "
                                                     "(default: true for Basic zones)")))

UPDATE_ZONE = Command(
    "updateZone", "Updates a Zone.", response=ZONE_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "UpdateZoneCmd",
    related=_RELATED,
    params=(Param("id", Uuid("Zone"), "the ID of the Zone", required=True),
            Param("name", String(), "the name of the Zone"),
            Param("dns1", String(), "the first DNS for the Zone"),
            Param("internaldns1", String(), "the first internal DNS for the Zone"),
            *_address_params("update")))

DELETE_ZONE = Command(
    "deleteZone", "Deletes a Zone; refused while it still has pods.", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeleteZoneCmd",
    params=(Param("id", Uuid("Zone"), "the ID of the Zone", required=True),))

LIST_ZONES = Command(
    "listZones", "Lists zones", kind=CommandKind.LIST, response=ZONE_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.zone.ListZonesByCmd", related=_RELATED,
    params=(Param("id", Uuid("Zone"), "the ID of the zone"),
            Param("name", String(), "the name of the zone"),
            Param("networktype", String(), "the network type of the zone that the virtual machine belongs to"),
            Param("available", Boolean(), "true if you want to retrieve all available Zones. False if you only "
                                          "want to return the Zones from which you have at least one VM. Default is "
                                          "false. Every zone a caller may use is available here."),
            Param("domainid", Uuid("Domain"), "the ID of the domain associated with the zone"),
            Param("showcapacities", Boolean(), "flag to display the capacity of the zones (capacities are "
                                               "reported by listCapacity)"),
            *LIST_PARAMS))


@CREATE_ZONE.handler
def create_zone(call: Call, **fields: Any) -> dict[str, Any]:
    return zone_view(zones.create_zone(call.session, call.caller, **fields))


@UPDATE_ZONE.handler
def update_zone(call: Call, id: Zone, **changes: Any) -> dict[str, Any]:
    return zone_view(zones.update_zone(call.session, call.caller, id, **changes))


@DELETE_ZONE.handler
def delete_zone(call: Call, id: Zone) -> None:
    zones.delete_zone(call.session, call.caller, id)


@LIST_ZONES.handler
def list_zones(call: Call, id: Zone | None = None, name: str | None = None, networktype: str | None = None,
               domainid: Domain | None = None, keyword: str | None = None, **_ignored: Any) -> ListResult:
    rows, count = zones.list_zones(call.session, call.caller, id=id, name=name, networktype=networktype,
                                   domainid=domainid, keyword=keyword, page=call.paging.page,
                                   pagesize=call.paging.pagesize)
    return ListResult([zone_view(row) for row in rows], count)

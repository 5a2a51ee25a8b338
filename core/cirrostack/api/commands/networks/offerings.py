"""createNetworkOffering, updateNetworkOffering, deleteNetworkOffering (root admin), listNetworkOfferings
and listSupportedNetworkServices."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.networks._views import NETWORK_OFFERING_RESPONSE, offering_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Boolean, Integer, ListOf, Map, String, Uuid
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import NetworkOffering
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.services.context import ANY_ROLE, ROOT_ADMIN
from cirrostack.services.networks import offerings

_PACKAGE = "org.apache.cloudstack.api.command.admin.network."
_RELATED = ("createNetworkOffering", "listNetworkOfferings", "updateNetworkOffering")

CREATE_NETWORK_OFFERING = Command(
    "createNetworkOffering", "Creates a network offering.", response=NETWORK_OFFERING_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "CreateNetworkOfferingCmd", related=_RELATED,
    params=(Param("name", String(), "the name of the network offering", required=True),
            Param("displaytext", String(), "the display text of the network offering", required=True),
            Param("traffictype", String(), "the traffic type for the network offering. Supported type in current "
                                           "release is GUEST only", required=True),
            Param("guestiptype", String(), "guest type of the network offering: Shared or Isolated", required=True),
            Param("supportedservices", ListOf(), "services supported by the network offering", required=True),
            Param("serviceproviderlist", Map(), "provider to service mapping. If not specified, the provider for the "
                                                "service will be mapped to the default provider on the physical "
                                                "network"),
            Param("servicecapabilitylist", Map(), "desired service capabilities as part of network offering"),
            Param("specifyvlan", Boolean(), "true if network offering supports vlans"),
            Param("specifyipranges", Boolean(), "true if network offering supports specifying ip ranges; defaulted "
                                                "to false if not specified"),
            Param("conservemode", Boolean(), "true if the network offering is IP conserve mode enabled"),
            Param("networkrate", Integer(), "data transfer rate in megabits per second allowed"),
            Param("availability", String(), "the availability of network offering. Default value is Optional"),
            Param("tags", String(), "the tags for the network offering.", length=4096),
            Param("serviceofferingid", Uuid("ServiceOffering"), "the service offering ID used by virtual router "
                                                                "provider"),
            Param("ispersistent", Boolean(), "true if network offering supports persistent networks; defaulted to "
                                             "false if not specified"),
            Param("egressdefaultpolicy", Boolean(), "true if default guest network egress policy is allow; false if "
                                                    "default egress policy is deny; true when not given (the "
                                                    "shipped default isolated offerings deny)"),
            Param("maxconnections", Integer(), "maximum number of concurrent connections supported by the network "
                                               "offering"),
            Param("details", Map(), "Network offering details in key/value pairs. Supported keys are "
                                    "internallbprovider/publiclbprovider with service provider as a value")))

UPDATE_NETWORK_OFFERING = Command(
    "updateNetworkOffering", "Updates a network offering.", response=NETWORK_OFFERING_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateNetworkOfferingCmd", related=_RELATED,
    params=(Param("id", Uuid("NetworkOffering"), "the id of the network offering"),
            Param("name", String(), "the name of the network offering"),
            Param("displaytext", String(), "the display text of the network offering"),
            Param("availability", String(), "the availability of network offering. Default value is Required for "
                                            "Guest Virtual network offering; Optional for Guest Direct network "
                                            "offering"),
            Param("state", String(), "update state for the network offering"),
            Param("sortkey", Integer(), "sort key of the network offering, integer"),
            Param("maxconnections", Integer(), "maximum number of concurrent connections supported by the network "
                                               "offering"),
            Param("keepaliveenabled", Boolean(), "if true keepalive will be turned on in the loadbalancer")))

DELETE_NETWORK_OFFERING = Command(
    "deleteNetworkOffering", "Deletes a network offering.", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeleteNetworkOfferingCmd",
    params=(Param("id", Uuid("NetworkOffering"), "the ID of the network offering", required=True),))

LIST_NETWORK_OFFERINGS = Command(
    "listNetworkOfferings", "Lists all available network offerings.", kind=CommandKind.LIST,
    response=NETWORK_OFFERING_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.offering.ListNetworkOfferingsCmd", related=_RELATED,
    params=(Param("id", Uuid("NetworkOffering"), "list network offerings by id"),
            Param("name", String(), "list network offerings by name"),
            Param("displaytext", String(), "list network offerings by display text"),
            Param("traffictype", String(), "list by traffic type"),
            Param("isdefault", Boolean(), "true if need to list only default network offerings"),
            Param("specifyvlan", Boolean(), "the tags for the network offering."),
            Param("availability", String(), "the availability of network offering"),
            Param("zoneid", Uuid("Zone"), "list network offerings available for network creation in specific zone"),
            Param("state", String(), "list network offerings by state"),
            Param("guestiptype", String(), "list network offerings by guest type: Shared or Isolated"),
            Param("supportedservices", ListOf(), "list network offerings supporting certain services"),
            Param("sourcenatsupported", Boolean(), "true if need to list only netwok offerings where source nat is "
                                                   "supported, false otherwise"),
            Param("specifyipranges", Boolean(), "true if need to list only network offerings which support "
                                                "specifying ip ranges"),
            Param("forvpc", Boolean(), "the network offering can be used only for network creation inside the VPC"),
            Param("istagged", Boolean(), "true if offering has tags specified"),
            Param("tags", String(), "list network offerings by tags", length=4096),
            Param("networkid", Uuid("Network"), "the ID of the network. Pass this in if you want to see the "
                                                "available network offering that a network can be changed to."),
            *LIST_PARAMS))

SUPPORTED_SERVICE_RESPONSE = Response("networkservice", (
    Field("name", "string", "the service name"),
    Field("provider", "list", "the service provider name", children=(
        Field("name", "string", "the provider name"),
        Field("canenableindividualservice", "boolean", "true if individual services can be enabled/disabled"))),
    Field("capability", "list", "the list of capabilities", children=(
        Field("name", "string", "the capability name"), Field("value", "string", "the capability value"),
        Field("canchooseservicecapability", "boolean", "can this service capability value can be choosable while "
                                                       "creatine network offerings"))),
))

LIST_SUPPORTED_SERVICES = Command(
    "listSupportedNetworkServices", "Lists all network services provided by CloudStack or for the given Provider.",
    kind=CommandKind.LIST, response=SUPPORTED_SERVICE_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.network.ListSupportedNetworkServicesCmd",
    params=(Param("provider", String(), "network service provider name"),
            Param("service", String(), "network service name to list providers and capabilities of"),
            *LIST_PARAMS))


@CREATE_NETWORK_OFFERING.handler
def create_network_offering(call: Call, traffictype: str, details: Any = None, serviceofferingid: Any = None,
                            **fields: Any) -> dict[str, Any]:
    offering = offerings.create_offering(call.session, call.caller, call.registry, traffictype=traffictype, **fields)
    if serviceofferingid is not None:
        offering.service_offering_id = serviceofferingid.id
    return offering_view(call.session, offering)


@UPDATE_NETWORK_OFFERING.handler
def update_network_offering(call: Call, id: NetworkOffering | None = None, name: str | None = None,
                            sortkey: int | None = None, keepaliveenabled: bool | None = None,
                            **changes: Any) -> dict[str, Any]:
    offering = id if id is not None else _by_name(call, name)
    new_name = name if id is not None else None
    return offering_view(call.session, offerings.update_offering(call.session, call.caller, offering, name=new_name,
                                                                 **changes))


@DELETE_NETWORK_OFFERING.handler
def delete_network_offering(call: Call, id: NetworkOffering) -> None:
    offerings.delete_offering(call.session, call.caller, id)


@LIST_NETWORK_OFFERINGS.handler
def list_network_offerings(call: Call, id: NetworkOffering | None = None, name: str | None = None,
                           guestiptype: str | None = None, state: str | None = None, isdefault: bool | None = None,
                           specifyvlan: bool | None = None, availability: str | None = None,
                           forvpc: bool | None = None, supportedservices: list[str] | None = None,
                           sourcenatsupported: bool | None = None, traffictype: str | None = None,
                           keyword: str | None = None, zoneid: Zone | None = None, **_ignored: Any) -> ListResult:
    rows, count = offerings.list_offerings(
        call.session, call.caller, id=id, name=name, guestiptype=guestiptype, state=state, isdefault=isdefault,
        specifyvlan=specifyvlan, availability=availability, forvpc=forvpc, supportedservices=supportedservices,
        sourcenatsupported=sourcenatsupported, traffictype=traffictype, keyword=keyword, page=call.paging.page,
        pagesize=call.paging.pagesize)
    return ListResult([offering_view(call.session, row) for row in rows], count)


@LIST_SUPPORTED_SERVICES.handler
def list_supported_services(call: Call, provider: str | None = None, service: str | None = None,
                            **_ignored: Any) -> ListResult:
    installed = call.registry.network_providers()
    if provider is not None and provider.lower() not in {name.lower() for name in installed}:
        return ListResult([], 0)
    items = []
    for network_service in NetworkService:
        if service is not None and network_service.value.lower() != service.strip().lower():
            continue
        offered_by = [name for name in installed
                      if network_service in call.registry.network_provider_class(name).capabilities.services
                      and (provider is None or name.lower() == provider.lower())]
        if provider is not None and not offered_by:
            continue
        items.append({"name": network_service.value,
                      "provider": [{"name": name, "canenableindividualservice": True} for name in offered_by],
                      "capability": []})
    return ListResult(call.paging.slice(items), len(items))


def _by_name(call: Call, name: str | None) -> NetworkOffering:
    rows, _count = offerings.list_offerings(call.session, call.caller, name=name) if name else ([], 0)
    if not rows:
        raise InvalidParameter("id", "give the id (or the name) of the network offering to update")
    return rows[0]

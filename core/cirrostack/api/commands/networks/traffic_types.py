"""addTrafficType, updateTrafficType, deleteTrafficType and listTrafficTypes (root admin)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.networks._infra_views import TRAFFIC_TYPE_RESPONSE, traffic_type_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import String, Uuid
from cirrostack.db.models.networks import PhysicalNetwork, PhysicalNetworkTrafficType
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.networks import traffic_types

_PACKAGE = "org.apache.cloudstack.api.command.admin.usage."
_RELATED = ("addTrafficType", "listTrafficTypes", "updateTrafficType")
_LABELS = (
    Param("kvmnetworklabel", String(), "The network name label of the physical device dedicated to this traffic on "
                                       "a KVM host"),
    Param("xennetworklabel", String(), "The network name label of the physical device dedicated to this traffic on "
                                       "a XenServer host"),
    Param("vmwarenetworklabel", String(), "The network name label of the physical device dedicated to this traffic "
                                          "on a VMware host"),
    Param("hypervnetworklabel", String(), "The network name label of the physical device dedicated to this traffic "
                                          "on a Hyperv host"),
)

ADD_TRAFFIC_TYPE = Command(
    "addTrafficType", "Adds traffic type to a physical network", response=TRAFFIC_TYPE_RESPONSE, is_async=True,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "AddTrafficTypeCmd", related=_RELATED,
    params=(Param("physicalnetworkid", Uuid("PhysicalNetwork"), "the Physical Network ID", required=True),
            Param("traffictype", String(), "the trafficType to be added to the physical network", required=True),
            Param("vlan", String(), "The VLAN id to be used for Management traffic by VMware host"),
            Param("isolationmethod", String(), "Used if physical network has multiple isolation types and traffic "
                                               "type is public. Choose which isolation method. Valid options "
                                               "currently 'vlan' or 'vxlan', defaults to 'vlan'."),
            *_LABELS))

UPDATE_TRAFFIC_TYPE = Command(
    "updateTrafficType", "Updates traffic type of a physical network", response=TRAFFIC_TYPE_RESPONSE,
    is_async=True, roles=ROOT_ADMIN, java_class=_PACKAGE + "UpdateTrafficTypeCmd", related=_RELATED,
    params=(Param("id", Uuid("TrafficType"), "traffic type id", required=True), *_LABELS))

DELETE_TRAFFIC_TYPE = Command(
    "deleteTrafficType", "Deletes traffic type of a physical network", kind=CommandKind.SUCCESS, is_async=True,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "DeleteTrafficTypeCmd",
    params=(Param("id", Uuid("TrafficType"), "traffic type id", required=True),))

LIST_TRAFFIC_TYPES = Command(
    "listTrafficTypes", "Lists traffic types of a given physical network.", kind=CommandKind.LIST,
    response=TRAFFIC_TYPE_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "ListTrafficTypesCmd",
    response_name="listtraffictypesresponse", related=_RELATED,
    params=(Param("physicalnetworkid", Uuid("PhysicalNetwork"), "the Physical Network ID", required=True),
            *LIST_PARAMS))


@ADD_TRAFFIC_TYPE.handler
def add_traffic_type(call: Call, physicalnetworkid: PhysicalNetwork, traffictype: str, vlan: str | None = None,
                     isolationmethod: str | None = None, **labels: Any) -> dict[str, Any]:
    row = traffic_types.add_traffic_type(call.session, call.caller, physicalnetworkid, traffictype, vlan,
                                         registry=call.registry, **labels)
    return traffic_type_view(call.session, row)


@UPDATE_TRAFFIC_TYPE.handler
def update_traffic_type(call: Call, id: PhysicalNetworkTrafficType, **labels: Any) -> dict[str, Any]:
    row = traffic_types.update_traffic_type(call.session, call.caller, id, registry=call.registry, **labels)
    return traffic_type_view(call.session, row)


@DELETE_TRAFFIC_TYPE.handler
def delete_traffic_type(call: Call, id: PhysicalNetworkTrafficType) -> None:
    traffic_types.delete_traffic_type(call.session, call.caller, id)


@LIST_TRAFFIC_TYPES.handler
def list_traffic_types(call: Call, physicalnetworkid: PhysicalNetwork, **_ignored: Any) -> ListResult:
    rows, count = traffic_types.list_traffic_types(call.session, call.caller, physicalnetworkid,
                                                   page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([traffic_type_view(call.session, row) for row in rows], count)

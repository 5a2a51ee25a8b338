"""listCapacity: CPU, memory and storage capacity per zone, pod or cluster (root admin).

Figures are computed when asked (services.capacity), so `fetchlatest` is accepted and always
holds. Without podid/clusterid a row covers a zone; with podid a pod; with clusterid a cluster.
`sortby=usage` lists the fullest clusters (zones for zone-wide and secondary storage) first.
"""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import Boolean, Integer, String, Uuid
from cirrostack.db.models.infrastructure import Cluster, Pod, Zone
from cirrostack.errors import InvalidParameter
from cirrostack.services import capacity
from cirrostack.services.capacity import CapacityFigure, CapacityType, Level
from cirrostack.services.context import ROOT_ADMIN

CAPACITY_RESPONSE = Response("capacity", (
    Field("type", "short", "the capacity type"),
    Field("zoneid", "string", "the Zone ID"),
    Field("zonename", "string", "the Zone name"),
    Field("podid", "string", "the Pod ID"),
    Field("podname", "string", "the Pod name"),
    Field("clusterid", "string", "the Cluster ID"),
    Field("clustername", "string", "the Cluster name"),
    Field("capacitytotal", "long", "the total capacity available"),
    Field("capacityused", "long", "the capacity currently in use"),
    Field("percentused", "string", "the percentage of capacity currently in use"),
))

LIST_CAPACITY = Command(
    "listCapacity", "Lists all the system wide capacities.", kind=CommandKind.LIST, response=CAPACITY_RESPONSE,
    roles=ROOT_ADMIN, java_class="org.apache.cloudstack.api.command.admin.resource.ListCapacityCmd",
    params=(Param("zoneid", Uuid("Zone"), "lists capacity by the Zone ID"),
            Param("podid", Uuid("Pod"), "lists capacity by the Pod ID"),
            Param("clusterid", Uuid("Cluster"), "lists capacity by the Cluster ID", since="3.0.0"),
            Param("type", Integer(minimum=0), "lists capacity by type: 0 memory, 1 CPU, 2 storage, 3 storage "
                                              "allocated, 6 secondary storage"),
            Param("fetchlatest", Boolean(), "recalculate capacities and fetch the latest (figures are always "
                                            "computed when asked)", since="3.0.0"),
            Param("sortby", String(), "Sort the results. Available values: Usage", since="3.0.0"),
            *LIST_PARAMS))


def capacity_view(figure: CapacityFigure) -> dict[str, Any]:
    view: dict[str, Any] = {"type": int(figure.type), "zoneid": figure.zone.uuid, "zonename": figure.zone.name,
                            "capacitytotal": figure.total, "capacityused": figure.used,
                            "percentused": figure.percent_used}
    if figure.pod is not None:
        view.update(podid=figure.pod.uuid, podname=figure.pod.name)
    if figure.cluster is not None:
        view.update(clusterid=figure.cluster.uuid, clustername=figure.cluster.name)
    return view


@LIST_CAPACITY.handler
def list_capacity(call: Call, zoneid: Zone | None = None, podid: Pod | None = None, clusterid: Cluster | None = None,
                  type: int | None = None, sortby: str | None = None, fetchlatest: bool = False,
                  **_paging: Any) -> ListResult:
    if type is not None and type not in set(CapacityType):
        known = ", ".join(f"{int(t)} {t.name.lower()}" for t in CapacityType)
        raise InvalidParameter("type", f"{type} is not a capacity type ({known})")
    if sortby is not None and sortby.lower() != "usage":
        raise InvalidParameter("sortby", f"{sortby!r} is not a sort order; the available value is usage")
    ids = {"zone_id": zoneid.id if zoneid else None, "pod_id": podid.id if podid else None,
           "cluster_id": clusterid.id if clusterid else None}
    if sortby is not None:
        found = capacity.top_consumed(call.session, capacity_type=type, **ids)
    else:
        level = Level.CLUSTER if clusterid else Level.POD if podid else Level.ZONE
        found = capacity.figures(call.session, level, capacity_type=type, **ids)
    return ListResult([capacity_view(figure) for figure in call.paging.slice(found)], len(found))

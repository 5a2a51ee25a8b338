"""createPod, updatePod, deletePod and listPods (root admin)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.infrastructure._views import POD_RESPONSE, pod_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models.infrastructure import Pod, Zone
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.infrastructure import pods

_PACKAGE = "org.apache.cloudstack.api.command.admin.pod."
_RELATED = ("createPod", "listPods", "updatePod")

CREATE_POD = Command(
    "createPod", "Creates a new Pod.", response=POD_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "CreatePodCmd",
    related=_RELATED,
    params=(Param("name", String(), "the name of the Pod", required=True),
            Param("zoneid", Uuid("Zone"), "the Zone ID in which the Pod will be created", required=True),
            Param("gateway", String(), "the gateway for the Pod", required=True),
            Param("netmask", String(), "the netmask for the Pod", required=True),
            Param("startip", String(), "the starting IP address for the Pod", required=True),
            Param("endip", String(), "the ending IP address for the Pod"),
            Param("allocationstate", String(), "Allocation state of this Pod for allocation of new resources")))

UPDATE_POD = Command(
    "updatePod", "Updates a Pod.", response=POD_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "UpdatePodCmd",
    related=_RELATED,
    params=(Param("id", Uuid("Pod"), "the ID of the Pod", required=True),
            Param("name", String(), "the name of the Pod"),
            Param("gateway", String(), "the gateway for the Pod"),
            Param("netmask", String(), "the netmask of the Pod"),
            Param("startip", String(), "the starting IP address for the Pod"),
            Param("endip", String(), "the ending IP address for the Pod"),
            Param("allocationstate", String(), "Allocation state of this cluster for allocation of new resources")))

DELETE_POD = Command(
    "deletePod", "Deletes a Pod; refused while it still has clusters.", kind=CommandKind.SUCCESS, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "DeletePodCmd", params=(Param("id", Uuid("Pod"), "the ID of the Pod", required=True),))

LIST_PODS = Command(
    "listPods", "Lists all Pods.", kind=CommandKind.LIST, response=POD_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "ListPodsByCmd", related=_RELATED,
    params=(Param("id", Uuid("Pod"), "list Pods by ID"),
            Param("name", String(), "list Pods by name"),
            Param("zoneid", Uuid("Zone"), "list Pods by Zone ID"),
            Param("allocationstate", String(), "list pods by allocation state"),
            Param("showcapacities", Boolean(), "flag to display the capacity of the pods (see listCapacity)"),
            *LIST_PARAMS))


@CREATE_POD.handler
def create_pod(call: Call, zoneid: Zone, **fields: Any) -> dict[str, Any]:
    return pod_view(pods.create_pod(call.session, call.caller, zone=zoneid, **fields))


@UPDATE_POD.handler
def update_pod(call: Call, id: Pod, **changes: Any) -> dict[str, Any]:
    return pod_view(pods.update_pod(call.session, call.caller, id, **changes))


@DELETE_POD.handler
def delete_pod(call: Call, id: Pod) -> None:
    pods.delete_pod(call.session, call.caller, id)


@LIST_PODS.handler
def list_pods(call: Call, id: Pod | None = None, name: str | None = None, zoneid: Zone | None = None,
              allocationstate: str | None = None, keyword: str | None = None, **_ignored: Any) -> ListResult:
    rows, count = pods.list_pods(call.session, call.caller, id=id, name=name, zone=zoneid,
                                 allocationstate=allocationstate, keyword=keyword, page=call.paging.page,
                                 pagesize=call.paging.pagesize)
    return ListResult([pod_view(row) for row in rows], count)

"""addCluster, updateCluster, deleteCluster and listClusters (root admin)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.infrastructure._views import CLUSTER_RESPONSE, cluster_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, String, Uuid
from cirrostack.db.models.infrastructure import Cluster, Pod, Zone
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.infrastructure import clusters

_PACKAGE = "org.apache.cloudstack.api.command.admin.cluster."
_RELATED = ("addCluster", "listClusters", "updateCluster")

ADD_CLUSTER = Command(
    "addCluster", "Adds a new cluster", kind=CommandKind.LIST, response=CLUSTER_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "AddClusterCmd", related=_RELATED,
    params=(Param("clustername", String(), "the cluster name", required=True),
            Param("clustertype", String(), "type of the cluster: CloudManaged, ExternalManaged", required=True),
            Param("hypervisor", String(), "hypervisor type of the cluster; one an installed plugin provides "
                                          "(listHypervisors)", required=True),
            Param("podid", Uuid("Pod"), "the Pod ID for the host", required=True),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the cluster", required=True),
            Param("allocationstate", String(), "Allocation state of this cluster for allocation of new resources"),
            Param("url", String(), "the URL of the cluster's manager (ExternalManaged clusters)", length=1024),
            Param("username", String(), "the username for the cluster's manager"),
            Param("password", String(), "the password for the cluster's manager (not stored: cirrostack reaches "
                                        "hosts with their own credentials)")))

UPDATE_CLUSTER = Command(
    "updateCluster", "Updates an existing cluster", response=CLUSTER_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "UpdateClusterCmd", related=_RELATED,
    params=(Param("id", Uuid("Cluster"), "the ID of the Cluster", required=True),
            Param("clustername", String(), "the cluster name"),
            Param("clustertype", String(), "type of the cluster"),
            Param("hypervisor", String(), "hypervisor type of the cluster (cannot change)"),
            Param("allocationstate", String(), "Allocation state of this cluster for allocation of new resources"),
            Param("managedstate", String(), "whether this cluster is managed by cloudstack: Managed or Unmanaged")))

DELETE_CLUSTER = Command(
    "deleteCluster", "Deletes a cluster; refused while it still has hosts.", kind=CommandKind.SUCCESS,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "DeleteClusterCmd",
    params=(Param("id", Uuid("Cluster"), "the cluster ID", required=True),))

LIST_CLUSTERS = Command(
    "listClusters", "Lists clusters.", kind=CommandKind.LIST, response=CLUSTER_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "ListClustersCmd", related=_RELATED,
    params=(Param("id", Uuid("Cluster"), "lists clusters by the cluster ID"),
            Param("name", String(), "lists clusters by the cluster name"),
            Param("zoneid", Uuid("Zone"), "lists clusters by Zone ID"),
            Param("podid", Uuid("Pod"), "lists clusters by Pod ID"),
            Param("hypervisor", String(), "lists clusters by hypervisor type"),
            Param("clustertype", String(), "lists clusters by cluster type"),
            Param("allocationstate", String(), "lists clusters by allocation state"),
            Param("managedstate", String(), "whether this cluster is managed by cloudstack"),
            Param("showcapacities", Boolean(), "flag to display the capacity of the clusters (see listCapacity)"),
            *LIST_PARAMS))


@ADD_CLUSTER.handler
def add_cluster(call: Call, zoneid: Zone, podid: Pod, clustername: str, clustertype: str, hypervisor: str,
                allocationstate: str | None = None, url: str | None = None, **_credentials: Any) -> ListResult:
    cluster = clusters.add_cluster(call.session, call.caller, call.registry, zone=zoneid, pod=podid,
                                   clustername=clustername, clustertype=clustertype, hypervisor=hypervisor,
                                   allocationstate=allocationstate, url=url)
    return ListResult([cluster_view(cluster)], 1)


@UPDATE_CLUSTER.handler
def update_cluster(call: Call, id: Cluster, **changes: Any) -> dict[str, Any]:
    return cluster_view(clusters.update_cluster(call.session, call.caller, id, **changes))


@DELETE_CLUSTER.handler
def delete_cluster(call: Call, id: Cluster) -> None:
    clusters.delete_cluster(call.session, call.caller, id)


@LIST_CLUSTERS.handler
def list_clusters(call: Call, id: Cluster | None = None, zoneid: Zone | None = None, podid: Pod | None = None,
                  showcapacities: bool = False, page: int | None = None, pagesize: int | None = None,
                  **filters: Any) -> ListResult:
    rows, count = clusters.list_clusters(call.session, call.caller, id=id, zone=zoneid, pod=podid, **filters,
                                         page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([cluster_view(row) for row in rows], count)

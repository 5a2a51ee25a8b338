"""addHost, updateHost, deleteHost and listHosts (root admin)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.infrastructure._views import HOST_RESPONSE, host_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import Boolean, ListOf, String, Uuid
from cirrostack.db.models.infrastructure import Cluster, Host, Pod, Zone
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.infrastructure import hosts

_PACKAGE = "org.apache.cloudstack.api.command.admin.host."
_RELATED = ("addHost", "listHosts", "updateHost", "reconnectHost")

ADD_HOST = Command(
    "addHost", "Adds a new host through the plugin of the cluster's hypervisor type.", kind=CommandKind.LIST,
    response=HOST_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "AddHostCmd", related=_RELATED,
    params=(Param("hypervisor", String(), "hypervisor type of the host", required=True),
            Param("url", String(), "the host URL (the simulator takes http://sim/<cluster>/<host>)", required=True,
                  length=1024),
            Param("username", String(), "the username for the host", required=True),
            Param("password", String(), "the password for the host (stored encrypted)", required=True),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the host", required=True),
            Param("podid", Uuid("Pod"), "the Pod ID for the host", required=True),
            Param("clusterid", Uuid("Cluster"), "the cluster ID for the host"),
            Param("clustername", String(), "the name of an existing cluster of the pod for the host"),
            Param("hosttags", ListOf(String()), "list of tags to be added to the host"),
            Param("allocationstate", String(), "Allocation state of this Host for allocation of new resources: "
                                               "Enable or Disable")))

UPDATE_HOST = Command(
    "updateHost", "Updates a host.", response=HOST_RESPONSE, roles=ROOT_ADMIN, java_class=_PACKAGE + "UpdateHostCmd",
    related=_RELATED,
    params=(Param("id", Uuid("Host"), "the ID of the host to update", required=True),
            Param("allocationstate", String(), "Change resource state of host, valid values are [Enable, Disable]. "
                                               "Operation may failed if host in states not allowing Enable/Disable"),
            Param("hosttags", ListOf(String()), "list of tags to be added to the host (replaces its tags)")))

DELETE_HOST = Command(
    "deleteHost", "Deletes a host; it must be in maintenance unless forced.", kind=CommandKind.SUCCESS,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "DeleteHostCmd",
    params=(Param("id", Uuid("Host"), "the host ID", required=True),
            Param("forced", Boolean(), "Force delete the host even when it is not in maintenance"),
            Param("forcedestroylocalstorage", Boolean(), "Force destroy local storage on this host (no local "
                                                         "storage is attached to hosts yet)")))

LIST_HOSTS = Command(
    "listHosts", "Lists hosts.", kind=CommandKind.LIST, response=HOST_RESPONSE, roles=ROOT_ADMIN,
    java_class=_PACKAGE + "ListHostsCmd", related=_RELATED,
    params=(Param("id", Uuid("Host"), "the id of the host"),
            Param("name", String(), "the name of the host"),
            Param("type", String(), "the host type"),
            Param("state", String(), "the state of the host"),
            Param("resourcestate", String(), "list hosts by resource state"),
            Param("hypervisor", String(), "hypervisor type of host"),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the host"),
            Param("podid", Uuid("Pod"), "the Pod ID for the host"),
            Param("clusterid", Uuid("Cluster"), "lists hosts existing in particular cluster"),
            Param("details", ListOf(String()), "comma separated list of host details requested (all are returned)"),
            *LIST_PARAMS))


@ADD_HOST.handler
def add_host(call: Call, zoneid: Zone, podid: Pod, clusterid: Cluster | None = None, **fields: Any) -> ListResult:
    host = hosts.add_host(call.session, call.caller, call.registry, call.secrets, zone=zoneid, pod=podid,
                          cluster=clusterid, **fields)
    return ListResult([host_view(host)], 1)


@UPDATE_HOST.handler
def update_host(call: Call, id: Host, allocationstate: str | None = None,
                hosttags: list[str] | None = None) -> dict[str, Any]:
    return host_view(hosts.update_host(call.session, call.caller, id, allocationstate=allocationstate,
                                       hosttags=hosttags))


@DELETE_HOST.handler
def delete_host(call: Call, id: Host, forced: bool = False, forcedestroylocalstorage: bool = False) -> None:
    hosts.delete_host(call.session, call.caller, id, forced=forced)


@LIST_HOSTS.handler
def list_hosts(call: Call, id: Host | None = None, zoneid: Zone | None = None, podid: Pod | None = None,
               clusterid: Cluster | None = None, details: list[str] | None = None, page: int | None = None,
               pagesize: int | None = None, **filters: Any) -> ListResult:
    rows, count = hosts.list_hosts(call.session, call.caller, id=id, zone=zoneid, pod=podid, cluster=clusterid,
                                   **filters, page=call.paging.page, pagesize=call.paging.pagesize)
    return ListResult([host_view(row) for row in rows], count)

"""listHypervisors and listHypervisorCapabilities, from what the installed plugins declare.

A capabilities row's `id` is a uuid5 of the hypervisor type, so it is the same after every
restart. `hypervisorversion` is "default": a driver declares one set of capabilities for every
version of its hypervisor (CloudStack's "default" row).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Param, Response
from cirrostack.api.params import String, Uuid
from cirrostack.db.models.infrastructure import Cluster, Zone
from cirrostack.hookspecs.hypervisor import HypervisorCapabilities
from cirrostack.services.context import ANY_ROLE, ROOT_ADMIN

#: Namespace of the stable capability row ids.
CAPABILITIES_NAMESPACE = uuid.UUID("6f1b7c2e-4d0a-5b8e-9c3f-2a7d1e5b9c40")

HYPERVISOR_RESPONSE = Response("hypervisor", (Field("name", "string", "Hypervisor name"),))

CAPABILITIES_RESPONSE = Response("hypervisorCapabilities", (
    Field("id", "string", "the ID of the hypervisor capabilities row"),
    Field("hypervisor", "hypervisortype", "the hypervisor type"),
    Field("hypervisorversion", "string", "the hypervisor version"),
    Field("maxguestslimit", "long", "the maximum number of guest vms recommended for this hypervisor (0: no limit "
                                    "declared)"),
    Field("securitygroupenabled", "boolean", "true if security group is supported"),
    Field("maxdatavolumeslimit", "integer", "the maximum number of Data Volumes that can be attached for this "
                                            "hypervisor"),
    Field("maxhostspercluster", "integer", "the maximum number of Hosts per cluster for this hypervisor (0: no "
                                           "limit declared)"),
    Field("storagemotionenabled", "boolean", "true if storage motion is supported"),
    Field("vmsnapshotenabled", "boolean", "true if VM snapshots are enabled for this hypervisor"),
))

LIST_HYPERVISORS = Command(
    "listHypervisors", "List hypervisors", kind=CommandKind.LIST, response=HYPERVISOR_RESPONSE, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.config.ListHypervisorsCmd",
    params=(Param("zoneid", Uuid("Zone"), "the zone id for listing hypervisors (the types of its clusters)"),
            *LIST_PARAMS))

LIST_HYPERVISOR_CAPABILITIES = Command(
    "listHypervisorCapabilities", "Lists all hypervisor capabilities.", kind=CommandKind.LIST,
    response=CAPABILITIES_RESPONSE, roles=ROOT_ADMIN, since="3.0.0",
    java_class="org.apache.cloudstack.api.command.admin.config.ListHypervisorCapabilitiesCmd",
    params=(Param("id", Uuid("HypervisorCapabilities", load=False), "ID of the hypervisor capability"),
            Param("hypervisor", String(), "the hypervisor for which to restrict the search"),
            *LIST_PARAMS))


def capabilities_id(hypervisor_type: str) -> str:
    """The stable id of a hypervisor type's capabilities row."""
    return str(uuid.uuid5(CAPABILITIES_NAMESPACE, hypervisor_type.lower()))


def capabilities_view(hypervisor_type: str, capabilities: HypervisorCapabilities) -> dict[str, Any]:
    return {"id": capabilities_id(hypervisor_type), "hypervisor": hypervisor_type, "hypervisorversion": "default",
            "maxguestslimit": capabilities.max_guests_per_host, "securitygroupenabled": capabilities.security_groups,
            "maxdatavolumeslimit": capabilities.max_data_volumes,
            "maxhostspercluster": capabilities.max_hosts_per_cluster,
            "storagemotionenabled": capabilities.storage_motion, "vmsnapshotenabled": capabilities.vm_snapshots}


@LIST_HYPERVISORS.handler
def list_hypervisors(call: Call, zoneid: Zone | None = None, keyword: str | None = None,
                     **_paging: Any) -> ListResult:
    if zoneid is None:
        names = call.registry.hypervisor_types()
    else:
        names = sorted(set(call.session.scalars(select(Cluster.hypervisor_type).where(
            Cluster.zone_id == zoneid.id, Cluster.removed.is_(None)))))
    rows = [{"name": name} for name in names if not keyword or keyword.lower() in name.lower()]
    return ListResult(call.paging.slice(rows), len(rows))


@LIST_HYPERVISOR_CAPABILITIES.handler
def list_hypervisor_capabilities(call: Call, id: str | None = None, hypervisor: str | None = None,
                                 keyword: str | None = None, **_paging: Any) -> ListResult:
    rows = []
    for name in call.registry.hypervisor_types():
        driver_class = call.registry.hypervisor_class(name)
        row = capabilities_view(driver_class.hypervisor_type, driver_class.capabilities)
        if id is not None and row["id"] != id:
            continue
        if hypervisor is not None and hypervisor.lower() != row["hypervisor"].lower():
            continue
        if keyword and keyword.lower() not in row["hypervisor"].lower():
            continue
        rows.append(row)
    return ListResult(call.paging.slice(rows), len(rows))

"""Hosts: addHost (through the cluster's hypervisor plugin), updateHost, deleteHost and listHosts."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Cluster, Host, HostDetail, HostState, HostTag, Pod, ResourceState, Zone
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.db.timestamps import utcnow
from cirrostack.errors import InvalidParameter, InvalidState
from cirrostack.hookspecs.hypervisor import HostInfo, HostRef
from cirrostack.plugins.registry import PluginRegistry
from cirrostack.services import hypervisor_support, scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.infrastructure import _checks
from cirrostack.services.infrastructure._hypervisors import installed_type
from cirrostack.services.infrastructure._in_use import refuse_if_in_use

#: updateHost's `allocationstate` values and the resource state each sets.
ALLOCATION_STATES = {"Enable": ResourceState.ENABLED.value, "Disable": ResourceState.DISABLED.value}


def add_host(session: Session, caller: Caller, registry: PluginRegistry, secrets: Any, *, zone: Zone, pod: Pod,
             hypervisor: str, url: str, username: str, password: str, cluster: Cluster | None = None,
             clustername: str | None = None, hosttags: list[str] | None = None,
             allocationstate: str | None = None) -> Host:
    """Connect the host at `url` through the plugin of the cluster's hypervisor type and record what
    it reports (sockets, cores, threads, speed, memory, hypervisor version, CPU model).

    The cluster is `cluster`, or the one named `clustername` in `pod`. The password is stored
    encrypted. A hypervisor type no loaded plugin provides, or one that differs from the
    cluster's, is a 431 naming `hypervisor`; the plugin's own errors (an unreachable host, a URL
    it does not accept) pass through. Records HOST.ADD.
    """
    if pod.zone_id != zone.id:
        raise InvalidParameter("podid", f"pod {pod.name} is in zone {pod.zone.name}, not in zone {zone.name}")
    target = cluster if cluster is not None else _cluster_named(session, pod, clustername)
    if target.pod_id != pod.id:
        raise InvalidParameter("clusterid", f"cluster {target.name} is in pod {target.pod.name}, not in pod {pod.name}")
    hypervisor_type = installed_type(registry, hypervisor)
    if hypervisor_type != target.hypervisor_type:
        raise InvalidParameter("hypervisor", f"{hypervisor_type} does not match cluster {target.name}, which is a "
                                             f"{target.hypervisor_type} cluster")
    address = _checks.name("url", url)
    already = session.scalars(select(Host).where(Host.url == address, Host.removed.is_(None))).first()
    if already is not None:
        raise InvalidParameter("url", f"{address} is already added as host {already.name} ({already.uuid})")
    host_uuid = str(uuid.uuid4())
    name = _name_from_url(address)
    info = registry.hypervisor(hypervisor_type).connect_host(
        HostRef(uuid=host_uuid, name=name, url=address, username=username, password=password))
    hypervisor_support.require_unbonded_host(session, registry, zone.id, hypervisor_type, name, info.details)
    host = Host(uuid=host_uuid, name=name, zone_id=zone.id, pod_id=pod.id, cluster_id=target.id, url=address,
                username=username, password=secrets.encrypt(password) if password else None,
                ip_address=urlsplit(address).hostname, hypervisor_type=hypervisor_type, state=HostState.UP.value,
                resource_state=_allocation_state(allocationstate) if allocationstate else ResourceState.ENABLED.value,
                last_ping=utcnow())
    apply_host_info(host, info)
    host.tags = [HostTag(tag=tag) for tag in _tags(hosttags)]
    session.add(host)
    session.flush()
    record_event(session, caller, "HOST.ADD", f"Added {hypervisor_type} host {host.name} to cluster {target.name}",
                 resource_type="Host", resource_uuid=host.uuid)
    return host


def apply_host_info(host: Host, info: HostInfo) -> None:
    """Copy what the hypervisor reported into the host's columns and details."""
    host.cpu_sockets = info.sockets
    host.cpu_cores = info.total_cores
    host.cpu_threads = info.total_cores * info.threads_per_core
    host.cpu_speed_mhz = info.cpu_mhz
    host.memory_bytes = info.memory_bytes
    host.hypervisor_version = info.hypervisor_version
    host.cpu_model = info.cpu_model or None
    known = {detail.name: detail for detail in host.details}
    for key, text in info.details.items():
        if key in known:
            known[key].value = str(text)
        else:
            host.details.append(HostDetail(name=key, value=str(text)))


def host_ref(host: Host, secrets: Any) -> HostRef:
    """How a driver reaches `host`, with the password decrypted for the call."""
    return HostRef(uuid=host.uuid, name=host.name, url=host.url, username=host.username or "",
                   password=secrets.decrypt(host.password) if host.password else "",
                   details={detail.name: detail.value for detail in host.details})


def update_host(session: Session, caller: Caller, host: Host, *, allocationstate: str | None = None,
                hosttags: list[str] | None = None) -> Host:
    """Enable or disable a host for new VMs (`allocationstate` Enable/Disable) or replace its
    tags. A host in maintenance keeps its resource state. Records HOST.EDIT."""
    if allocationstate is not None:
        wanted = _allocation_state(allocationstate)
        if host.resource_state not in (ResourceState.ENABLED.value, ResourceState.DISABLED.value):
            raise InvalidState(f"allocationstate: host {host.name} is in resource state {host.resource_state}; "
                               "cancel its maintenance before enabling or disabling it")
        host.resource_state = wanted
    if hosttags is not None:
        wanted_tags = _tags(hosttags)
        host.tags = [tag for tag in host.tags if tag.tag in wanted_tags]
        present = set(host.tag_names)
        host.tags.extend(HostTag(tag=tag) for tag in wanted_tags if tag not in present)
    session.flush()
    record_event(session, caller, "HOST.EDIT", f"Updated host {host.name}", resource_type="Host",
                 resource_uuid=host.uuid)
    return host


def delete_host(session: Session, caller: Caller, host: Host, *, forced: bool = False) -> None:
    """Remove a host that is in maintenance (any state with `forced`), once nothing registered as
    using it (VMs) remains. Records HOST.DELETE."""
    if not forced and host.resource_state != ResourceState.MAINTENANCE.value:
        raise InvalidState(f"id: host {host.name} ({host.uuid}) is in resource state {host.resource_state}; put it "
                           "into maintenance first (prepareHostForMaintenance) or pass forced=true")
    refuse_if_in_use(session, "Host", host)
    host.mark_removed()
    session.flush()
    record_event(session, caller, "HOST.DELETE", f"Deleted host {host.name}", resource_type="Host",
                 resource_uuid=host.uuid)


def list_hosts(session: Session, caller: Caller, *, id: Host | None = None, name: str | None = None,
               type: str | None = None, state: str | None = None, resourcestate: str | None = None,
               hypervisor: str | None = None, zone: Zone | None = None, pod: Pod | None = None,
               cluster: Cluster | None = None, keyword: str | None = None, page: int = 1,
               pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Host], int]:
    statement = scope.visible(caller, "Host")
    for column, obj in ((Host.id, id), (Host.zone_id, zone), (Host.pod_id, pod), (Host.cluster_id, cluster)):
        if obj is not None:
            statement = statement.where(column == obj.id)
    text_filters = {Host.name: name, Host.type: type, Host.state: state, Host.resource_state: resourcestate,
                    Host.hypervisor_type: hypervisor}
    for column, text in text_filters.items():
        if text is not None:
            statement = statement.where(func.lower(column) == text.strip().lower())
    if keyword:
        statement = statement.where(Host.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Host.id), page, pagesize)


def _cluster_named(session: Session, pod: Pod, clustername: str | None) -> Cluster:
    if not clustername:
        raise InvalidParameter("clusterid", "give the host's cluster as clusterid or clustername")
    found = session.scalars(select(Cluster).where(Cluster.pod_id == pod.id, Cluster.removed.is_(None),
                                                  func.lower(Cluster.name) == clustername.strip().lower())).first()
    if found is None:
        raise InvalidParameter("clustername", f"pod {pod.name} has no cluster named {clustername}")
    return found


def _allocation_state(value: str) -> str:
    return ALLOCATION_STATES[_checks.choice("allocationstate", value, list(ALLOCATION_STATES))]


def _tags(values: list[str] | None) -> list[str]:
    tags: list[str] = []
    for value in values or []:
        tag = value.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _name_from_url(url: str) -> str:
    """A readable host name: the URL's host and path ("sim/c0/h0", "10.1.1.5")."""
    parts = urlsplit(url)
    return (f"{parts.hostname or ''}{parts.path}".strip("/") or url)[:255]

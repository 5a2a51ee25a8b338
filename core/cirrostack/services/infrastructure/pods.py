"""Pods: createPod, updatePod, deletePod and listPods."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import AllocationState, Cluster, Pod, Zone
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter
from cirrostack.services import scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event
from cirrostack.services.infrastructure import _checks
from cirrostack.services.infrastructure._in_use import refuse_if_in_use, register_in_use_check


def create_pod(session: Session, caller: Caller, *, zone: Zone, name: str, gateway: str, netmask: str,
               startip: str, endip: str | None = None, allocationstate: str | None = None) -> Pod:
    """A new pod in `zone` with its management address range. Records POD.CREATE."""
    pod = Pod(zone_id=zone.id, name=_unique_name(session, zone, name),
              allocation_state=_allocation_state(allocationstate or AllocationState.ENABLED.value))
    _set_range(pod, gateway=gateway, netmask=netmask, startip=startip, endip=endip)
    session.add(pod)
    session.flush()
    record_event(session, caller, "POD.CREATE", f"Created pod {pod.name} in zone {zone.name}",
                 resource_type="Pod", resource_uuid=pod.uuid)
    return pod


def update_pod(session: Session, caller: Caller, pod: Pod, **changes: Any) -> Pod:
    """Change name, gateway, netmask, startip, endip or allocationstate. Records POD.EDIT."""
    if changes.get("name") is not None and changes["name"].strip().lower() != pod.name.lower():
        pod.name = _unique_name(session, pod.zone, changes["name"])
    if any(changes.get(key) is not None for key in ("gateway", "netmask", "startip", "endip")):
        _set_range(pod, gateway=changes.get("gateway") or pod.gateway, netmask=changes.get("netmask") or pod.netmask,
                   startip=changes.get("startip") or pod.start_ip,
                   endip=changes["endip"] if changes.get("endip") is not None else pod.end_ip)
    if changes.get("allocationstate") is not None:
        pod.allocation_state = _allocation_state(changes["allocationstate"])
    session.flush()
    record_event(session, caller, "POD.EDIT", f"Updated pod {pod.name}", resource_type="Pod", resource_uuid=pod.uuid)
    return pod


def delete_pod(session: Session, caller: Caller, pod: Pod) -> None:
    """Remove a pod without clusters (else 536 with the reasons). Records POD.DELETE."""
    refuse_if_in_use(session, "Pod", pod)
    pod.mark_removed()
    session.flush()
    record_event(session, caller, "POD.DELETE", f"Deleted pod {pod.name}", resource_type="Pod",
                 resource_uuid=pod.uuid)


def list_pods(session: Session, caller: Caller, *, id: Pod | None = None, name: str | None = None,
              zone: Zone | None = None, allocationstate: str | None = None, keyword: str | None = None,
              page: int = 1, pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[Pod], int]:
    statement = scope.visible(caller, "Pod")
    if id is not None:
        statement = statement.where(Pod.id == id.id)
    if name is not None:
        statement = statement.where(func.lower(Pod.name) == name.strip().lower())
    if zone is not None:
        statement = statement.where(Pod.zone_id == zone.id)
    if allocationstate is not None:
        statement = statement.where(Pod.allocation_state == _allocation_state(allocationstate))
    if keyword:
        statement = statement.where(Pod.name.contains(keyword, autoescape=True))
    return fetch_page(session, statement.order_by(Pod.id), page, pagesize)


def _unique_name(session: Session, zone: Zone, name: str) -> str:
    pod_name = _checks.name("name", name)
    taken = session.scalar(select(Pod.uuid).where(Pod.zone_id == zone.id, func.lower(Pod.name) == pod_name.lower(),
                                                  Pod.removed.is_(None)))
    if taken is not None:
        raise InvalidParameter("name", f"zone {zone.name} already has a pod named {pod_name} ({taken})")
    return pod_name


def _allocation_state(value: str) -> str:
    return _checks.choice("allocationstate", value, [s.value for s in AllocationState])


def _set_range(pod: Pod, *, gateway: str, netmask: str, startip: str, endip: str | None) -> None:
    gateway = _checks.ip_address("gateway", gateway)
    netmask = _checks.ipv4_netmask("netmask", netmask)
    startip = _checks.ip_address("startip", startip)
    endip = _checks.ip_address("endip", endip) if endip else None
    _checks.address_range(gateway, netmask, startip, endip)
    pod.gateway, pod.netmask, pod.start_ip, pod.end_ip = gateway, netmask, startip, endip


def _clusters_in_pod(session: Session, pod: Pod) -> str | None:
    count = session.scalar(select(func.count(Cluster.id)).where(Cluster.pod_id == pod.id,
                                                                Cluster.removed.is_(None)))
    return f"it still has {count} cluster(s); delete them first" if count else None


register_in_use_check("Pod", _clusters_in_pod)

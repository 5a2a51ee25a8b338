"""Traffic types of a physical network: addTrafficType, updateTrafficType, deleteTrafficType, listTrafficTypes.

A physical network carries Guest, Management, Public and/or Storage traffic; each traffic type names
the host device (a bridge or NIC) per hypervisor family: kvm, xen, vmware and hyperv network labels.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.networks import Network, PhysicalNetwork, PhysicalNetworkTrafficType, TrafficType
from cirrostack.db.paging import DEFAULT_PAGE_SIZE, fetch_page
from cirrostack.errors import InvalidParameter, ResourceInUse
from cirrostack.services import hypervisor_support, scope
from cirrostack.services.context import Caller
from cirrostack.services.events import record as record_event

LABELS = ("kvmnetworklabel", "xennetworklabel", "vmwarenetworklabel", "hypervnetworklabel")
_COLUMNS = {"kvmnetworklabel": "kvm_label", "xennetworklabel": "xen_label", "vmwarenetworklabel": "vmware_label",
            "hypervnetworklabel": "hyperv_label"}


def add_traffic_type(session: Session, caller: Caller, physical: PhysicalNetwork, traffictype: str,
                     vlan: str | None = None, registry: Any = None, **labels: str | None) -> PhysicalNetworkTrafficType:
    """Let `physical` carry `traffictype`. A zone has one physical network per traffic type. With
    `registry`, a label naming a bonded device of a host whose hypervisor cannot bond is refused (432).
    Records TRAFFIC.TYPE.CREATE."""
    _refuse_bonded_labels(session, registry, physical.zone_id, labels)
    kind = _traffic_type(traffictype)
    other = session.scalars(select(PhysicalNetwork.name).join(
        PhysicalNetworkTrafficType, PhysicalNetworkTrafficType.physical_network_id == PhysicalNetwork.id).where(
        PhysicalNetwork.zone_id == physical.zone_id, PhysicalNetwork.removed.is_(None),
        PhysicalNetworkTrafficType.traffic_type == kind)).first()
    if other is not None:
        raise InvalidParameter("traffictype", f"{kind} traffic is already carried by physical network {other} "
                                              f"of this zone")
    row = PhysicalNetworkTrafficType(physical_network_id=physical.id, traffic_type=kind, vlan=vlan)
    _set_labels(row, labels)
    session.add(row)
    session.flush()
    record_event(session, caller, "TRAFFIC.TYPE.CREATE", f"Added {kind} traffic to physical network {physical.name}",
                 resource_type="TrafficType", resource_uuid=row.uuid)
    return row


def update_traffic_type(session: Session, caller: Caller, row: PhysicalNetworkTrafficType, registry: Any = None,
                        **labels: str | None) -> PhysicalNetworkTrafficType:
    """Change the network labels; with `registry`, refused as add_traffic_type refuses them (432).
    Records TRAFFIC.TYPE.UPDATE."""
    physical = session.get(PhysicalNetwork, row.physical_network_id)
    _refuse_bonded_labels(session, registry, physical.zone_id, labels)
    _set_labels(row, labels)
    session.flush()
    record_event(session, caller, "TRAFFIC.TYPE.UPDATE", f"Updated {row.traffic_type} traffic labels",
                 resource_type="TrafficType", resource_uuid=row.uuid)
    return row


def delete_traffic_type(session: Session, caller: Caller, row: PhysicalNetworkTrafficType) -> None:
    """Stop carrying the traffic type; Guest traffic stays while guest networks use the physical
    network (ResourceInUse). Records TRAFFIC.TYPE.DELETE."""
    if row.traffic_type == TrafficType.GUEST.value:
        user = session.scalar(select(Network.name).where(Network.physical_network_id == row.physical_network_id,
                                                         Network.removed.is_(None)))
        if user is not None:
            raise ResourceInUse(f"id: Guest traffic of this physical network is used by network {user}")
    session.delete(row)
    session.flush()
    record_event(session, caller, "TRAFFIC.TYPE.DELETE", f"Removed {row.traffic_type} traffic",
                 resource_type="TrafficType", resource_uuid=row.uuid)


def list_traffic_types(session: Session, caller: Caller, physical: PhysicalNetwork, *, page: int = 1,
                       pagesize: int | None = DEFAULT_PAGE_SIZE) -> tuple[list[PhysicalNetworkTrafficType], int]:
    statement = scope.visible(caller, "TrafficType").where(
        PhysicalNetworkTrafficType.physical_network_id == physical.id)
    return fetch_page(session, statement.order_by(PhysicalNetworkTrafficType.id), page, pagesize)


def label_for(session: Session, physical_network_id: int, traffic_type: str, hypervisor_type: str) -> str:
    """The host device label of a traffic type for a hypervisor ("" when none was given)."""
    row = session.scalars(select(PhysicalNetworkTrafficType).where(
        PhysicalNetworkTrafficType.physical_network_id == physical_network_id,
        PhysicalNetworkTrafficType.traffic_type == traffic_type)).first()
    if row is None:
        return ""
    column = {"kvm": "kvm_label", "xenserver": "xen_label", "vmware": "vmware_label",
              "hyperv": "hyperv_label"}.get(hypervisor_type.lower(), "kvm_label")
    return getattr(row, column) or ""


def _traffic_type(value: str) -> str:
    accepted = {kind.value.lower(): kind.value for kind in TrafficType}
    if value.strip().lower() not in accepted:
        raise InvalidParameter("traffictype", f"{value!r} is not a traffic type; use one of "
                                              f"{', '.join(kind.value for kind in TrafficType)}")
    return accepted[value.strip().lower()]


def _refuse_bonded_labels(session: Session, registry: Any, zone_id: int, labels: dict[str, str | None]) -> None:
    if registry is None:
        return
    for param, value in labels.items():
        if value:
            hypervisor_support.require_unbonded_label(session, registry, zone_id, param, value.strip())


def _set_labels(row: PhysicalNetworkTrafficType, labels: dict[str, str | None]) -> None:
    for param, value in labels.items():
        if param not in _COLUMNS:
            raise InvalidParameter(param, "is not a network label parameter")
        if value is not None:
            setattr(row, _COLUMNS[param], value.strip() or None)

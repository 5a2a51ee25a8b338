"""What the hypervisors of a zone support, checked before a request reaches any host.

A hypervisor plugin declares its support matrix as `HypervisorCapabilities` (Hyper-V in 4.3, for
instance, has no VM snapshots, no VPC and no zone-wide primary storage). Workflows that offer such a
feature call `require_in_zone` or `require_for_type` first; a request the hypervisors cannot honour is
refused with a 432 that names the hypervisor and the feature, and nothing is changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models.infrastructure import Cluster, Host, HostDetail
from cirrostack.db.models.networks import PhysicalNetwork, PhysicalNetworkTrafficType
from cirrostack.errors import InvalidParameter, UnsupportedOperation
from cirrostack.hookspecs._capability import declared_value
from cirrostack.hookspecs.hypervisor import BONDED_DEVICES_DETAIL, DEFAULT_DEVICE_DETAIL
from cirrostack.plugins.registry import PluginRegistry


def hypervisor_types_in_zone(session: Session, zone_id: int) -> list[str]:
    """The hypervisor types of the zone's clusters, sorted (empty for a zone without clusters)."""
    rows = session.scalars(select(Cluster.hypervisor_type).where(Cluster.zone_id == zone_id,
                                                                 Cluster.removed.is_(None)).distinct())
    return sorted(row for row in rows if row)


def supports(registry: PluginRegistry, hypervisor_type: str, capability: str) -> bool:
    """Whether `hypervisor_type`'s driver declares `capability` (a HypervisorCapabilities field).

    A type with no installed driver supports nothing."""
    try:
        driver_class = registry.hypervisor_class(hypervisor_type)
    except Exception:  # noqa: BLE001 - an unknown or broken driver declares nothing
        return False
    return bool(declared_value(driver_class.capabilities, capability))


def require_for_type(registry: PluginRegistry, hypervisor_type: str, capability: str, feature: str) -> None:
    """Refuse `feature` (as a person reads it: "VM snapshots", "IPv6") on `hypervisor_type` when its
    driver does not declare `capability`. Raises UnsupportedOperation (432)."""
    if not supports(registry, hypervisor_type, capability):
        raise UnsupportedOperation(f"{feature} is not supported on hypervisor {hypervisor_type}: its plugin "
                                   f"does not declare {capability}")


def require_in_zone(session: Session, registry: PluginRegistry, zone_id: int, capability: str, feature: str,
                    zone_name: str = "") -> None:
    """Refuse `feature` in a zone when any of its clusters runs a hypervisor that does not declare
    `capability`. Raises UnsupportedOperation (432) naming the first such hypervisor and the zone."""
    for hypervisor_type in hypervisor_types_in_zone(session, zone_id):
        if not supports(registry, hypervisor_type, capability):
            where = f" (zone {zone_name or zone_id} has {hypervisor_type} clusters)"
            raise UnsupportedOperation(f"{feature} is not supported on hypervisor {hypervisor_type}{where}: its "
                                       f"plugin does not declare {capability}")


def require_for_vm(session: Session, registry: PluginRegistry, zone_id: int, hypervisor_type: str | None,
                   capability: str, feature: str, zone_name: str = "") -> None:
    """Refuse `feature` for a VM that will run on `hypervisor_type` (its template's or the one asked
    for); when the type is not known yet, on any hypervisor of the zone. Raises UnsupportedOperation."""
    if hypervisor_type:
        require_for_type(registry, hypervisor_type, capability, feature)
    else:
        require_in_zone(session, registry, zone_id, capability, feature, zone_name)


def require_cluster_may_join(session: Session, registry: PluginRegistry, zone_id: int, hypervisor_type: str,
                             zone_name: str = "") -> None:
    """Refuse a cluster of `hypervisor_type` in a zone that has clusters of another type when either
    type does not declare `mixed_hypervisor_zone`. Raises UnsupportedOperation (432)."""
    others = [other for other in hypervisor_types_in_zone(session, zone_id) if other.lower() != hypervisor_type.lower()]
    for first, second in ([(hypervisor_type, other) for other in others] +
                          [(other, hypervisor_type) for other in others]):
        if not supports(registry, first, "mixed_hypervisor_zone"):
            raise UnsupportedOperation(f"A mixed hypervisor zone is not supported on hypervisor {first}: zone "
                                       f"{zone_name or zone_id} would hold {first} and {second} clusters, and the "
                                       f"{first} plugin does not declare mixed_hypervisor_zone")


# -- NIC bonding ------------------------------------------------------------------------------------
#
# A host's driver reports in HostInfo.details (BONDED_DEVICES_DETAIL, DEFAULT_DEVICE_DETAIL) which of
# its network devices sit on a bond or team, and which device carries traffic whose traffic type has
# no label for its hypervisor. A hypervisor that does not declare `nic_bonding` may not carry cloud
# traffic over such a device: addHost refuses the host, and add/updateTrafficType refuse a label
# naming a bonded device of a host already in the zone.

#: Traffic label parameter -> the Host.hypervisor_type values (lower case) that read it.
LABEL_HYPERVISORS = {"kvmnetworklabel": ("kvm",), "xennetworklabel": ("xenserver",),
                     "vmwarenetworklabel": ("vmware",), "hypervnetworklabel": ("hyperv",)}
_LABEL_COLUMNS = {"kvmnetworklabel": "kvm_label", "xennetworklabel": "xen_label",
                  "vmwarenetworklabel": "vmware_label", "hypervnetworklabel": "hyperv_label"}


def bonded_devices(details: Mapping[str, str]) -> dict[str, str]:
    """The {device: bond} map a host reported in BONDED_DEVICES_DETAIL (empty when none)."""
    text = details.get(BONDED_DEVICES_DETAIL, "")
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        raise InvalidParameter("url", f"the host reported {BONDED_DEVICES_DETAIL}={text!r}, which is not a JSON "
                                      "object of device -> bond names") from None
    return {str(device): str(bond) for device, bond in found.items()} if isinstance(found, dict) else {}


def label_param(hypervisor_type: str) -> str:
    """The traffic label parameter a hypervisor type reads ("hypervnetworklabel" for Hyperv; "" for none)."""
    return next((param for param, types in LABEL_HYPERVISORS.items() if hypervisor_type.lower() in types), "")


def require_unbonded_host(session: Session, registry: PluginRegistry, zone_id: int, hypervisor_type: str,
                          host_name: str, details: Mapping[str, str]) -> None:
    """Refuse adding a host whose zone traffic would run over a bonded device when `hypervisor_type` does
    not declare `nic_bonding`. The devices are the zone's traffic labels for this hypervisor and, when a
    traffic type has no such label (or the zone has no physical network yet), the host's default device.
    Raises UnsupportedOperation (432) naming the hypervisor, NIC bonding, the device and its bond."""
    if supports(registry, hypervisor_type, "nic_bonding"):
        return
    bonded = bonded_devices(details)
    if not bonded:
        return
    param = label_param(hypervisor_type)
    rows = session.execute(select(PhysicalNetwork.name, PhysicalNetworkTrafficType).join(
        PhysicalNetworkTrafficType, PhysicalNetworkTrafficType.physical_network_id == PhysicalNetwork.id).where(
        PhysicalNetwork.zone_id == zone_id, PhysicalNetwork.removed.is_(None))).all()
    uses: list[tuple[str, str]] = []
    unlabelled = not rows
    for physical_name, traffic in rows:
        label = getattr(traffic, _LABEL_COLUMNS[param], None) if param else None
        if label:
            uses.append((label, f"the {param} of {traffic.traffic_type} traffic on physical network {physical_name}"))
        else:
            unlabelled = True
    default = details.get(DEFAULT_DEVICE_DETAIL, "")
    if unlabelled and default:
        uses.append((default, f"the device it uses for traffic without a {param or 'network label'}"))
    for device, role in uses:
        if device in bonded:
            raise UnsupportedOperation(f"NIC bonding is not supported on hypervisor {hypervisor_type}: host "
                                       f"{host_name}'s network device {device!r} ({role}) is bonded in "
                                       f"{bonded[device]!r}, and the {hypervisor_type} plugin does not declare "
                                       "nic_bonding")


def require_unbonded_label(session: Session, registry: PluginRegistry, zone_id: int, param: str, label: str) -> None:
    """Refuse setting traffic label `param` to `label` when a host of the zone whose hypervisor reads that
    label and does not declare `nic_bonding` reported `label` as a bonded device. Raises UnsupportedOperation."""
    types = LABEL_HYPERVISORS.get(param, ())
    if not label or not types:
        return
    rows = session.execute(select(Host.name, Host.hypervisor_type, HostDetail.value).join(
        HostDetail, HostDetail.host_id == Host.id).where(
        Host.zone_id == zone_id, Host.removed.is_(None), HostDetail.name == BONDED_DEVICES_DETAIL)).all()
    for host_name, hypervisor_type, text in rows:
        if hypervisor_type.lower() not in types or supports(registry, hypervisor_type, "nic_bonding"):
            continue
        bonded = bonded_devices({BONDED_DEVICES_DETAIL: text})
        if label in bonded:
            raise UnsupportedOperation(f"NIC bonding is not supported on hypervisor {hypervisor_type}: {param} "
                                       f"{label!r} names host {host_name}'s network device bonded in "
                                       f"{bonded[label]!r}, and the {hypervisor_type} plugin does not declare "
                                       "nic_bonding")

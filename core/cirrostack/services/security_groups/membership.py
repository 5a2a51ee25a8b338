"""Which groups a deployed VM joins (deployVirtualMachine's securitygroupids / securitygroupnames), and
where security groups apply at all.

Security groups apply to a VM in a zone created with them (a Basic zone, or an Advanced zone with
securitygroupenabled=true) and on a network whose offering has the SecurityGroup service. There a VM
deployed without groups joins its owner's "default" group; elsewhere naming groups is refused. The VM's
hypervisor must declare `security_groups` (Basic) or `security_groups_in_advanced_zone` (Advanced);
`check_deploy` refuses it with 432 before anything is recorded or any host is called.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.db.models import (
    Account,
    Network,
    NetworkOfferingService,
    NetworkType,
    SecurityGroup,
    SecurityGroupVmMap,
    VirtualMachine,
    Zone,
)
from cirrostack.errors import InvalidParameter
from cirrostack.hookspecs.network_service import NetworkService
from cirrostack.services import hypervisor_support
from cirrostack.services.networks.service_network import provider_name_for
from cirrostack.services.security_groups import groups


def applies(session: Session, zone: Zone, networks: list[Network] | None = None) -> bool:
    """Whether VMs deployed in `zone` on `networks` get security groups."""
    if zone.security_group_enabled:
        return True
    return any(provider_name_for(session, network, NetworkService.SECURITY_GROUP) is not None
               for network in networks or [])


def check_deploy(session: Session, registry: Any, zone: Zone, hypervisor_type: str | None,
                 networks: list[Network] | None, ids: list[SecurityGroup] | None, names: list[str] | None) -> None:
    """Refuse what a deploy cannot have, before it records anything: both parameters at once
    (InvalidParameter), groups where security groups do not apply (InvalidParameter), and a hypervisor
    that does not enforce them in this kind of zone (UnsupportedOperation, 432)."""
    if ids and names:
        raise InvalidParameter("securitygroupids", "give securitygroupids or securitygroupnames, not both")
    if not applies(session, zone, networks):
        if ids or names:
            param = "securitygroupids" if ids else "securitygroupnames"
            raise InvalidParameter(param, f"zone {zone.name} has no security groups (securitygroupsenabled=false) "
                                          "and the VM's networks do not offer the SecurityGroup service")
        return
    capability, feature = _needed(zone)
    hypervisor_support.require_for_vm(session, registry, zone.id, hypervisor_type, capability, feature, zone.name)


def require_cluster_support(registry: Any, zone: Zone, hypervisor_type: str) -> None:
    """addCluster: an Advanced zone with security groups takes only clusters whose hypervisor declares
    `security_groups_in_advanced_zone` (CloudStack 4.3 refuses the others too). Raises UnsupportedOperation."""
    if zone.security_group_enabled and zone.network_type != NetworkType.BASIC.value:
        capability, feature = _needed(zone)
        hypervisor_support.require_for_type(registry, hypervisor_type, capability,
                                            f"{feature} (zone {zone.name} has security groups)")


def require_network_support(session: Session, registry: Any, zone: Zone, offering_id: int) -> None:
    """createNetwork: an offering with the SecurityGroup service needs every hypervisor of the zone's
    clusters to enforce security groups there. Raises UnsupportedOperation (432) naming the first that
    does not."""
    has_service = session.scalar(select(NetworkOfferingService.id).where(
        NetworkOfferingService.network_offering_id == offering_id,
        NetworkOfferingService.service == NetworkService.SECURITY_GROUP.value).limit(1))
    if has_service is not None:
        capability, feature = _needed(zone)
        hypervisor_support.require_in_zone(session, registry, zone.id, capability,
                                           f"{feature} (the network offering's SecurityGroup service)", zone.name)


def _needed(zone: Zone) -> tuple[str, str]:
    if zone.network_type == NetworkType.BASIC.value:
        return "security_groups", "Security groups"
    return "security_groups_in_advanced_zone", "Security groups in an advanced zone"


def assign_on_deploy(session: Session, vm: VirtualMachine, zone: Zone, owner: Account, networks: list[Network] | None,
                     ids: list[SecurityGroup] | None, names: list[str] | None) -> list[SecurityGroup]:
    """Put a newly deployed VM into its groups (the owner's "default" group when none are given) and
    return them; nothing when security groups do not apply. Raises InvalidParameter for a group of
    another account or an unknown name."""
    if not applies(session, zone, networks):
        return []
    chosen: list[SecurityGroup] = []
    for group in ids or []:
        if group.account_id != owner.id:
            raise InvalidParameter("securitygroupids", f"security group {group.name} ({group.uuid}) belongs to "
                                                       f"another account than the VM's owner {owner.name}")
        chosen.append(group)
    for name in names or []:
        found = groups.find_by_name(session, owner, name)
        if found is None:
            raise InvalidParameter("securitygroupnames", f"account {owner.name} has no security group named "
                                                         f"{name!r}")
        chosen.append(found)
    if not chosen:
        chosen = [groups.default_group(session, owner)]
    unique = list({group.id: group for group in chosen}.values())
    for group in unique:
        session.add(SecurityGroupVmMap(security_group_id=group.id, vm_id=vm.id))
    session.flush()
    return unique


def group_ids_of(session: Session, vm: VirtualMachine) -> list[int]:
    """The ids of the groups `vm` belongs to."""
    return list(session.scalars(select(SecurityGroupVmMap.security_group_id).where(SecurityGroupVmMap.vm_id == vm.id)))


def security_groups_in_any_zone(session: Session) -> bool:
    """listCapabilities' `securitygroupsenabled`: whether any zone has security groups."""
    return session.scalar(select(Zone.id).where(Zone.security_group_enabled.is_(True), Zone.removed.is_(None))
                          .limit(1)) is not None

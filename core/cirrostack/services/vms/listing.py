"""listVirtualMachines' queries: the count, then one statement reading a page as plain rows.

The total count of an unfiltered listing (the usual one) is the sum of the owners' rows in
`vm_counts`, which database triggers keep exact (cirrostack.db.vm_counts); a filtered listing
counts its matching rows.

A page is read as the columns its response needs, joined with the few fields of its zone, template,
offering, host, owner and domain, not as ORM objects: the page's ids are chosen first (walking the
primary key backwards, newest first) and the joins applied to those ids only, so a page costs the
same at 1,000 VMs as at 100,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Row, Select, func, or_, select
from sqlalchemy.orm import Session, aliased

from cirrostack.db.models.accounts import Account, Domain
from cirrostack.db.models.affinity import AffinityGroupVMMap
from cirrostack.db.models.compute import VirtualMachine, VMCount, VMDetail, VMState, Volume, VolumeType
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.templates import GuestOS, Template
from cirrostack.db.paging import count_rows, page_slice
from cirrostack.services import scope
from cirrostack.services.affinity.groups import vm_group_rows
from cirrostack.services.context import AccountType, Caller
from cirrostack.services.networks.nics import nic_rows
from cirrostack.services.security_groups.groups import vm_security_group_rows


@dataclass(frozen=True)
class VMFilter:
    """The filters of listVirtualMachines (None: not filtered)."""

    uuids: tuple[str, ...] | None = None
    name: str | None = None
    state: str | None = None
    zone_id: int | None = None
    host_id: int | None = None
    template_id: int | None = None
    group: str | None = None
    hypervisor: str | None = None
    keyword: str | None = None
    affinity_group_id: int | None = None


_Iso = aliased(Template, name="iso")  # the ISO attached to the VM

#: What a VM row carries: the VM columns its response shows, under their attribute names, then its related
#: objects' fields.
_ROW_COLUMNS = (
    VirtualMachine.id, VirtualMachine.uuid, VirtualMachine.name, VirtualMachine.display_name,
    VirtualMachine.instance_name, VirtualMachine.created, VirtualMachine.state, VirtualMachine.ha_enabled,
    VirtualMachine.cpus, VirtualMachine.cpu_speed_mhz, VirtualMachine.memory_mb, VirtualMachine.hypervisor_type,
    VirtualMachine.group_name, VirtualMachine.keypair_name, VirtualMachine.display_vm,
    VirtualMachine.dynamically_scalable,
    Account.name.label("account_name"), Domain.uuid.label("domain_uuid"), Domain.name.label("domain_name"),
    Zone.uuid.label("zone_uuid"), Zone.name.label("zone_name"),
    Template.uuid.label("template_uuid"), Template.name.label("template_name"),
    Template.display_text.label("template_display_text"),
    Template.password_enabled.label("template_password_enabled"),
    Template.is_dynamically_scalable.label("template_dynamically_scalable"), GuestOS.uuid.label("guest_os_uuid"),
    ServiceOffering.uuid.label("offering_uuid"), ServiceOffering.name.label("offering_name"),
    Host.uuid.label("host_uuid"), Host.name.label("host_name"),
    _Iso.uuid.label("iso_uuid"), _Iso.name.label("iso_name"), _Iso.display_text.label("iso_display_text"),
)
#: The device number of the VM's live ROOT volume (one indexed lookup per row of the page).
_ROOT_DEVICE = (select(Volume.device_id).where(Volume.vm_id == VirtualMachine.id,
                                               Volume.volume_type == VolumeType.ROOT.value, Volume.removed.is_(None))
                .limit(1).correlate(VirtualMachine).scalar_subquery().label("root_device_id"))


@dataclass(frozen=True)
class VMRows:
    """VM rows as `vm_rows` describes them, the name/value details of those VMs by VM id, and the
    total count of matching VMs (CloudStack's `count`, which may exceed the page)."""

    rows: list[Row[Any]]
    details: dict[int, dict[str, str]]
    total: int
    nics: dict[int, list[Row[Any]]] = field(default_factory=dict)  # by VM id, see networks.nics.nic_rows
    security_groups: dict[int, list[Row[Any]]] = field(default_factory=dict)  # by VM id, see vm_security_group_rows
    affinity_groups: dict[int, list[Row[Any]]] = field(default_factory=dict)  # see affinity.groups.vm_group_rows

def list_vm_rows(session: Session, caller: Caller, owners: scope.ListScope, wanted: VMFilter, *, page: int = 1,
                 pagesize: int | None = None) -> VMRows:
    """One page of the live VMs visible to `caller` within `owners` that match `wanted`, newest first,
    with their total count.

    Users do not see Destroyed VMs (only administrators can recover them), as in CloudStack."""
    matching = _matching_ids(caller, owners, wanted)
    connection = read_connection(session)
    total = _maintained_count(connection, caller, owners) if wanted == VMFilter() else count_rows(connection, matching)
    page_ids = page_slice(matching.order_by(VirtualMachine.id.desc()), page, pagesize).subquery()
    statement = _joined(select(*_ROW_COLUMNS, _ROOT_DEVICE).select_from(page_ids).join(
        VirtualMachine, VirtualMachine.id == page_ids.c.id))
    rows = list(connection.execute(statement.order_by(VirtualMachine.id.desc())))
    # The page's ids as a subquery, not as 500 bound values, which cost more to bind than the query to run.
    details = _details(connection, select(page_ids.c.id)) if rows else {}
    nics = nic_rows(connection, select(page_ids.c.id)) if rows else {}
    return VMRows(rows, details, total, nics,
                  security_groups=vm_security_group_rows(connection, select(page_ids.c.id)) if rows else {},
                  affinity_groups=vm_group_rows(connection, select(page_ids.c.id)) if rows else {})


def vm_rows(session: Session, vm_ids: Sequence[int]) -> VMRows:
    """The VMs with these ids (removed ones included), newest first. A row has the VM's shown columns
    under their attribute names (`id`, `uuid`, `state`, `cpus`, ...) and account_name, domain_uuid,
    domain_name, zone_uuid, zone_name, template_uuid, template_name, template_display_text,
    template_password_enabled, template_dynamically_scalable, guest_os_uuid (the VM's own OS type, else
    its template's), offering_uuid, offering_name, host_uuid, host_name, iso_uuid, iso_name,
    iso_display_text and root_device_id (None where the VM has no such object)."""
    if not vm_ids:
        return VMRows([], {}, 0)
    connection = read_connection(session)
    statement = _joined(select(*_ROW_COLUMNS, _ROOT_DEVICE).where(VirtualMachine.id.in_(vm_ids)))
    rows = list(connection.execute(statement.order_by(VirtualMachine.id.desc())))
    return VMRows(rows, _details(connection, list(vm_ids)), len(rows), nic_rows(connection, list(vm_ids)),
                  security_groups=vm_security_group_rows(connection, list(vm_ids)),
                  affinity_groups=vm_group_rows(connection, list(vm_ids)))


def read_connection(session: Session) -> Connection:
    """The session's connection, its pending changes flushed, for reading plain rows: Core statements run
    on it skip the ORM's per-statement work, which is a fifth of a page's query time."""
    session.flush()
    return session.connection()


def _details(connection: Connection, vm_ids: Select[Any] | list[int]) -> dict[int, dict[str, str]]:
    details: dict[int, dict[str, str]] = defaultdict(dict)
    for vm_id, name, value in connection.execute(select(VMDetail.vm_id, VMDetail.name, VMDetail.value)
                                                 .where(VMDetail.vm_id.in_(vm_ids))):
        details[vm_id][name] = value
    return details


def _joined(statement: Select[Any]) -> Select[Any]:
    # Outer joins throughout: a VM row is shown even when a related row is missing (fields left out).
    return (statement.outerjoin(Account, Account.id == VirtualMachine.account_id)
            .outerjoin(Domain, Domain.id == VirtualMachine.domain_id)
            .outerjoin(Zone, Zone.id == VirtualMachine.zone_id)
            .outerjoin(Template, Template.id == VirtualMachine.template_id)
            .outerjoin(GuestOS, GuestOS.id == func.coalesce(VirtualMachine.guest_os_id, Template.guest_os_id))
            .outerjoin(_Iso, _Iso.id == VirtualMachine.iso_id)
            .outerjoin(ServiceOffering, ServiceOffering.id == VirtualMachine.service_offering_id)
            .outerjoin(Host, Host.id == VirtualMachine.host_id))


def _maintained_count(connection: Connection, caller: Caller, owners: scope.ListScope) -> int:
    """The number of VMs an unfiltered listing matches, from `vm_counts`: the same owners and the same
    visibility rule as `_matching_ids` (VMs are account-owned), Destroyed ones left out for users."""
    shown = VMCount.live - VMCount.destroyed if caller.account_type is AccountType.USER else VMCount.live
    statement = scope.account_owned(VMCount.account_id)(select(func.coalesce(func.sum(shown), 0)), caller)
    return int(connection.scalar(owners.apply(statement, VMCount.account_id)) or 0)


def _matching_ids(caller: Caller, owners: scope.ListScope, wanted: VMFilter) -> Select[Any]:
    statement: Select[Any] = owners.apply(scope.visible(caller, "VirtualMachine"), VirtualMachine.account_id)
    statement = statement.with_only_columns(VirtualMachine.id)
    if caller.account_type is AccountType.USER and wanted.state is None:
        statement = statement.where(VirtualMachine.state != VMState.DESTROYED.value)
    if wanted.uuids is not None:
        statement = statement.where(VirtualMachine.uuid.in_(wanted.uuids))
    if wanted.name is not None:
        statement = statement.where(VirtualMachine.name == wanted.name)
    if wanted.state is not None:
        statement = statement.where(VirtualMachine.state == _state(wanted.state))
    if wanted.zone_id is not None:
        statement = statement.where(VirtualMachine.zone_id == wanted.zone_id)
    if wanted.host_id is not None:
        statement = statement.where(VirtualMachine.host_id == wanted.host_id)
    if wanted.template_id is not None:
        statement = statement.where(VirtualMachine.template_id == wanted.template_id)
    if wanted.group is not None:
        statement = statement.where(VirtualMachine.group_name == wanted.group)
    if wanted.hypervisor is not None:
        statement = statement.where(VirtualMachine.hypervisor_type == wanted.hypervisor)
    if wanted.affinity_group_id is not None:
        statement = statement.where(VirtualMachine.id.in_(select(AffinityGroupVMMap.vm_id).where(
            AffinityGroupVMMap.group_id == wanted.affinity_group_id)))
    if wanted.keyword:
        statement = statement.where(or_(VirtualMachine.name.contains(wanted.keyword, autoescape=True),
                                        VirtualMachine.display_name.contains(wanted.keyword, autoescape=True),
                                        VirtualMachine.state == _state(wanted.keyword)))
    return statement


def _state(text: str) -> str:
    for state in VMState:
        if state.value.lower() == text.lower():
            return state.value
    return text

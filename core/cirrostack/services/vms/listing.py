"""listVirtualMachines' query: one statement for the page and one for the count, whatever the filters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_
from sqlalchemy.orm import Session

from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.db.paging import fetch_page
from cirrostack.services import scope
from cirrostack.services.context import AccountType, Caller


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


def list_vms(session: Session, caller: Caller, owners: scope.ListScope, wanted: VMFilter, *, page: int = 1,
             pagesize: int | None = None) -> tuple[list[VirtualMachine], int]:
    """Live VMs visible to `caller` within `owners` that match `wanted`, newest first, and their total count.

    Users do not see Destroyed VMs (only administrators can recover them), as in CloudStack."""
    statement: Select[Any] = owners.apply(scope.visible(caller, "VirtualMachine"), VirtualMachine.account_id)
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
    if wanted.keyword:
        statement = statement.where(or_(VirtualMachine.name.contains(wanted.keyword, autoescape=True),
                                        VirtualMachine.display_name.contains(wanted.keyword, autoescape=True),
                                        VirtualMachine.state == _state(wanted.keyword)))
    return fetch_page(session, statement.order_by(VirtualMachine.id.desc()), page, pagesize)


def _state(text: str) -> str:
    for state in VMState:
        if state.value.lower() == text.lower():
            return state.value
    return text

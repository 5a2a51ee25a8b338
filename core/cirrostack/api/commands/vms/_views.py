"""How user VMs look on the API (CloudStack 4.3's virtualmachine response), serialised a page at a time.

The rows a page refers to (owners, zones, hosts, offerings, templates, details) are read with one query
per table for the whole page, so serialising a page costs the same at 1,000 VMs as at 100,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models.accounts import Account, Domain
from cirrostack.db.models.compute import VirtualMachine, VMDetail, Volume, VolumeType
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.templates import Template
from cirrostack.db.timestamps import to_api
from cirrostack.services.context import AccountType, Caller
from cirrostack.services.vms.iso import iso_fields

VM_RESPONSE = Response("virtualmachine", (
    Field("id", "string", "the ID of the virtual machine"),
    Field("name", "string", "the name of the virtual machine"),
    Field("displayname", "string", "user generated name. The name of the virtual machine is returned if no "
                                   "displayname exists."),
    Field("account", "string", "the account associated with the virtual machine"),
    Field("domainid", "string", "the ID of the domain in which the virtual machine exists"),
    Field("domain", "string", "the name of the domain in which the virtual machine exists"),
    Field("created", "date", "the date when this virtual machine was created"),
    Field("state", "string", "the state of the virtual machine"),
    Field("haenable", "boolean", "true if high-availability is enabled, false otherwise"),
    Field("group", "string", "the group name of the virtual machine"),
    Field("zoneid", "string", "the ID of the availablility zone for the virtual machine"),
    Field("zonename", "string", "the name of the availability zone for the virtual machine"),
    Field("hostid", "string", "the ID of the host for the virtual machine (admins only)"),
    Field("hostname", "string", "the name of the host for the virtual machine (admins only)"),
    Field("instancename", "string", "instance name of the user vm; this parameter is returned to the ROOT admin "
                                    "only"),
    Field("templateid", "string", "the ID of the template for the virtual machine. A -1 is returned if the "
                                  "virtual machine was created from an ISO file."),
    Field("templatename", "string", "the name of the template for the virtual machine"),
    Field("templatedisplaytext", "string", " an alternate display text of the template for the virtual machine"),
    Field("passwordenabled", "boolean", "true if the password rest feature is enabled, false otherwise"),
    Field("password", "string", "the password (if exists) of the virtual machine"),
    Field("serviceofferingid", "string", "the ID of the service offering of the virtual machine"),
    Field("serviceofferingname", "string", "the name of the service offering of the virtual machine"),
    Field("cpunumber", "integer", "the number of cpu this virtual machine is running with"),
    Field("cpuspeed", "integer", "the speed of each cpu"),
    Field("memory", "integer", "the memory allocated for the virtual machine"),
    Field("guestosid", "string", "Os type ID of the virtual machine"),
    Field("rootdeviceid", "long", "device ID of the root volume"),
    Field("rootdevicetype", "string", "device type of the root volume"),
    Field("hypervisor", "string", "the hypervisor on which the template runs"),
    Field("keypair", "string", "ssh key-pair"),
    Field("nic", "list", "the list of nics associated with vm"),
    Field("securitygroup", "list", "list of security groups associated with the virtual machine"),
    Field("affinitygroup", "list", "list of affinity groups associated with the virtual machine"),
    Field("tags", "list", "the list of resource tags associated with vm"),
    Field("details", "map", "Vm details in key/value pairs."),
    Field("displayvm", "boolean", "an optional field whether to the display the vm to the end user or not."),
    Field("isoid", "string", "the ID of the ISO attached to the virtual machine"),
    Field("isoname", "string", "the name of the ISO attached to the virtual machine"),
    Field("isodisplaytext", "string", "an alternate display text of the ISO attached to the virtual machine"),
    Field("isdynamicallyscalable", "boolean", "true if vm contains XS/VMWare tools inorder to support dynamic "
                                              "scaling of VM cpu/memory."),
), instance_type="VirtualMachine")


def _by_id(session: Session, model: type, ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    # The views read a few columns of these rows: skip the relationships their models load eagerly.
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)).options(lazyload("*")))}


def vm_views(session: Session, caller: Caller, vms: list[VirtualMachine]) -> list[dict[str, Any]]:
    """The API objects of `vms`, in order. Hosts are named to administrators only.

    Each zone, template, offering, owner and host of the page is turned into its response fields once,
    so a VM's own view only adds its columns (a page of 500 VMs shares a handful of those objects)."""
    accounts = {key: {"account": row.name} for key, row in
                _by_id(session, Account, (vm.account_id for vm in vms)).items()}
    domains = {key: {"domainid": row.uuid, "domain": row.name} for key, row in
               _by_id(session, Domain, (vm.domain_id for vm in vms)).items()}
    zones = {key: {"zoneid": row.uuid, "zonename": row.name} for key, row in
             _by_id(session, Zone, (vm.zone_id for vm in vms)).items()}
    offerings = {key: {"serviceofferingid": row.uuid, "serviceofferingname": row.name} for key, row in
                 _by_id(session, ServiceOffering, (vm.service_offering_id for vm in vms)).items()}
    templates = {key: _template_fields(row) for key, row in
                 _by_id(session, Template, (vm.template_id for vm in vms)).items()}
    hosts = {key: {"hostid": row.uuid, "hostname": row.name} for key, row in
             _by_id(session, Host, (vm.host_id for vm in vms)).items()} if _is_admin(caller) else {}
    vm_ids = [vm.id for vm in vms]
    details: dict[int, dict[str, str]] = defaultdict(dict)
    root_devices: dict[int, int] = {}
    if vm_ids:
        for vm_id, name, value in session.execute(select(VMDetail.vm_id, VMDetail.name, VMDetail.value)
                                                  .where(VMDetail.vm_id.in_(vm_ids))):
            details[vm_id][name] = value
        roots = session.execute(select(Volume.vm_id, Volume.device_id).where(
            Volume.vm_id.in_(vm_ids), Volume.volume_type == VolumeType.ROOT.value, Volume.removed.is_(None)))
        root_devices = {vm_id: device_id for vm_id, device_id in roots}
    related = _Related(accounts, domains, zones, offerings, templates, hosts, caller.is_root_admin)
    return [_view(vm, related, details.get(vm.id, {}), root_devices.get(vm.id)) for vm in vms]


def vm_response(session: Session, vm: VirtualMachine, caller: Caller, password: str | None = None) -> dict[str, Any]:
    """The API object of one VM; `password` is shown once, in the reply of the call that set it."""
    view = vm_views(session, caller, [vm])[0]
    if password:
        view["password"] = password
    view.update(iso_fields(session, vm))
    return view


@dataclass(frozen=True)
class _Related:
    """The response fields of the objects a page of VMs refers to, by their integer id."""

    accounts: dict[int, dict[str, Any]]
    domains: dict[int, dict[str, Any]]
    zones: dict[int, dict[str, Any]]
    offerings: dict[int, dict[str, Any]]
    templates: dict[int, dict[str, Any]]
    hosts: dict[int, dict[str, Any]]
    root_admin: bool


_NO_TEMPLATE = {"passwordenabled": False, "isdynamicallyscalable": False}


def _template_fields(template: Template) -> dict[str, Any]:
    fields = {"templateid": template.uuid, "templatename": template.name,
              "templatedisplaytext": template.display_text, "passwordenabled": bool(template.password_enabled),
              "guestosid": template.guest_os.uuid if template.guest_os else None,
              "isdynamicallyscalable": bool(template.is_dynamically_scalable)}
    return {key: value for key, value in fields.items() if value is not None}


def _view(vm: VirtualMachine, related: _Related, details: dict[str, str], root_device: int | None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": vm.uuid, "name": vm.name, "displayname": vm.display_name or vm.name,
        **related.accounts.get(vm.account_id, {}), **related.domains.get(vm.domain_id, {}),
        "created": to_api(vm.created), "state": vm.state, "haenable": vm.ha_enabled,
        **related.zones.get(vm.zone_id, {}), **related.templates.get(vm.template_id, _NO_TEMPLATE),
        **related.offerings.get(vm.service_offering_id, {}),
        "cpunumber": vm.cpus, "cpuspeed": vm.cpu_speed_mhz, "memory": vm.memory_mb,
        "hypervisor": vm.hypervisor_type, "nic": [], "securitygroup": [], "affinitygroup": [], "tags": [],
        "details": dict(details), "displayvm": vm.display_vm,
    }
    if vm.group_name is not None:
        view["group"] = vm.group_name
    if root_device is not None:
        view["rootdeviceid"], view["rootdevicetype"] = root_device, "ROOT"
    if vm.keypair_name is not None:
        view["keypair"] = vm.keypair_name
    if vm.host_id is not None and vm.host_id in related.hosts:
        view.update(related.hosts[vm.host_id])
    if related.root_admin and vm.instance_name is not None:
        view["instancename"] = vm.instance_name
    if view["created"] is None:
        del view["created"]
    if view["hypervisor"] is None:
        del view["hypervisor"]
    return view


def _is_admin(caller: Caller) -> bool:
    return caller.account_type is not AccountType.USER

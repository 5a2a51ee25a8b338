"""How user VMs look on the API (CloudStack 4.3's virtualmachine response), serialised a page at a time.

A view is built from a plain row (`services.vms.listing`: the VM's columns joined with its zone, template,
offering, host, owner and ROOT device fields, plus its details), never from ORM objects, so serialising a
page costs the same at 1,000 VMs as at 100,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.commands.networks._views import vm_nic_view
from cirrostack.api.declaration import Field, Response
from cirrostack.db.models.compute import VirtualMachine
from cirrostack.db.timestamps import to_api
from cirrostack.services.context import AccountType, Caller
from cirrostack.services.vms.listing import VMRows, vm_rows

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


def vm_views(caller: Caller, found: VMRows) -> list[dict[str, Any]]:
    """The API objects of the VMs `found` (as `services.vms.listing` reads them), in order.
    Hosts are named to administrators only."""
    shown = _Shown(hosts=_is_admin(caller), instance_names=caller.is_root_admin)
    views = [_view(row, shown, found.details.get(row.id, {}), found.nics.get(row.id, [])) for row in found.rows]
    for row, view in zip(found.rows, views, strict=True):
        view["securitygroup"] = [_security_group_view(group) for group in found.security_groups.get(row.id, [])]
        view["affinitygroup"] = [_affinity_group_view(group) for group in found.affinity_groups.get(row.id, [])]
    return views


def vm_response(session: Session, vm: VirtualMachine, caller: Caller, password: str | None = None) -> dict[str, Any]:
    """The API object of one VM; `password` is shown once, in the reply of the call that set it."""
    view = vm_views(caller, vm_rows(session, [vm.id]))[0]
    if password:
        view["password"] = password
    return view


@dataclass(frozen=True)
class _Shown:
    """Which admin-only fields the caller sees."""

    hosts: bool
    instance_names: bool


def _view(row: Any, shown: _Shown, details: dict[str, str], nics: list[Any]) -> dict[str, Any]:
    vm = row._mapping  # reads by name cost a third of attribute reads on a Row, and a page has 500 rows
    view: dict[str, Any] = {"id": vm["uuid"], "name": vm["name"], "displayname": vm["display_name"] or vm["name"]}
    if vm["account_name"] is not None:
        view["account"] = vm["account_name"]
    if vm["domain_uuid"] is not None:
        view["domainid"], view["domain"] = vm["domain_uuid"], vm["domain_name"]
    if vm["created"] is not None:
        view["created"] = to_api(vm["created"])
    view["state"], view["haenable"] = vm["state"], vm["ha_enabled"]
    if vm["zone_uuid"] is not None:
        view["zoneid"], view["zonename"] = vm["zone_uuid"], vm["zone_name"]
    _add_template(view, vm)
    if vm["offering_uuid"] is not None:
        view["serviceofferingid"], view["serviceofferingname"] = vm["offering_uuid"], vm["offering_name"]
    view["cpunumber"], view["cpuspeed"], view["memory"] = vm["cpus"], vm["cpu_speed_mhz"], vm["memory_mb"]
    if vm["hypervisor_type"] is not None:
        view["hypervisor"] = vm["hypervisor_type"]
    view["nic"] = [vm_nic_view(nic) for nic in nics]
    view["securitygroup"], view["affinitygroup"], view["tags"] = [], [], []
    view["details"], view["displayvm"] = dict(details), vm["display_vm"]
    if vm["group_name"] is not None:
        view["group"] = vm["group_name"]
    if vm["root_device_id"] is not None:
        view["rootdeviceid"], view["rootdevicetype"] = vm["root_device_id"], "ROOT"
    if vm["keypair_name"] is not None:
        view["keypair"] = vm["keypair_name"]
    if shown.hosts and vm["host_uuid"] is not None:
        view["hostid"], view["hostname"] = vm["host_uuid"], vm["host_name"]
    if shown.instance_names and vm["instance_name"] is not None:
        view["instancename"] = vm["instance_name"]
    return view


def _add_template(view: dict[str, Any], vm: Any) -> None:
    view["isdynamicallyscalable"] = bool(vm["dynamically_scalable"])
    if vm["iso_uuid"] is not None:
        view["isoid"], view["isoname"], view["isodisplaytext"] = vm["iso_uuid"], vm["iso_name"], vm["iso_display_text"]
    if vm["guest_os_uuid"] is not None:
        view["guestosid"] = vm["guest_os_uuid"]
    if vm["template_uuid"] is None:
        view["passwordenabled"] = False
        return
    view["templateid"], view["templatename"] = vm["template_uuid"], vm["template_name"]
    if vm["template_display_text"] is not None:
        view["templatedisplaytext"] = vm["template_display_text"]
    view["passwordenabled"] = bool(vm["template_password_enabled"])


def _security_group_view(group: Any) -> dict[str, Any]:
    view = {"id": group.uuid, "name": group.name}
    if group.description:
        view["description"] = group.description
    return view


def _affinity_group_view(group: Any) -> dict[str, Any]:
    view = {"id": group.uuid, "name": group.name, "type": group.type}
    if group.description:
        view["description"] = group.description
    return view


def _is_admin(caller: Caller) -> bool:
    return caller.account_type is not AccountType.USER

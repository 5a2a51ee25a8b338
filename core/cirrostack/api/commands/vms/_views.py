"""How user VMs look on the API (CloudStack 4.3's virtualmachine response), serialised a page at a time.

The rows a page refers to (owners, zones, hosts, offerings, templates, details) are read with one query
per table for the whole page, so serialising a page costs the same at 1,000 VMs as at 100,000.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models.accounts import Account, Domain
from cirrostack.db.models.compute import VirtualMachine, VMDetail, Volume, VolumeType
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import ServiceOffering
from cirrostack.db.models.templates import Template
from cirrostack.db.timestamps import to_api
from cirrostack.services.context import AccountType, Caller

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
    Field("isdynamicallyscalable", "boolean", "true if vm contains XS/VMWare tools inorder to support dynamic "
                                              "scaling of VM cpu/memory."),
), instance_type="VirtualMachine")


def _by_id(session: Session, model: type, ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = {value for value in ids if value is not None}
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(wanted)))}


def vm_views(session: Session, caller: Caller, vms: list[VirtualMachine]) -> list[dict[str, Any]]:
    """The API objects of `vms`, in order. Hosts are named to administrators only."""
    accounts = _by_id(session, Account, (vm.account_id for vm in vms))
    domains = _by_id(session, Domain, (vm.domain_id for vm in vms))
    zones = _by_id(session, Zone, (vm.zone_id for vm in vms))
    offerings = _by_id(session, ServiceOffering, (vm.service_offering_id for vm in vms))
    templates = _by_id(session, Template, (vm.template_id for vm in vms))
    hosts = _by_id(session, Host, (vm.host_id for vm in vms)) if _is_admin(caller) else {}
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
    return [_view(vm, caller, accounts, domains, zones, offerings, templates, hosts, details.get(vm.id, {}),
                  root_devices.get(vm.id)) for vm in vms]


def vm_response(session: Session, vm: VirtualMachine, caller: Caller, password: str | None = None) -> dict[str, Any]:
    """The API object of one VM; `password` is shown once, in the reply of the call that set it."""
    view = vm_views(session, caller, [vm])[0]
    if password:
        view["password"] = password
    return view


def _view(vm: VirtualMachine, caller: Caller, accounts: dict, domains: dict, zones: dict, offerings: dict,
          templates: dict, hosts: dict, details: dict[str, str], root_device: int | None) -> dict[str, Any]:
    zone, offering, template = zones.get(vm.zone_id), offerings.get(vm.service_offering_id), templates.get(
        vm.template_id)
    domain, host = domains.get(vm.domain_id), hosts.get(vm.host_id) if vm.host_id else None
    view: dict[str, Any] = {
        "id": vm.uuid, "name": vm.name, "displayname": vm.display_name or vm.name,
        "account": accounts[vm.account_id].name if vm.account_id in accounts else None,
        "domainid": domain.uuid if domain else None, "domain": domain.name if domain else None,
        "created": to_api(vm.created), "state": vm.state, "haenable": vm.ha_enabled, "group": vm.group_name,
        "zoneid": zone.uuid if zone else None, "zonename": zone.name if zone else None,
        "templateid": template.uuid if template else None, "templatename": template.name if template else None,
        "templatedisplaytext": template.display_text if template else None,
        "passwordenabled": bool(template and template.password_enabled),
        "serviceofferingid": offering.uuid if offering else None,
        "serviceofferingname": offering.name if offering else None,
        "cpunumber": vm.cpus, "cpuspeed": vm.cpu_speed_mhz, "memory": vm.memory_mb,
        "guestosid": template.guest_os.uuid if template and template.guest_os else None,
        "rootdeviceid": root_device, "rootdevicetype": "ROOT" if root_device is not None else None,
        "hypervisor": vm.hypervisor_type, "keypair": vm.keypair_name,
        "nic": [], "securitygroup": [], "affinitygroup": [], "tags": [], "details": dict(details),
        "displayvm": vm.display_vm, "isdynamicallyscalable": bool(template and template.is_dynamically_scalable),
    }
    if host is not None:
        view["hostid"], view["hostname"] = host.uuid, host.name
    if caller.is_root_admin:
        view["instancename"] = vm.instance_name
    return {key: value for key, value in view.items() if value is not None}


def _is_admin(caller: Caller) -> bool:
    return caller.account_type is not AccountType.USER

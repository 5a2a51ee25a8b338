"""deployVirtualMachine: an async-create command. The request allocates the VM (limits, ROOT volume, usage)
and returns its id; the job places it on a host and starts it when `startvm` is true (the default)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import Boolean, ListOf, Long, Map, String, Uuid
from cirrostack.db.models.accounts import Domain
from cirrostack.db.models.compute import VirtualMachine, VMState
from cirrostack.db.models.infrastructure import Host, Zone
from cirrostack.db.models.offerings import DiskOffering, ServiceOffering
from cirrostack.errors import InvalidParameter
from cirrostack.services import hypervisor_support, scope, ssh_keys
from cirrostack.services.affinity import membership as affinity_membership
from cirrostack.services.compute_offerings import resolve_compute, resolve_root_disk_size
from cirrostack.services.context import ANY_ROLE, ROOT_ADMIN
from cirrostack.services.security_groups import enforcement as security_group_enforcement
from cirrostack.services.security_groups import membership as security_group_membership
from cirrostack.services.userdata import validate_userdata
from cirrostack.services.vms import iso as vm_iso
from cirrostack.services.vms import lifecycle
from cirrostack.services.vpc import tiers as vpc_tiers

_PACKAGE = "org.apache.cloudstack.api.command.user.vm."
RELATED = ("deployVirtualMachine", "startVirtualMachine", "stopVirtualMachine", "rebootVirtualMachine",
           "destroyVirtualMachine", "recoverVirtualMachine", "expungeVirtualMachine", "listVirtualMachines")

DEPLOY_VM = Command(
    "deployVirtualMachine", "Creates and automatically starts a virtual machine based on a service offering, disk "
                            "offering, and template.",
    response=VM_RESPONSE, is_async=True, creates=True, roles=ANY_ROLE, java_class=_PACKAGE + "DeployVMCmd",
    related=RELATED,
    params=(
        Param("zoneid", Uuid("Zone"), "availability zone for the virtual machine", required=True),
        Param("serviceofferingid", Uuid("ServiceOffering"), "the ID of the service offering for the virtual machine",
              required=True),
        Param("templateid", Uuid("Template", load=False), "the ID of the template for the virtual machine, or of a "
              "bootable ISO (then diskofferingid or rootdisksize sizes the blank ROOT disk)", required=True),
        Param("diskofferingid", Uuid("DiskOffering"), "the ID of the disk offering for a data disk attached to the "
                                                      "virtual machine"),
        Param("size", Long(minimum=1), "the arbitrary size in GiB for the data disk of a custom disk offering"),
        Param("rootdisksize", Long(minimum=1), "the size of the ROOT disk in GiB (also accepted as "
                                               "details[0].rootdisksize); never smaller than the template"),
        Param("name", String(), "host name for the virtual machine"),
        Param("displayname", String(), "an optional user generated name for the virtual machine"),
        Param("group", String(), "an optional group for the virtual machine"),
        Param("keypair", String(), "name of the ssh key pair used to login to the virtual machine"),
        Param("userdata", String(length=32768), "an optional binary data that can be sent to the virtual machine "
                                                "upon a successful deployment, base64 encoded"),
        Param("hypervisor", String(), "the hypervisor on which to deploy the virtual machine"),
        Param("hostid", Uuid("Host"), "destination Host ID to deploy the VM to - parameter available for root admin "
                                      "only", roles=ROOT_ADMIN),
        Param("startvm", Boolean(), "true by default; false creates the virtual machine without starting it"),
        Param("details", Map(), "used to specify the custom parameters: details[0].cpuNumber, details[0].cpuSpeed, "
                                "details[0].memory for custom offerings, details[0].rootdisksize"),
        Param("account", String(), "an optional account for the virtual machine. Must be used with domainId."),
        Param("domainid", Uuid("Domain"), "an optional domainId for the virtual machine. If the account parameter "
                                          "is used, domainId must also be used."),
        Param("displayvm", Boolean(), "an optional field, whether to the display the vm to the end user or not."),
        Param("networkids", ListOf(Uuid("Network")), "list of network ids used by virtual machine. Can't be "
                                                     "specified with ipToNetworkList parameter"),
        Param("ipaddress", String(), "the ip address for default vm's network"),
        Param("affinitygroupids", ListOf(Uuid("AffinityGroup")), "comma separated list of affinity groups id that "
              "are going to be applied to the virtual machine. Mutually exclusive with affinitygroupnames parameter"),
        Param("affinitygroupnames", ListOf(String()), "comma separated list of affinity groups names that are going "
              "to be applied to the virtual machine. Mutually exclusive with affinitygroupids parameter"),
        Param("securitygroupids", ListOf(Uuid("SecurityGroup")), "comma separated list of security groups id that "
              "going to be applied to the virtual machine. Should be passed only when vm is created from a zone with "
              "Basic Network support. Mutually exclusive with securitygroupnames parameter"),
        Param("securitygroupnames", ListOf(String()), "comma separated list of security groups names that going to "
              "be applied to the virtual machine. Should be passed only when vm is created from a zone with Basic "
              "Network support. Mutually exclusive with securitygroupids parameter"),
    ))


@DEPLOY_VM.prepare
def prepare_deploy(call: Call, zoneid: Zone, serviceofferingid: ServiceOffering, templateid: str,
                   diskofferingid: DiskOffering | None = None, size: int | None = None,
                   rootdisksize: int | None = None, name: str | None = None, displayname: str | None = None,
                   group: str | None = None, keypair: str | None = None, userdata: str | None = None,
                   hypervisor: str | None = None, hostid: Host | None = None, details: list[dict] | None = None,
                   account: str | None = None, domainid: Domain | None = None, displayvm: bool = True,
                   networkids: list[Any] | None = None, ipaddress: str | None = None,
                   affinitygroupids: list[Any] | None = None, affinitygroupnames: list[str] | None = None,
                   **_flags: Any) -> str:
    owner = scope.acting_account(call.session, call.caller, account, domainid, "deploy virtual machines")
    template = vm_iso.template_or_iso(call.session, call.caller, templateid)
    compute = resolve_compute(call.session, serviceofferingid, details, zone_id=zoneid.id)
    root_bytes = resolve_root_disk_size({"rootdisksize": rootdisksize, "details": details},
                                        None if template.is_iso else template, zone_id=zoneid.id)
    if template.is_iso:
        root_bytes = vm_iso.blank_root_bytes(template, diskofferingid, size, root_bytes)
        vm_iso.require_boot_from_iso(call.session, call.registry, zoneid,
                                     hypervisor or (hostid.hypervisor_type if hostid else None))
    if keypair is not None:
        ssh_keys.find_keypair(call.session, owner, keypair, param="keypair")
    custom = ({"cpuNumber": str(compute.cpus), "cpuSpeed": str(compute.cpu_speed_mhz),
               "memory": str(compute.memory_mb)} if serviceofferingid.is_customized else {})
    if hypervisor is not None and hostid is not None and hostid.hypervisor_type.lower() != hypervisor.lower():
        raise InvalidParameter("hypervisor", f"{hypervisor} does not match host {hostid.name}'s hypervisor "
                                             f"{hostid.hypervisor_type}")
    chosen_type = hypervisor or (hostid.hypervisor_type if hostid else None) or template.hypervisor_type
    if serviceofferingid.offer_ha:
        hypervisor_support.require_for_vm(call.session, call.registry, zoneid.id, chosen_type, "guest_ha",
                                          f"HA of guest VMs (service offering {serviceofferingid.name} offers HA)",
                                          zoneid.name)
    vpc_tiers.require_vpc_hypervisor(call.session, call.registry, zoneid, chosen_type, networkids or [])
    security_groups = (_flags.get("securitygroupids"), _flags.get("securitygroupnames"))
    security_group_membership.check_deploy(call.session, call.registry, zoneid, chosen_type, list(networkids or []),
                                           *security_groups)
    groups = affinity_membership.chosen_groups(call.session, owner, affinitygroupids, affinitygroupnames)
    if groups:
        affinity_membership.require_supported(call.session, call.registry, zoneid, chosen_type)
    request = lifecycle.DeployRequest(
        owner=owner, zone=zoneid, offering=serviceofferingid, template=template, size=compute, name=name,
        display_name=displayname, root_size_bytes=root_bytes,
        disk_offering=None if template.is_iso else diskofferingid, data_disk_gib=None if template.is_iso else size,
        keypair_name=keypair, userdata=_checked_userdata(userdata), group=group,
        hypervisor=hypervisor or (hostid.hypervisor_type if hostid else None), custom_details=custom,
        networks=list(networkids or []), ip_address=ipaddress, display_vm=displayvm)
    vm = lifecycle.deploy(call.session, call.caller, request, call.secrets)
    affinity_membership.join_at_deploy(call.session, vm, groups)
    security_group_membership.assign_on_deploy(call.session, vm, zoneid, owner, list(networkids or []),
                                               *security_groups)
    if template.is_iso:
        vm_iso.boot_from(call.session, vm, template, diskofferingid)
    return vm.uuid


@DEPLOY_VM.handler
def deploy_vm(call: Call, id: str, hostid: Host | None = None, startvm: bool = True, **_arguments: Any
              ) -> dict[str, Any]:
    vm = call.session.scalars(select(VirtualMachine).where(VirtualMachine.uuid == id)).one()
    if startvm:
        lifecycle.start(call.session, call.caller, vm, lifecycle.Drivers(call.registry, call.secrets), hostid,
                        failed_state=VMState.ERROR)
    # Groups whose rules name the VM's groups now allow its address too.
    security_group_enforcement.refresh_groups(call.session, call.registry, call.secrets,
                                              security_group_membership.group_ids_of(call.session, vm))
    password = call.secrets.decrypt(vm.password_encrypted) if vm.password_encrypted and call.secrets else None
    return vm_response(call.session, vm, call.caller, password)



def _checked_userdata(userdata: str | None) -> str | None:
    # The handler does not see the HTTP method, so the larger POST limit applies to every request.
    return None if userdata is None else validate_userdata(userdata, "POST")

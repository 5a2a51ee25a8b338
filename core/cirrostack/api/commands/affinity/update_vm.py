"""updateVMAffinityGroup (async; the VM must be Stopped)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import Call, Command, Param
from cirrostack.api.params import ListOf, String, Uuid
from cirrostack.db.models import Account, VirtualMachine
from cirrostack.db.models.affinity import AffinityGroup
from cirrostack.services.affinity import membership
from cirrostack.services.context import ANY_ROLE

UPDATE_VM_AFFINITY_GROUP = Command(
    "updateVMAffinityGroup", "Updates the affinity/anti-affinity group associations of a virtual machine. The VM "
                             "has to be stopped and restarted for the new properties to take effect. Without "
                             "affinitygroupids and affinitygroupnames the VM leaves all its groups.",
    response=VM_RESPONSE, is_async=True, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.affinitygroup.UpdateVMAffinityGroupCmd",
    related=("listAffinityGroups", "listVirtualMachines"),
    params=(Param("id", Uuid("VirtualMachine"), "The ID of the virtual machine", required=True),
            Param("affinitygroupids", ListOf(Uuid("AffinityGroup")), "comma separated list of affinity groups id "
                  "that are going to be applied to the virtual machine. Mutually exclusive with affinitygroupnames "
                  "parameter"),
            Param("affinitygroupnames", ListOf(String()), "comma separated list of affinity groups names that are "
                  "going to be applied to the virtual machine. Mutually exclusive with affinitygroupids "
                  "parameter")))


@UPDATE_VM_AFFINITY_GROUP.handler
def update_vm_affinity_group(call: Call, id: VirtualMachine, affinitygroupids: list[AffinityGroup] | None = None,
                             affinitygroupnames: list[str] | None = None) -> dict[str, Any]:
    owner = call.session.get(Account, id.account_id)
    groups = membership.chosen_groups(call.session, owner, affinitygroupids, affinitygroupnames)
    membership.replace_groups(call.session, call.caller, id, groups, call.registry)
    return vm_response(call.session, id, call.caller)

"""assignToLoadBalancerRule, removeFromLoadBalancerRule and listLoadBalancerRuleInstances."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.vms._views import VM_RESPONSE, vm_response
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param, Response
from cirrostack.api.params import Boolean, ListOf, Uuid
from cirrostack.db.models import LoadBalancerRuleRow, VirtualMachine
from cirrostack.errors import InvalidParameter
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.network_rules import load_balancing

_PACKAGE = "org.apache.cloudstack.api.command.user.loadbalancer."

_MEMBER_PARAMS = (
    Param("id", Uuid("LoadBalancerRule"), "the ID of the load balancer rule", required=True),
    Param("virtualmachineids", ListOf(Uuid("VirtualMachine")), "the list of IDs of the virtual machine that are being "
                                                               "assigned to the load balancer rule(i.e. "
                                                               "virtualMachineIds=1,2,3)", required=True),
)

ASSIGN_TO_LOAD_BALANCER_RULE = Command(
    "assignToLoadBalancerRule", "Assigns virtual machine or a list of virtual machines to a load balancer rule.",
    kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "AssignToLoadBalancerRuleCmd",
    params=_MEMBER_PARAMS)

REMOVE_FROM_LOAD_BALANCER_RULE = Command(
    "removeFromLoadBalancerRule", "Removes a virtual machine or a list of virtual machines from a load balancer rule.",
    kind=CommandKind.SUCCESS, is_async=True, roles=ANY_ROLE, java_class=_PACKAGE + "RemoveFromLoadBalancerRuleCmd",
    params=_MEMBER_PARAMS)

LIST_LOAD_BALANCER_RULE_INSTANCES = Command(
    "listLoadBalancerRuleInstances", "List all virtual machine instances that are assigned to a load balancer rule.",
    kind=CommandKind.LIST, response=Response("loadbalancerruleinstance", VM_RESPONSE.fields,
                                             instance_type="VirtualMachine"),
    roles=ANY_ROLE, java_class=_PACKAGE + "ListLoadBalancerRuleInstancesCmd",
    related=("assignToLoadBalancerRule", "removeFromLoadBalancerRule"),
    params=(Param("id", Uuid("LoadBalancerRule"), "the ID of the load balancer rule", required=True),
            Param("applied", Boolean(), "true (the default) lists VMs assigned to the rule; false lists the VMs that "
                                        "could still be assigned"),
            *LIST_PARAMS))


def _distinct(vms: list[VirtualMachine]) -> list[VirtualMachine]:
    uuids = [vm.uuid for vm in vms]
    repeated = sorted({uuid for uuid in uuids if uuids.count(uuid) > 1})
    if repeated:
        raise InvalidParameter("virtualmachineids", f"VM {repeated[0]} is named more than once")
    return vms


@ASSIGN_TO_LOAD_BALANCER_RULE.handler
def assign_to_load_balancer_rule(call: Call, id: LoadBalancerRuleRow, virtualmachineids: list[VirtualMachine]) -> None:
    load_balancing.assign(call.session, call.caller, call.registry, call.secrets, id, _distinct(virtualmachineids))


@REMOVE_FROM_LOAD_BALANCER_RULE.handler
def remove_from_load_balancer_rule(call: Call, id: LoadBalancerRuleRow,
                                   virtualmachineids: list[VirtualMachine]) -> None:
    load_balancing.remove(call.session, call.caller, call.registry, call.secrets, id, _distinct(virtualmachineids))


@LIST_LOAD_BALANCER_RULE_INSTANCES.handler
def list_load_balancer_rule_instances(call: Call, id: LoadBalancerRuleRow, applied: bool = True,
                                      **_paging: Any) -> ListResult:
    vms, count = load_balancing.member_vms(call.session, id, applied=applied, page=call.paging.page,
                                           pagesize=call.paging.pagesize)
    return ListResult([vm_response(call.session, vm, call.caller) for vm in vms], count)

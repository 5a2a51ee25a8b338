"""enableStaticNat, disableStaticNat and listIpForwardingRules (which lists the static NAT mappings)."""

from __future__ import annotations

from typing import Any

from cirrostack.api.commands.network_rules._views import IP_FORWARDING_RESPONSE, ip_forwarding_view
from cirrostack.api.declaration import ACCOUNT_SCOPE_PARAMS, LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import String, Uuid
from cirrostack.db.models import Domain, Network, PublicIpAddress, VirtualMachine
from cirrostack.services import scope
from cirrostack.services.context import ANY_ROLE
from cirrostack.services.network_rules import static_nat

_PACKAGE = "org.apache.cloudstack.api.command.user.nat."
_RELATED = ("enableStaticNat", "disableStaticNat", "listIpForwardingRules")

ENABLE_STATIC_NAT = Command(
    "enableStaticNat", "Enables static nat for given ip address", kind=CommandKind.SUCCESS, roles=ANY_ROLE,
    java_class=_PACKAGE + "EnableStaticNatCmd", related=_RELATED,
    params=(Param("ipaddressid", Uuid("IpAddress"), "the public IP address id for which static nat feature is being "
                                                    "enabled", required=True),
            Param("virtualmachineid", Uuid("VirtualMachine"), "the ID of the virtual machine for enabling static nat "
                                                              "feature", required=True),
            Param("networkid", Uuid("Network"), "The network of the vm the static nat will be enabled for. Required "
                                                "when public Ip address is not associated with any Guest network yet "
                                                "(VPC case)"),
            Param("vmguestip", String(), "VM guest nic Secondary ip address for the port forwarding rule")))

DISABLE_STATIC_NAT = Command(
    "disableStaticNat", "Disables static rule for given ip address", kind=CommandKind.SUCCESS, is_async=True,
    roles=ANY_ROLE, java_class=_PACKAGE + "DisableStaticNatCmd", related=_RELATED,
    params=(Param("ipaddressid", Uuid("IpAddress"), "the public IP address id for which static nat feature is being "
                                                    "disableed", required=True),))

LIST_IP_FORWARDING_RULES = Command(
    "listIpForwardingRules", "List the ip forwarding rules", kind=CommandKind.LIST, response=IP_FORWARDING_RESPONSE,
    roles=ANY_ROLE, java_class=_PACKAGE + "ListIpForwardingRulesCmd", related=_RELATED,
    params=(Param("id", Uuid(load=False), "Lists rule with the specified ID."),
            Param("ipaddressid", Uuid("IpAddress"), "list the rule belonging to this public ip address"),
            Param("virtualmachineid", Uuid("VirtualMachine"), "Lists all rules applied to the specified Vm."),
            *ACCOUNT_SCOPE_PARAMS, *LIST_PARAMS))


@ENABLE_STATIC_NAT.handler
def enable_static_nat(call: Call, ipaddressid: PublicIpAddress, virtualmachineid: VirtualMachine,
                      networkid: Network | None = None, vmguestip: str | None = None) -> None:
    static_nat.enable(call.session, call.caller, call.registry, call.secrets, ipaddressid, virtualmachineid,
                      network=networkid, vmguestip=vmguestip)


@DISABLE_STATIC_NAT.handler
def disable_static_nat(call: Call, ipaddressid: PublicIpAddress) -> None:
    static_nat.disable(call.session, call.caller, call.registry, call.secrets, ipaddressid)


@LIST_IP_FORWARDING_RULES.handler
def list_ip_forwarding_rules(call: Call, id: str | None = None, ipaddressid: PublicIpAddress | None = None,
                             virtualmachineid: VirtualMachine | None = None, account: str | None = None,
                             domainid: Domain | None = None, isrecursive: bool = False, listall: bool = False,
                             **_paging: Any) -> ListResult:
    owners = scope.list_scope(call.session, call.caller, account=account, domain=domainid, isrecursive=isrecursive,
                              listall=listall, by_id=id is not None or ipaddressid is not None)
    rows, count = static_nat.list_static_nat(call.session, call.caller, owners, address=ipaddressid,
                                             vm=virtualmachineid, by_uuid=id, page=call.paging.page,
                                             pagesize=call.paging.pagesize)
    return ListResult([ip_forwarding_view(call.session, row) for row in rows], count)

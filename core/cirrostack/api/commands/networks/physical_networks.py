"""createPhysicalNetwork, updatePhysicalNetwork, deletePhysicalNetwork and listPhysicalNetworks (root admin)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cirrostack.api.commands.networks._infra_views import PHYSICAL_NETWORK_RESPONSE, physical_network_view
from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, ListResult, Param
from cirrostack.api.params import ListOf, String, Uuid
from cirrostack.db.models import Domain
from cirrostack.db.models.infrastructure import Zone
from cirrostack.db.models.networks import PhysicalNetwork
from cirrostack.services.context import ROOT_ADMIN
from cirrostack.services.networks import physical

_PACKAGE = "org.apache.cloudstack.api.command.admin.network."
_RELATED = ("createPhysicalNetwork", "listPhysicalNetworks", "updatePhysicalNetwork")

CREATE_PHYSICAL_NETWORK = Command(
    "createPhysicalNetwork", "Creates a physical network", response=PHYSICAL_NETWORK_RESPONSE, is_async=True,
    creates=True, roles=ROOT_ADMIN, java_class=_PACKAGE + "CreatePhysicalNetworkCmd", related=_RELATED,
    params=(Param("name", String(), "the name of the physical network", required=True),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the physical network", required=True),
            Param("broadcastdomainrange", String(), "the broadcast domain range for the physical network[Pod or "
                                                    "Zone]. In Acton release it can be Zone only in Advance zone, "
                                                    "and Pod in Basic"),
            Param("domainid", Uuid("Domain"), "domain ID of the account owning a physical network"),
            Param("isolationmethods", ListOf(), "the isolation method for the physical network[VLAN/L3/GRE]"),
            Param("networkspeed", String(), "the speed for the physical network[1G/10G]"),
            Param("tags", ListOf(), "Tag the physical network"),
            Param("vlan", String(), "the VLAN for the physical network")))

UPDATE_PHYSICAL_NETWORK = Command(
    "updatePhysicalNetwork", "Updates a physical network", response=PHYSICAL_NETWORK_RESPONSE, is_async=True,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "UpdatePhysicalNetworkCmd", related=_RELATED,
    params=(Param("id", Uuid("PhysicalNetwork"), "physical network id", required=True),
            Param("state", String(), "Enabled/Disabled"),
            Param("vlan", String(), "the VLAN for the physical network (ranges are added to the existing ones)"),
            Param("removevlan", String(), "The vlan range to be removed from the physical network"),
            Param("networkspeed", String(), "the speed for the physical network[1G/10G]"),
            Param("tags", ListOf(), "Tag the physical network")))

DELETE_PHYSICAL_NETWORK = Command(
    "deletePhysicalNetwork", "Deletes a Physical Network.", kind=CommandKind.SUCCESS, is_async=True,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "DeletePhysicalNetworkCmd",
    params=(Param("id", Uuid("PhysicalNetwork"), "the ID of the Physical network", required=True),))

LIST_PHYSICAL_NETWORKS = Command(
    "listPhysicalNetworks", "Lists physical networks", kind=CommandKind.LIST, response=PHYSICAL_NETWORK_RESPONSE,
    roles=ROOT_ADMIN, java_class=_PACKAGE + "ListPhysicalNetworksCmd", related=_RELATED,
    params=(Param("id", Uuid("PhysicalNetwork"), "list physical network by id"),
            Param("name", String(), "search by name"),
            Param("zoneid", Uuid("Zone"), "the Zone ID for the physical network"),
            *LIST_PARAMS))


@CREATE_PHYSICAL_NETWORK.prepare
def prepare_physical_network(call: Call, zoneid: Zone, name: str, domainid: Domain | None = None,
                             **fields: Any) -> str:
    return physical.create_physical_network(call.session, call.caller, call.registry, zone=zoneid, name=name,
                                            domain_id=domainid.id if domainid else None, **fields).uuid


@CREATE_PHYSICAL_NETWORK.handler
def create_physical_network(call: Call, id: str, **_arguments: Any) -> dict[str, Any]:
    row = call.session.scalars(select(PhysicalNetwork).where(PhysicalNetwork.uuid == id)).one()
    return physical_network_view(call.session, row)


@UPDATE_PHYSICAL_NETWORK.handler
def update_physical_network(call: Call, id: PhysicalNetwork, **changes: Any) -> dict[str, Any]:
    return physical_network_view(call.session, physical.update_physical_network(call.session, call.caller,
                                                                                call.registry, id, **changes))


@DELETE_PHYSICAL_NETWORK.handler
def delete_physical_network(call: Call, id: PhysicalNetwork) -> None:
    physical.delete_physical_network(call.session, call.caller, id)


@LIST_PHYSICAL_NETWORKS.handler
def list_physical_networks(call: Call, id: PhysicalNetwork | None = None, zoneid: Zone | None = None,
                           name: str | None = None, keyword: str | None = None, **_ignored: Any) -> ListResult:
    rows, count = physical.list_physical_networks(call.session, call.caller, id=id, zone=zoneid, name=name,
                                                  keyword=keyword, page=call.paging.page,
                                                  pagesize=call.paging.pagesize)
    return ListResult([physical_network_view(call.session, row) for row in rows], count)

"""listAffinityGroupTypes."""

from __future__ import annotations

from typing import Any

from cirrostack.api.declaration import LIST_PARAMS, Call, Command, CommandKind, Field, ListResult, Response
from cirrostack.services.affinity.types import affinity_types
from cirrostack.services.context import ANY_ROLE

LIST_AFFINITY_GROUP_TYPES = Command(
    "listAffinityGroupTypes", "Lists affinity group types available", kind=CommandKind.LIST, roles=ANY_ROLE,
    java_class="org.apache.cloudstack.api.command.user.affinitygroup.ListAffinityGroupTypesCmd",
    response=Response("affinityGroupType", (Field("type", "string", "the type of the affinity group"),)),
    related=("createAffinityGroup",), params=LIST_PARAMS)


@LIST_AFFINITY_GROUP_TYPES.handler
def list_affinity_group_types(call: Call, keyword: str | None = None, **_paging: Any) -> ListResult:
    names = [kind.name for kind in affinity_types() if not keyword or keyword.lower() in kind.name.lower()]
    return ListResult([{"type": name} for name in call.paging.slice(names)], len(names))

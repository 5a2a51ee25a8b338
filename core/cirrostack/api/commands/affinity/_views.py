"""How affinity groups look on the API (CloudStack 4.3's affinitygroup response)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from cirrostack.api.declaration import Field, Response
from cirrostack.db.models.affinity import AffinityGroup
from cirrostack.services.affinity import groups as affinity_groups

AFFINITY_GROUP_FIELDS = (
    Field("id", "string", "the ID of the affinity group"),
    Field("name", "string", "the name of the affinity group"),
    Field("description", "string", "the description of the affinity group"),
    Field("type", "string", "the type of the affinity group"),
    Field("account", "string", "the account owning the affinity group"),
    Field("domainid", "string", "the domain ID of the affinity group"),
    Field("domain", "string", "the domain name of the affinity group"),
    Field("virtualmachineIds", "list", "virtual machine Ids associated with this affinity group"),
)
AFFINITY_GROUP_RESPONSE = Response("affinitygroup", AFFINITY_GROUP_FIELDS, instance_type="AffinityGroup")


def group_views(session: Session, groups: list[AffinityGroup]) -> list[dict[str, Any]]:
    """The API objects of `groups`, in order (three queries whatever their number)."""
    owners = affinity_groups.owners_of(session, groups)
    members = affinity_groups.member_uuids(session, groups)
    views = []
    for group in groups:
        view: dict[str, Any] = {"id": group.uuid, "name": group.name, "type": group.type}
        if group.description:
            view["description"] = group.description
        owner = owners.get(group.id)
        if owner is not None:
            view["account"], view["domainid"], view["domain"] = owner.account_name, owner.domain_uuid, owner.domain_name
        view["virtualmachineIds"] = members.get(group.id, [])
        views.append(view)
    return views

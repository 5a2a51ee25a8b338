"""Affinity groups: their types (types.py), the groups themselves (groups.py), which VMs are in them
(membership.py) and the hosts the planner must then avoid (placement.py)."""

from cirrostack.db.models.affinity import AffinityGroup
from cirrostack.services import scope

scope.register_entity("AffinityGroup", AffinityGroup, scope.account_owned(AffinityGroup.account_id))

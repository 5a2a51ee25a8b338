"""Zones, pods, clusters and hosts: the physical cloud, its host maintenance and the host monitor.

Importing this package registers the entities Zone, Pod, Cluster and Host for `Uuid(...)` params.
Other areas extend deletion checks with `register_in_use_check` and maintenance with
`register_evacuation`.
"""

from cirrostack.services.infrastructure import _entities  # noqa: F401  (registers the entities)
from cirrostack.services.infrastructure._in_use import register_in_use_check
from cirrostack.services.infrastructure.maintenance import register_evacuation

__all__ = ["register_evacuation", "register_in_use_check"]

"""Guest networking: the workflows behind the physical network, offering, network, IP, NIC and router commands.

Modules, in the order a zone is set up and used:
- physical.py, traffic_types.py, providers.py: a zone's physical networks, what they carry, who serves them;
- offerings.py (+ default_offerings.py): what a guest network is made of;
- guest_networks.py, guest_vlans.py: guest networks and their isolation ids;
- public_ranges.py, public_ips.py: public address ranges and the addresses accounts hold;
- nics.py, deploy_networks.py: the NICs of VMs and the networks a deploy puts them on;
- implement.py, apply.py, service_network.py: bringing a network up on its providers and pushing its state;
- routers.py, router_monitor.py: the virtual router of each isolated network.

Importing this package registers the entities the API loads by uuid.
"""

from __future__ import annotations

from cirrostack.services.networks import _entities as _entities  # noqa: F401 - registers the entities

"""User VMs: their states (states.py), what the hypervisor is told (spec.py) and their life cycle
from deploy to expunge (lifecycle.py)."""

from cirrostack.db.models.compute import VirtualMachine
from cirrostack.services import scope

scope.register_entity("VirtualMachine", VirtualMachine, scope.account_owned(VirtualMachine.account_id))

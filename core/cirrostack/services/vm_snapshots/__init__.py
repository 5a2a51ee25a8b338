"""VM snapshots: the service behind createVMSnapshot and friends, and the default strategy.

The default strategy (`HypervisorSnapshots`, the hypervisor's own snapshots) is registered through
the core distribution's `simulator` entry point, next to the Simulator hypervisor, so the registry
finds it exactly as it finds a storage vendor's strategy.
"""

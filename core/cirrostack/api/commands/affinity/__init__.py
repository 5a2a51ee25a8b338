"""Affinity group commands: the types, the groups, and which groups a VM is in."""

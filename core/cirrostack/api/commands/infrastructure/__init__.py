"""Zones, pods, clusters and hosts commands (root admin, except listZones)."""

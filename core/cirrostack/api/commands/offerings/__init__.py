"""Compute and disk offerings: listing them (any role), creating, changing and deleting them (root admin)."""

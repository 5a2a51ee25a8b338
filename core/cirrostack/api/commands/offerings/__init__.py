"""Listing compute and disk offerings; creating and changing them comes with the compute work."""

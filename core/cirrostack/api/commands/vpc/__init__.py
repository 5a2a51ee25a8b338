"""VPC commands: VPC offerings, VPCs, and how they look on the API."""

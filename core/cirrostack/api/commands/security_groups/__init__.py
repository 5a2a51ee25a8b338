"""Security group commands: create, delete, list, and authorizing and revoking ingress and egress rules."""

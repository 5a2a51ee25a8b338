"""Commands on primary storage pools, image stores and storage providers (CloudStack 4.3 names)."""

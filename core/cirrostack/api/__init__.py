"""The CloudStack-compatible query API at /client/api."""

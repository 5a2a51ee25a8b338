"""Commands on templates, ISOs and the guest OS catalogue (CloudStack 4.3 names and fields)."""

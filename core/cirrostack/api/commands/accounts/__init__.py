"""Commands on domains, accounts, users and their API keys (CloudStack 4.3 names and fields)."""

"""Usage metering: services record usage events (events.py); the usage job (generator.py) turns them
into per-day usage records of CloudStack's usage types (types.py)."""

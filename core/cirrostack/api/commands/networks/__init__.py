"""Guest networking commands: physical networks, providers, offerings, networks, IPs, NICs, routers."""

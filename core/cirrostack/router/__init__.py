"""The VirtualRouter network service provider and its data plane.

`provider.VirtualRouter` implements the NetworkServiceProvider contract; it keeps each network's
whole desired state (`config.RouterConfig`) and hands it to a router backend (`backend.RouterBackend`).
The namespace backend (`namespace_backend`) runs each router in a Linux network namespace on the
network host, where `agent.RouterAgent` applies the config with iptables-restore, dnsmasq, haproxy
and a small user data server. `bridges` names and creates the network host's bridges.
"""

"""The router agent: what runs next to one router and applies its whole configuration.

`router_agent.RouterAgent` applies a RouterConfig at once (iptables, dnsmasq, haproxy, user data)
and reads it back. The namespace backend runs it in the management server's process; the same
agent runs as a command (`python -m cirrostack.router.agent apply|read`, reading the config's JSON
on stdin), which is how a router VM would run it.
"""

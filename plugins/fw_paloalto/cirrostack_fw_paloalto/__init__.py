"""cirrostack plugin: Palo Alto Networks firewalls as the network's firewall and NAT provider."""

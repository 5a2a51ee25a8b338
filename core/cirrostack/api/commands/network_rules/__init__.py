"""Network rule commands: firewall (ingress and egress), port forwarding, static NAT, load balancing."""

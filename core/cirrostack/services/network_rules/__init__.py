"""Network rules: firewall (ingress and egress), port forwarding, static NAT, load balancing with its
members and policies, and `apply.push_rules`, which hands a network's complete rule sets to its
providers. One module per kind of rule; each change pushes the whole set again."""
